"""Fake Facebook Graph API: page posts, photos, videos, Facebook Login, pages and their tokens.

Faithful to platform-contracts.md §1–2: errors are HTTP 400 (500 for transient) with the
``error{}`` body, 190 included; every answer carries ``X-App-Usage`` and
``X-Business-Use-Case-Usage``. Instagram's endpoints live in ``instagram.py`` on the same host.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from publishing.fakes import media, metrics
from publishing.fakes.core import FakePlatforms, Reply, Request, Response, keyset_page, newest_first, parse_when, route

GRAPH = r"^/graph/v[\d.]+"
VIDEO = r"^/graph-video/v[\d.]+"
# What a person connecting through the fake's Facebook Login manages.
DEMO_PAGES = [
    {
        "id": "10001",
        "name": "Bella Bakery",
        "ig": {"id": "17841400001", "username": "bellabakery", "name": "Bella Bakery"},
    },
    {"id": "10002", "name": "Bella Catering", "ig": None},
]


def meta_error(code: int, message: str, *, subcode: int | None = None, status: int = 400, **extra: Any) -> Response:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": secrets.token_hex(8),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return Response(status, {"error": error})


def error(fake: FakePlatforms, kind: str, params: dict[str, Any]) -> Response:
    """Generic faults in Meta's dialect (Facebook and Instagram alike)."""
    if kind == "http_500":
        return meta_error(
            2, "An unexpected error has occurred. Please retry your request later.", status=500, is_transient=True
        )
    if kind == "rate_limit":
        code = int(params.get("code", 80001))
        minutes = int(params.get("minutes", 5))
        response = meta_error(code, "There have been too many calls to this Page account. Wait a bit and try again.")
        usage = {"call_count": 100, "total_cputime": 40, "total_time": 60}
        response.headers["X-App-Usage"] = json.dumps(usage if code == 4 else {"call_count": 5})
        response.headers["X-Business-Use-Case-Usage"] = json.dumps(
            {"10001": [{"type": "pages", **usage, "estimated_time_to_regain_access": minutes}]}
        )
        return response
    if kind == "token_expired":
        return meta_error(190, "Error validating access token: Session has expired.", subcode=463)
    if kind == "duplicate":
        return meta_error(
            506, "Duplicate status message", error_user_msg="This status update is identical to the last one."
        )
    subcode = params.get("subcode")
    return meta_error(
        int(params.get("code", 1)),
        params.get("message", "An unknown error occurred"),
        subcode=int(subcode) if subcode is not None else None,
        status=int(params.get("status", 400)),
    )


def auth(fake: FakePlatforms, request: Request, platform: str = "facebook") -> str:
    token = request.token()
    state = fake.token_state(token, platform)
    if state == "expired":
        raise Reply(meta_error(190, "Error validating access token: The session has been invalidated.", subcode=460))
    if state != "ok":
        raise Reply(meta_error(190, "Invalid OAuth access token - Cannot parse access token"))
    return token


def decorate(fake: FakePlatforms, request: Request, response: Response) -> None:
    app = fake.config["meta.app_usage"]
    response.headers.setdefault("X-App-Usage", json.dumps({"call_count": app, "total_cputime": app, "total_time": app}))
    buc = fake.config["meta.buc_usage"]
    regain = fake.config["meta.regain_minutes"]
    entry = {"type": "pages", "call_count": buc, "total_cputime": buc, "total_time": buc}
    response.headers.setdefault(
        "X-Business-Use-Case-Usage", json.dumps({"10001": [{**entry, "estimated_time_to_regain_access": regain}]})
    )


def graph_time(unix: float) -> str:
    """Graph API timestamps: ``2025-06-01T09:00:00+0000``."""
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def cursor_page(request: Request, entries: list[dict[str, Any]], shape: Callable[[dict], dict]) -> Response:
    """A Graph API edge read (page feed, Instagram media): newest first within ``since``/``until``,
    ``limit`` items (25 by default, at most 100), then ``paging.cursors.after`` and ``paging.next``."""
    try:
        since, until = parse_when(request.arg("since")), parse_when(request.arg("until"))
        limit = min(100, max(1, int(request.arg("limit", "25"))))
        chunk, after = keyset_page(newest_first(entries, since, until), request.arg("after"), limit)
    except ValueError as exc:
        return meta_error(100, f"(#100) Invalid parameter: {exc}")
    paging: dict[str, Any] = {"cursors": {"after": after}} if after else {}
    if after:
        query = {k: v[0] for k, v in request.query.items() if k != "after"}
        paging["next"] = f"{request.base_url}{request.path}?{urlencode({**query, 'after': after})}"
    return Response(200, {"data": [shape(e) for e in chunk], "paging": paging})


def fetch_or_fail(fake: FakePlatforms, url: str) -> media.Fetched:
    fetched = media.fetch(url, fake.config["fetch_timeout"])
    if not fetched.ok:
        raise Reply(meta_error(324, f"Missing or invalid image file ({fetched.reason}): {url}"))
    return fetched


def install(fake: FakePlatforms) -> None:
    fake.errors["facebook"] = error
    fake.decorators["facebook"] = decorate

    def publish(request: Request, page: str, text: str, media_urls: list[str], kind: str) -> dict[str, Any]:
        post_id = f"{page}_{fake.next_id()}"
        url = f"{request.base_url}/facebook-web/{post_id}"
        return fake.record(
            request, "facebook", account=page, external_id=post_id, text=text, media_urls=media_urls, kind=kind, url=url
        )

    @route(fake, "POST", GRAPH + r"/(?P<page>\d+)/feed$", "facebook", "feed")
    def feed(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        page, text, link = match["page"], request.arg("message"), request.arg("link")
        if not text and not link and "attached_media[0]" not in request.form():
            return meta_error(100, "(#100) Missing message or attachment")
        if link and not media.fetch(link, fake.config["fetch_timeout"]).ok:
            return meta_error(1609005, "Error posting link: the link could not be scraped.")
        photos = fake.objects("facebook")
        urls = []
        for index in range(10):
            raw = request.form().get(f"attached_media[{index}]")
            if not raw:
                break
            photo = photos.get(json.loads(raw).get("media_fbid", ""))
            if not photo:
                return meta_error(
                    100, "(#100) Invalid parameter: attached_media media_fbid is not an unpublished photo"
                )
            urls.append(photo["url"])
        return Response(200, {"id": publish(request, page, text, urls, "feed")["external_id"]})

    @route(fake, "POST", GRAPH + r"/(?P<page>\d+)/photos$", "facebook", "photos")
    def photos(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        url = request.arg("url")
        if not url:
            return meta_error(324, "(#324) Requires upload file")
        fetch_or_fail(fake, url)
        photo_id = str(900000 + fake.next_id())
        if request.arg("published", "true").lower() == "false":
            fake.objects("facebook")[photo_id] = {"url": url}
            return Response(200, {"id": photo_id})
        entry = publish(request, match["page"], request.arg("message"), [url], "photo")
        return Response(200, {"id": photo_id, "post_id": entry["external_id"]})

    @route(fake, "POST", VIDEO + r"/(?P<page>\d+)/videos$", "facebook", "videos")
    def videos(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        url = request.arg("file_url")
        if not url:
            return meta_error(100, "(#100) file_url or an upload session is required")
        fetch_or_fail(fake, url)
        video_id = str(800000 + fake.next_id())
        fake.record(
            request,
            "facebook",
            account=match["page"],
            external_id=video_id,
            text=request.arg("description"),
            media_urls=[url],
            kind="video",
            url=f"{request.base_url}/facebook-web/{video_id}",
        )
        return Response(200, {"id": video_id})

    @route(fake, "GET", GRAPH + r"/(?P<page>\d+)/(?P<edge>feed|published_posts|videos)$", "facebook", "read")
    def page_posts(fake: FakePlatforms, request: Request, match) -> Response:
        """Newest first, ``since``/``until`` (unix or ISO 8601), ``limit`` (default 25, at most 100),
        cursor paging (``after`` ↔ ``paging.cursors.after``, ``paging.next`` while more remain)."""
        auth(fake, request)
        field = "description" if match["edge"] == "videos" else "message"
        kinds = {"video"} if match["edge"] == "videos" else {"feed", "photo"}
        entries = [e for e in fake.ledger("facebook", account=match["page"]) if e.get("kind") in kinds]
        return cursor_page(request, entries, lambda e: {"id": e["external_id"], field: e["text"],
                                                        "created_time": graph_time(e["received"])})  # fmt: skip

    @route(fake, "GET", GRAPH + r"/oauth/access_token$", "facebook", "oauth")
    def access_token(fake: FakePlatforms, request: Request, match) -> Response:
        if request.arg("grant_type") == "fb_exchange_token":
            if fake.token_state(request.arg("fb_exchange_token"), "facebook") != "ok":
                return meta_error(190, "Invalid OAuth access token - Cannot parse access token")
            token = fake.register_token("fb-long-" + secrets.token_urlsafe(16), "facebook", kind="user")
            return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": 5183944})
        issued = fake.codes.pop(request.arg("code"), None)
        if not issued or issued["redirect_uri"] != request.arg("redirect_uri") or not request.arg("client_secret"):
            return meta_error(100, "Invalid verification code format.", subcode=36007)
        token = fake.register_token("fb-user-" + secrets.token_urlsafe(16), "facebook", kind="user")
        return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": 5400})

    @route(fake, "GET", GRAPH + r"/me/accounts$", "facebook", "read")
    def accounts(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        data = []
        for page in DEMO_PAGES:
            token = fake.register_token(
                f"fb-page-{page['id']}-" + secrets.token_urlsafe(8), "facebook", page["id"], "page"
            )
            item = {
                "id": page["id"],
                "name": page["name"],
                "access_token": token,
                "tasks": ["CREATE_CONTENT", "MANAGE"],
            }
            if page["ig"]:
                item["instagram_business_account"] = page["ig"]
            data.append(item)
        return Response(200, {"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}})

    @route(fake, "GET", GRAPH + r"/me$", "facebook", "read")
    def me(fake: FakePlatforms, request: Request, match) -> Response:
        token = fake.tokens.get(auth(fake, request))
        page = next((p for p in DEMO_PAGES if token and p["id"] == token.subject), None)
        if page:
            return Response(200, {"id": page["id"], "name": page["name"]})
        return Response(200, {"id": token.subject if token and token.subject else "10001", "name": "Demo Person"})

    @route(fake, "GET", GRAPH + r"/(?P<page>1000\d+)$", "facebook", "read")
    def page(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        found = next(
            (p for p in DEMO_PAGES if p["id"] == match["page"]), {"id": match["page"], "name": "Page", "ig": None}
        )
        body: dict[str, Any] = {"id": found["id"], "name": found["name"]}
        if found["ig"]:
            body["instagram_business_account"] = found["ig"]
        return Response(200, body)

    @route(fake, "GET", r"^/facebook/v[\d.]+/dialog/oauth$", "facebook", "oauth")
    def dialog(fake: FakePlatforms, request: Request, match) -> Response:
        return authorize_redirect(fake, request)

    install_insights(fake)


# Insights (platform-contracts.md §11; the endpoints are listed in docs/architecture.md, "Analytics") -----
# Since November 2025 "impressions" are "media views": post_impressions answers an invalid-metric error.
FB_POST_METRICS = {
    "post_media_view": ("Lifetime Post Media Views", "impressions"),
    "post_total_media_view_unique": ("Lifetime Post Total Media Viewers", "reach"),
    "post_clicks": ("Lifetime Post Clicks", "clicks"),
    "post_video_views": ("Lifetime Video Views", "video_views"),
    "post_reactions_by_type_total": ("Lifetime Total post Reactions by Type", "likes"),
}
FB_POST = r"(?P<post>\d+_\d+|8\d{5,})"


def _fb_post(fake: FakePlatforms, post_id: str) -> dict[str, Any]:
    entry = fake.find_entry("facebook", post_id)
    if entry is None:
        raise Reply(
            meta_error(
                100,
                f"Unsupported get request. Object with ID '{post_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                subcode=33,
            )
        )
    return entry


def _needs(fake: FakePlatforms, request: Request, permission: str) -> None:
    if metrics.missing_permission(fake, request, permission):
        raise Reply(meta_error(10, f"(#10) This endpoint requires the '{permission}' permission."))


def install_insights(fake: FakePlatforms) -> None:
    """Page post insights, a post's engagement counts, the page's followers."""

    @metrics.insights_route(fake, "GET", GRAPH + "/" + FB_POST + r"/insights$", "facebook")
    def post_insights(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        _needs(fake, request, "read_insights")
        names = [m for m in request.arg("metric").split(",") if m]
        if not names:
            return meta_error(
                3001,
                "No metric was specified to be fetched. Please specify one or more metrics to be fetched "
                "and try again.",
                subcode=1504028,
            )
        unknown = [m for m in names if m not in FB_POST_METRICS]
        if unknown:
            return meta_error(100, f"(#100) The value must be a valid insights metric: {unknown[0]}")
        entry = _fb_post(fake, match["post"])
        figures = metrics.post_figures(entry["external_id"], metrics.age(entry))
        data = []
        for name in names:
            title, attribute = FB_POST_METRICS[name]
            value: Any = getattr(figures, attribute)
            if name == "post_reactions_by_type_total":
                love = value // 5
                value = {"like": value - love, "love": love} if value else {}
            if name == "post_video_views" and entry.get("kind") != "video":
                value = 0
            data.append(
                {"name": name, "period": "lifetime", "values": [{"value": value}], "title": title,
                 "id": f"{match['post']}/insights/{name}/lifetime"}
            )  # fmt: skip
        return Response(200, {"data": data, "paging": {}})

    @metrics.insights_route(fake, "GET", GRAPH + "/" + FB_POST + r"$", "facebook")
    def post_object(fake: FakePlatforms, request: Request, match) -> Response:
        """``fields=reactions.summary(total_count),comments.summary(total_count),shares``; like the
        Graph API, ``shares`` is left out while nobody shared the post."""
        auth(fake, request)
        entry = _fb_post(fake, match["post"])
        fields = request.arg("fields")
        if "reactions" in fields or "comments" in fields:
            _needs(fake, request, "pages_read_engagement")
        figures = metrics.post_figures(entry["external_id"], metrics.age(entry))
        body: dict[str, Any] = {"id": match["post"]}
        if "reactions" in fields:
            body["reactions"] = {"data": [], "summary": {"total_count": figures.likes}}
        if "comments" in fields:
            body["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": figures.comments}}
        if "shares" in fields and figures.shares:
            body["shares"] = {"count": figures.shares}
        if "created_time" in fields:
            body["created_time"] = graph_time(entry["received"])
        return Response(200, body)

    @metrics.fields_route(fake, GRAPH + r"/(?P<page>(?!178[49]|1790)\d+)$", "facebook", "followers_count")
    def page_followers(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        _needs(fake, request, "pages_read_engagement")
        found = next((p for p in DEMO_PAGES if p["id"] == match["page"]), {"id": match["page"], "name": "Page"})
        return Response(
            200, {"id": found["id"], "name": found["name"], "followers_count": metrics.followers(match["page"])}
        )


def authorize_redirect(fake: FakePlatforms, request: Request) -> Response:
    """Every fake authorize page: the person "agrees" at once; back to redirect_uri with code and state."""
    redirect_uri = request.arg("redirect_uri")
    if not redirect_uri or not request.arg("client_id"):
        return Response(400, "<p>redirect_uri and client_id are required</p>")
    code = secrets.token_urlsafe(16)
    fake.codes[code] = {
        "redirect_uri": redirect_uri,
        "client_id": request.arg("client_id"),
        "challenge": request.arg("code_challenge"),
        "scope": request.arg("scope"),
    }
    separator = "&" if "?" in redirect_uri else "?"
    location = f"{redirect_uri}{separator}{urlencode({'code': code, 'state': request.arg('state')})}"
    return Response(302, None, {"Location": location})
