"""Fake Instagram content publishing (Graph API host): containers, status, media_publish, quota.

Faithful to platform-contracts.md §3: a container starts IN_PROGRESS and turns FINISHED after
``instagram.image_polls``/``video_polls`` status reads (or ERROR, with a reason, when a
``container_error`` fault is queued); ``media_publish`` refuses an unfinished container (9007 /
2207027) and a used-up quota (9 / 2207042); the fake downloads ``image_url``/``video_url`` and
answers 9004 / 2207052 when it cannot, 36001 / 2207005 when an image is not a JPEG.
Ids: IG users 1784…, containers 1789…, published media 1790….
"""

from __future__ import annotations

import time
from typing import Any

from publishing.fakes import media, metrics
from publishing.fakes.core import FakePlatforms, Request, Response, route
from publishing.fakes.meta import GRAPH, auth, cursor_page, decorate, error, graph_time, meta_error

REASONS = {
    2207026: "The video format is not supported. Please check spec for supported format",
    2207003: "It took too long to download the media",
    2207053: "An unknown error occurred during the upload",
    2207005: "The image format is not supported",
}


def install(fake: FakePlatforms) -> None:
    fake.errors["instagram"] = error
    fake.decorators["instagram"] = decorate
    containers = lambda: fake.objects("instagram")  # noqa: E731 - the store is replaced on reset

    @route(fake, "POST", GRAPH + r"/(?P<user>\d+)/media$", "instagram", "media")
    def create(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        kind = request.arg("media_type", "IMAGE").upper()
        caption = request.arg("caption")
        if len(caption) > 2200:
            return meta_error(36004, "The caption is too long.", subcode=2207010)
        children: list[str] = []
        urls: list[str] = []
        if kind == "CAROUSEL":
            children = [c for c in request.arg("children").split(",") if c]
            if not 2 <= len(children) <= 10:
                return meta_error(100, "The carousel must have between 2 and 10 items.", subcode=2207028)
            for child in children:
                found = containers().get(child)
                if not found or _status(fake, found, read=False) != "FINISHED":
                    return meta_error(9007, "Media ID is not available", subcode=2207027)
                urls += found["urls"]
        else:
            url = (
                request.arg("video_url")
                if kind in ("REELS", "VIDEO") or request.arg("video_url")
                else request.arg("image_url")
            )
            if not url:
                return meta_error(100, "The parameter image_url or video_url is required.")
            fetched = media.fetch(url, fake.config["fetch_timeout"])
            if not fetched.ok:
                return meta_error(9004, f"The media could not be fetched from this uri: {url}", subcode=2207052)
            if url == request.arg("image_url"):
                if not fetched.is_jpeg:
                    return meta_error(36001, "The image format is not supported.", subcode=2207005)
                if len(fetched.data) > 8 * 1024 * 1024:
                    return meta_error(36000, "The image size is too large.", subcode=2207004)
            urls = [url]
        fault = fake.take_fault("instagram", "media", {"container_error"})
        video = kind in ("REELS", "VIDEO") or bool(request.arg("video_url"))
        container_id = f"1789{fake.next_id():011d}"
        containers()[container_id] = {
            "id": container_id,
            "user": match["user"],
            "kind": kind,
            "caption": caption,
            "urls": urls,
            "children": children,
            "carousel_item": request.arg("is_carousel_item") == "true",
            "polls_left": fake.config["instagram.video_polls" if video else "instagram.image_polls"],
            "error": _reason(fault.params) if fault else "",
            "published": False,
        }
        return Response(200, {"id": container_id})

    @route(fake, "GET", GRAPH + r"/(?P<id>1789\d+)$", "instagram", "status")
    def status(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        found = containers().get(match["id"])
        if not found:
            return meta_error(
                100, f"Unsupported get request. Object with ID '{match['id']}' does not exist.", subcode=33
            )
        code = _status(fake, found, read=True)
        text = (
            found["error"]
            if code == "ERROR"
            else {"PUBLISHED": "Published.", "FINISHED": "Finished."}.get(code, "In progress.")
        )
        return Response(200, {"id": found["id"], "status_code": code, "status": text})

    @route(fake, "POST", GRAPH + r"/(?P<user>\d+)/media_publish$", "instagram", "media_publish")
    def publish(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        found = containers().get(request.arg("creation_id"))
        if not found or found["user"] != match["user"] or found["carousel_item"]:
            return meta_error(100, "Invalid parameter: creation_id", subcode=2207001 if found else None)
        code = _status(fake, found, read=False)
        if code == "IN_PROGRESS":
            return meta_error(
                9007, "Media ID is not available: the media is not ready for publishing.", subcode=2207027
            )
        if code == "ERROR":
            return meta_error(-1, "An unknown error occurred during the upload.", subcode=2207053)
        if code == "PUBLISHED":
            return meta_error(100, "This media has already been published.")
        if _used(fake, match["user"]) >= fake.config["instagram.quota_total"]:
            return meta_error(9, "Application request limit reached", subcode=2207042)
        media_id = f"1790{fake.next_id():011d}"
        found["published"] = True
        entry = fake.record(
            request,
            "instagram",
            account=match["user"],
            external_id=media_id,
            text=found["caption"],
            media_urls=found["urls"],
            kind=found["kind"],
            container_id=found["id"],
            url=f"{request.base_url}/instagram-web/p/{media_id}/",
        )
        fake.objects("instagram_media")[media_id] = entry
        return Response(200, {"id": media_id})

    @route(fake, "GET", GRAPH + r"/(?P<id>1790\d+)$", "instagram", "read")
    def media_object(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        entry = fake.objects("instagram_media").get(match["id"])
        if not entry:
            return meta_error(100, f"Object with ID '{match['id']}' does not exist.", subcode=33)
        return Response(200, _media(entry))

    @route(fake, "GET", GRAPH + r"/(?P<user>\d+)/media$", "instagram", "read")
    def media_list(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        return cursor_page(request, fake.ledger("instagram", account=match["user"]), _media)

    @route(fake, "GET", GRAPH + r"/(?P<user>\d+)/content_publishing_limit$", "instagram", "limit")
    def limit(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        config = {
            "quota_total": fake.config["instagram.quota_total"],
            "quota_duration": fake.config["instagram.quota_duration"],
        }
        return Response(200, {"data": [{"quota_usage": _used(fake, match["user"]), "config": config}]})

    @route(fake, "GET", GRAPH + r"/(?P<user>1784\d+)$", "instagram", "read")
    def user(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        return Response(
            200, {"id": match["user"], "username": "bellabakery" if match["user"] == "17841400001" else "demo"}
        )

    install_insights(fake)


# Insights (platform-contracts.md §11) ---------------------------------------------------------------
# What each media product type reports (Instagram Graph API, 2025: "views" replaced impressions and
# plays; asking for those answers an invalid-metric error, asking a type for a metric it does not
# report answers "does not support the … metric for this media product type").
IG_METRICS = {
    "FEED": {"reach", "likes", "comments", "saved", "shares", "views", "total_interactions"},
    "REELS": {"reach", "likes", "comments", "saved", "shares", "views", "total_interactions",
              "ig_reels_avg_watch_time"},
    "STORY": {"reach", "views", "shares", "replies", "total_interactions", "navigation"},
}  # fmt: skip
IG_KNOWN = set().union(*IG_METRICS.values())


def _product_type(entry: dict[str, Any]) -> str:
    kind = entry.get("kind", "IMAGE")
    return "STORY" if kind == "STORIES" else "REELS" if kind in ("REELS", "VIDEO") else "FEED"


def _metric_value(name: str, entry: dict[str, Any]) -> int:
    figures = metrics.post_figures(entry["external_id"], metrics.age(entry))
    values = {
        "reach": figures.reach,
        "likes": figures.likes,
        "comments": figures.comments,
        "saved": figures.saves,
        "shares": figures.shares,
        "views": figures.impressions,
        "replies": figures.comments,
        "navigation": figures.clicks,
        "ig_reels_avg_watch_time": 4200 + figures.video_views % 9000,
    }
    if name == "total_interactions":
        return figures.likes + figures.comments + figures.saves + figures.shares
    return values[name]


def install_insights(fake: FakePlatforms) -> None:
    """Media insights and the account's followers."""

    @metrics.insights_route(fake, "GET", GRAPH + r"/(?P<media>1790\d+)/insights$", "instagram")
    def media_insights(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        if metrics.missing_permission(fake, request, "instagram_manage_insights"):
            return meta_error(10, "(#10) Application does not have permission for this action")
        entry = fake.objects("instagram_media").get(match["media"])
        if not entry:
            return meta_error(100, f"Object with ID '{match['media']}' does not exist.", subcode=33)
        names = [m for m in request.arg("metric").split(",") if m]
        for index, name in enumerate(names):
            if name not in IG_KNOWN:
                return meta_error(
                    100, f"(#100) metric[{index}] must be one of the following values: {', '.join(sorted(IG_KNOWN))}"
                )
        kind = _product_type(entry)
        for name in names:
            if name not in IG_METRICS[kind]:
                said = f"(#100) The Media Insights API does not support the {name} metric for this media product type."
                return meta_error(100, said)
        data = [
            {"name": name, "period": "lifetime", "values": [{"value": _metric_value(name, entry)}],
             "title": name.replace("_", " ").title(), "id": f"{match['media']}/insights/{name}/lifetime"}
            for name in names
        ]  # fmt: skip
        return Response(200, {"data": data})

    @metrics.fields_route(fake, GRAPH + r"/(?P<user>1784\d+)$", "instagram", "followers_count")
    def account(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, "instagram")
        media_count = len(fake.ledger("instagram", account=match["user"]))
        return Response(
            200,
            {"id": match["user"], "followers_count": metrics.followers(match["user"]), "media_count": media_count},
        )


def _status(fake: FakePlatforms, container: dict[str, Any], *, read: bool) -> str:
    """IN_PROGRESS while polls are left (each read uses one), then ERROR or FINISHED; PUBLISHED after publish."""
    if container["published"]:
        return "PUBLISHED"
    if container["polls_left"] > 0:
        if read:
            container["polls_left"] -= 1
        return "IN_PROGRESS"
    return "ERROR" if container["error"] else "FINISHED"


def _reason(params: dict[str, Any]) -> str:
    subcode = int(params.get("subcode", 2207026))
    return f"Error: {params.get('message') or REASONS.get(subcode, 'Media processing failed')} ({subcode})"


def _used(fake: FakePlatforms, user: str) -> int:
    since = time.time() - fake.config["instagram.quota_duration"]
    return sum(1 for e in fake.ledger("instagram", account=user) if e["received"] >= since)


def _media(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry["external_id"],
        "caption": entry["text"],
        "permalink": entry["url"],
        "timestamp": graph_time(entry["received"]),
    }
