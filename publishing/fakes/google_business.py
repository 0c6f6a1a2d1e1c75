"""Fake Google Business Profile local posts (v4).

Faithful to platform-contracts.md §7: ``POST …/localPosts`` answers 200 with a LocalPost whose
``state`` is PROCESSING; it turns LIVE after ``google_business.processing_reads`` reads (or
REJECTED when a ``rejected`` fault is queued for ``local_posts``). The photo's ``sourceUrl`` is
downloaded; errors are Google's ``{"error": {"code", "message", "status"}}``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from publishing.fakes import media, metrics
from publishing.fakes.core import FakePlatforms, Reply, Request, Response, iso_z, keyset_page, newest_first, route

API = r"^/gbp/v4"
LOCATION = r"(?P<location>accounts/[^/]+/locations/[^/]+)"
ACTIONS = {"BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL"}


def g_error(code: int, status: str, message: str, **extra: Any) -> Response:
    return Response(code, {"error": {"code": code, "message": message, "status": status, **extra}})


def error(fake: FakePlatforms, kind: str, params: dict[str, Any]) -> Response:
    if kind == "http_500":
        return g_error(503, "UNAVAILABLE", "The service is currently unavailable.")
    if kind == "rate_limit":
        return g_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Requests' of service mybusiness.")
    if kind == "token_expired":
        return g_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
    return g_error(400, "INVALID_ARGUMENT", params.get("message", "Request contains an invalid argument."))


def _violation(field: str, description: str) -> Response:
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": description}],
        }
    ]
    return g_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", details=details)


def install(fake: FakePlatforms) -> None:
    fake.errors["google_business"] = error
    posts = lambda: fake.objects("google_business")  # noqa: E731 - the store is replaced on reset

    def auth(request: Request) -> None:
        if fake.token_state(request.token(), "google_business") != "ok":
            raise Reply(g_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."))

    @route(fake, "POST", API + "/" + LOCATION + r"/localPosts$", "google_business", "local_posts")
    def create(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        body = request.json() or {}
        summary = body.get("summary", "")
        if not summary or len(summary) > 1500:
            return _violation("summary", "Summary is required and at most 1500 characters.")
        if body.get("topicType") not in ("STANDARD", "EVENT", "OFFER", "ALERT"):
            return _violation("topicType", "Unknown topic type.")
        cta = body.get("callToAction")
        if cta and (cta.get("actionType") not in ACTIONS or (cta["actionType"] != "CALL") != bool(cta.get("url"))):
            return _violation("callToAction", "CALL takes no url; every other action needs one.")
        urls = []
        for item in body.get("media") or []:
            if item.get("mediaFormat") != "PHOTO":
                return _violation("media.mediaFormat", "Only PHOTO is supported.")
            if not media.fetch(item.get("sourceUrl", ""), fake.config["fetch_timeout"]).ok:
                return _violation("media.sourceUrl", "The photo could not be fetched from sourceUrl.")
            urls.append(item["sourceUrl"])
        number = fake.next_id()
        name = f"{match['location']}/localPosts/{number}"
        rejected = fake.take_fault("google_business", "local_posts", {"rejected"})
        post = {
            "name": name,
            "languageCode": body.get("languageCode", "en"),
            "summary": summary,
            "topicType": body["topicType"],
            "state": "PROCESSING",
            "createTime": iso_z(time.time()),
            "searchUrl": f"{request.base_url}/gbp-web/posts/{number}",
            "media": body.get("media") or [],
            "_reads_left": fake.config["google_business.processing_reads"],
            "_final": "REJECTED" if rejected else "LIVE",
        }
        if cta:
            post["callToAction"] = cta
        posts()[name] = post
        fake.record(
            request,
            "google_business",
            account=match["location"],
            external_id=name,
            text=summary,
            media_urls=urls,
            url=post["searchUrl"],
            state="PROCESSING",
        )
        return Response(200, _public(post))

    @route(fake, "GET", API + "/" + LOCATION + r"/localPosts/(?P<number>\d+)$", "google_business", "read")
    def read(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        post = posts().get(f"{match['location']}/localPosts/{match['number']}")
        if not post:
            return g_error(404, "NOT_FOUND", "Requested entity was not found.")
        _advance(fake, post)
        return Response(200, _public(post))

    install_insights(fake, auth)

    @route(fake, "GET", API + "/" + LOCATION + r"/localPosts$", "google_business", "read")
    def list_posts(fake: FakePlatforms, request: Request, match) -> Response:
        """Newest first, ``pageSize`` (default 20, at most 100), ``pageToken`` ↔ ``nextPageToken``."""
        auth(request)
        entries = newest_first(fake.ledger("google_business", account=match["location"]))
        try:
            size = min(100, max(1, int(request.arg("pageSize", "20"))))
            chunk, token = keyset_page(entries, request.arg("pageToken"), size)
        except ValueError:
            return g_error(400, "INVALID_ARGUMENT", "Invalid pageSize or pageToken.")
        found = [posts().get(e["external_id"]) for e in chunk]
        body: dict[str, Any] = {"localPosts": [_public(p) for p in found if p]}
        if token:
            body["nextPageToken"] = token
        return Response(200, body)


def _advance(fake: FakePlatforms, post: dict[str, Any]) -> None:
    if post["state"] == "PROCESSING":
        post["_reads_left"] -= 1
        if post["_reads_left"] <= 0:
            post["state"] = post["_final"]
            for entry in fake.entries:
                if entry["platform"] == "google_business" and entry["external_id"] == post["name"]:
                    entry["state"] = post["state"]


def _public(post: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in post.items() if not k.startswith("_")}


# Insights (platform-contracts.md §11) ---------------------------------------------------------------
PERFORMANCE = r"^/gbp-performance/v1"
# Business Profile Performance API daily metrics → the fake's daily series.
DAILY = {
    "BUSINESS_IMPRESSIONS_DESKTOP_MAPS": ("views", 0.15),
    "BUSINESS_IMPRESSIONS_DESKTOP_SEARCH": ("views", 0.25),
    "BUSINESS_IMPRESSIONS_MOBILE_MAPS": ("views", 0.25),
    "BUSINESS_IMPRESSIONS_MOBILE_SEARCH": ("views", 0.35),
    "CALL_CLICKS": ("calls", 1.0),
    "WEBSITE_CLICKS": ("website", 1.0),
    "BUSINESS_DIRECTION_REQUESTS": ("directions", 1.0),
}
LOCAL_POST_METRICS = {"LOCAL_POST_VIEWS_SEARCH", "LOCAL_POST_ACTIONS_CALL_TO_ACTION"}


def _date(query: dict[str, list[str]], prefix: str) -> dt.date:
    def part(name: str) -> int:
        for key in (f"{prefix}.{name}", f"{prefix.replace('Date', '_date')}.{name}"):
            if key in query:
                return int(query[key][0])
        raise ValueError(f"{prefix}.{name} is required")

    return dt.date(part("year"), part("month"), part("day"))


def install_insights(fake: FakePlatforms, auth: Callable[[Request], None]) -> None:
    """Local-post insights (v4 reportInsights) and location daily metrics (Performance API)."""

    def allowed(request: Request) -> None:
        auth(request)
        if metrics.missing_permission(fake, request, "business.manage"):
            raise Reply(g_error(403, "PERMISSION_DENIED", "The caller does not have permission"))

    @metrics.insights_route(fake, "POST", API + "/" + LOCATION + r"/localPosts:reportInsights$", "google_business")
    def report_insights(fake: FakePlatforms, request: Request, match) -> Response:
        allowed(request)
        body = request.json() or {}
        names = body.get("localPostNames") or []
        wanted = [m.get("metric") for m in (body.get("basicRequest") or {}).get("metricRequests") or []]
        if not names or not wanted or any(m not in LOCAL_POST_METRICS for m in wanted):
            return _violation("basicRequest.metricRequests", "Name local posts and supported LOCAL_POST_* metrics.")
        out = []
        for name in names:
            entry = fake.find_entry("google_business", name)
            if entry is None or not name.startswith(match["location"] + "/"):
                continue
            figures = metrics.post_figures(name, metrics.age(entry))
            values = {"LOCAL_POST_VIEWS_SEARCH": figures.impressions,
                      "LOCAL_POST_ACTIONS_CALL_TO_ACTION": figures.cta_clicks}  # fmt: skip
            out.append(
                {"localPostName": name,
                 "metricValues": [{"metric": m, "totalValue": {"metricOption": "AGGREGATED_TOTAL",
                                                               "value": str(values[m])}} for m in wanted]}
            )  # fmt: skip
        return Response(200, {"name": match["location"], "localPostMetrics": out})

    series_path = PERFORMANCE + r"/locations/(?P<location>[^/:]+):fetchMultiDailyMetricsTimeSeries$"

    @metrics.insights_route(fake, "GET", series_path, "google_business")
    def daily_metrics(fake: FakePlatforms, request: Request, match) -> Response:
        allowed(request)
        wanted = request.query.get("dailyMetrics", [])
        try:
            start, end = _date(request.query, "dailyRange.startDate"), _date(request.query, "dailyRange.endDate")
        except ValueError as exc:
            return g_error(400, "INVALID_ARGUMENT", str(exc))
        if not wanted or any(m not in DAILY for m in wanted) or end < start:
            return g_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        series = []
        for metric in wanted:
            kind, share = DAILY[metric]
            values = []
            day = start
            while day <= end:
                value = int(metrics.daily(f"locations/{match['location']}", kind, day.toordinal()) * share)
                point: dict[str, Any] = {"date": {"year": day.year, "month": day.month, "day": day.day}}
                if value:  # like the real API, a day without any leaves "value" out
                    point["value"] = str(value)
                values.append(point)
                day += dt.timedelta(days=1)
            series.append({"dailyMetric": metric, "timeSeries": {"datedValues": values}})
        return Response(200, {"multiDailyMetricTimeSeries": [{"dailyMetricTimeSeries": series}]})
