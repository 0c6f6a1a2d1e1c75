"""Google Business Profile figures (endpoints in docs/architecture.md, "Analytics").

- Local posts: ``POST /v4/{location}/localPosts:reportInsights`` with ``localPostNames`` and
  ``LOCAL_POST_VIEWS_SEARCH`` (our impressions and views) and ``LOCAL_POST_ACTIONS_CALL_TO_ACTION``
  (our clicks), over the post's life. Reach, likes, comments, shares and saves do not exist there.
- Location: Business Profile Performance API ``GET /v1/locations/{id}:fetchMultiDailyMetricsTimeSeries``
  with ``dailyMetrics`` (the four ``BUSINESS_IMPRESSIONS_*`` added up as views, ``CALL_CLICKS``,
  ``WEBSITE_CLICKS``, ``BUSINESS_DIRECTION_REQUESTS``) and a ``dailyRange`` of the last days (Google's
  figures lag by a few days); a day without a ``value`` is 0 (the API leaves zeros out).
  A Business Profile has no followers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from publishing.connectors.base import Account, PlatformError
from publishing.connectors.insights import (
    AccountInsights,
    InsightsReader,
    PostInsights,
    PostRef,
    not_offered,
    refusal,
    to_int,
)

BATCH = 20
POST_METRICS = ("LOCAL_POST_VIEWS_SEARCH", "LOCAL_POST_ACTIONS_CALL_TO_ACTION")
DAILY = {
    "BUSINESS_IMPRESSIONS_DESKTOP_MAPS": "views",
    "BUSINESS_IMPRESSIONS_DESKTOP_SEARCH": "views",
    "BUSINESS_IMPRESSIONS_MOBILE_MAPS": "views",
    "BUSINESS_IMPRESSIONS_MOBILE_SEARCH": "views",
    "CALL_CLICKS": "calls",
    "WEBSITE_CLICKS": "website_clicks",
    "BUSINESS_DIRECTION_REQUESTS": "direction_requests",
}
DAYS_BACK = 7  # each daily sync re-reads a week: late figures fill in, a missed day is caught up


class GoogleBusinessInsights(InsightsReader):
    def post_insights(self, account: Account, posts: list[PostRef]) -> dict[str, PostInsights]:
        http = self.http(account)
        out: dict[str, PostInsights] = {}
        now = datetime.now(UTC)
        for start in range(0, len(posts), BATCH):
            chunk = posts[start : start + BATCH]
            since = min((r.published_at for r in chunk if r.published_at), default=now - timedelta(days=28))
            body = {
                "localPostNames": [r.external_id for r in chunk],
                "basicRequest": {
                    "metricRequests": [{"metric": m} for m in POST_METRICS],
                    "timeRange": {"startTime": _z(since - timedelta(hours=1)), "endTime": _z(now)},
                },
            }
            try:
                data = http.json("POST", f"{account.external_id}/localPosts:reportInsights", json=body)
            except PlatformError as error:
                reason = refusal(error, "business.manage")
                if reason is None and error.http_status in (404, 501):
                    reason = "Google no longer reports figures per local post"
                if reason is None:
                    raise
                for ref in chunk:
                    refused = PostInsights()
                    refused.lack(("impressions", "views", "clicks"), reason)
                    refused.lack(("reach", "likes", "comments", "shares", "saves"), not_offered("google_business"))
                    out[ref.external_id] = refused.finish()
                continue
            for item in data.get("localPostMetrics") or []:
                found = PostInsights()
                found.lack(("reach", "likes", "comments", "shares", "saves"), not_offered("google_business"))
                for value in item.get("metricValues") or []:
                    total = (value.get("totalValue") or {}).get("value", "0")  # zeros are left out
                    if value.get("metric") == "LOCAL_POST_VIEWS_SEARCH":
                        found.give("impressions", total, "LOCAL_POST_VIEWS_SEARCH")
                        found.give("views", total)
                    elif value.get("metric") == "LOCAL_POST_ACTIONS_CALL_TO_ACTION":
                        found.give("clicks", total, "LOCAL_POST_ACTIONS_CALL_TO_ACTION")
                out[str(item.get("localPostName"))] = found.finish()
            for ref in chunk:
                if ref.external_id not in out:
                    missing = PostInsights()
                    missing.missing = "Google reports no figures for this post (deleted or rejected?)"
                    out[ref.external_id] = missing
        return out

    def account_insights(self, account: Account) -> AccountInsights:
        out = AccountInsights()
        out.unavailable["followers"] = "a Business Profile has no followers"
        location = "locations/" + account.external_id.rstrip("/").rsplit("/", 1)[-1]
        end = datetime.now(UTC).date() - timedelta(days=1)
        start = end - timedelta(days=DAYS_BACK - 1)
        params: list[tuple[str, str | int]] = [("dailyMetrics", m) for m in DAILY]
        for prefix, day in (("dailyRange.startDate", start), ("dailyRange.endDate", end)):
            params += [(f"{prefix}.year", day.year), (f"{prefix}.month", day.month), (f"{prefix}.day", day.day)]
        http = self.http(account)
        try:
            data = http.json(
                "GET", f"{location}:fetchMultiDailyMetricsTimeSeries", key="google_business_performance", params=params
            )
        except PlatformError as error:
            reason = refusal(error, "business.manage")
            if reason is None:
                raise
            for name in ("views", "calls", "website_clicks", "direction_requests"):
                out.unavailable[name] = reason
            return out
        for group in data.get("multiDailyMetricTimeSeries") or []:
            for series in group.get("dailyMetricTimeSeries") or []:
                ours = DAILY.get(str(series.get("dailyMetric")))
                if ours is None:
                    continue
                for point in (series.get("timeSeries") or {}).get("datedValues") or []:
                    when = point.get("date") or {}
                    try:
                        day = date(int(when["year"]), int(when["month"]), int(when["day"]))
                    except (KeyError, TypeError, ValueError):
                        continue
                    figures = out.daily.setdefault(day, {})
                    figures[ours] = figures.get(ours, 0) + (to_int(point.get("value", "0")) or 0)
        if out.daily:
            out.extras = dict(out.daily[max(out.daily)])
        return out


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
