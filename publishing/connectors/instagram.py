"""Instagram content publishing through the Graph API (platform-contracts.md §2–3).

Contract kept here:
- ``account.external_id`` is the Instagram business account id; ``account.token`` the token of
  its linked Facebook page.
- Before any container is created (or a checkpointed one published) the account's
  ``content_publishing_limit`` is read; a used-up quota raises RATE_LIMITED and creates nothing.
- Containers: image (``image_url``, ``caption``, ``alt_text``), reel (``media_type=REELS``,
  ``video_url``), story (``media_type=STORIES``), carousel (2–10 children with
  ``is_carousel_item=true``, then ``media_type=CAROUSEL`` with ``children``). Every container id is
  checkpointed the moment it exists (``children``, ``container_id``), so a retry reuses it.
- The container's ``status_code`` is polled (bounded by settings) until FINISHED, then
  ``media_publish`` (``creation_id``) publishes it; the media id is checkpointed (``media_id``)
  and its ``permalink`` becomes the result's url.
- ERROR/EXPIRED containers fail with Instagram's reason and are dropped from the checkpoint (a
  retry needs a new one); so are containers Instagram calls expired or failed (2207020, 2207053).
- ``verify`` re-reads the container: PUBLISHED means done (answers the post), anything else
  means it did not go out (None). It never publishes.
"""

from __future__ import annotations

from typing import Any

from publishing.connectors import errors
from publishing.connectors.base import (
    Account,
    AccountCheck,
    ErrorKind,
    MediaItem,
    PlatformError,
    PublishRequest,
    PublishResult,
    Quota,
    Window,
)
from publishing.connectors.facebook import graph_pages, graph_window
from publishing.connectors.http import HTTPConnector, PlatformHTTP, Progress, parse_time, poll, same_text, search_window
from publishing.connectors.insights.instagram import InstagramInsights

IN_PROGRESS, FINISHED, PUBLISHED = "IN_PROGRESS", "FINISHED", "PUBLISHED"
DEAD = {"ERROR", "EXPIRED"}


class InstagramConnector(InstagramInsights, HTTPConnector):
    platform = "instagram"
    url_key = "facebook_graph"

    def auth_headers(self, account: Account) -> dict[str, str]:
        return {"Authorization": f"OAuth {account.token}"}

    def attempt(self, request: PublishRequest, progress: Progress) -> PublishResult:
        http = self.http(request.account)
        user = request.account.external_id
        if progress.get("media_id"):
            return self._published(http, progress.get("media_id"))
        container = progress.get("container_id")
        if container:
            try:
                status = self._status(http, container)
            except PlatformError as error:
                if error.code != 100:
                    raise
                progress.drop("container_id", "children")  # gone (containers live 24 h): start again
                raise PlatformError(
                    ErrorKind.RETRYABLE,
                    "The earlier Instagram upload was gone (Instagram keeps them 24 hours).",
                    platform=self.platform,
                ) from error
            if status["status_code"] == PUBLISHED:
                return self._published_container(http, request, progress)
            if status["status_code"] in DEAD:
                progress.drop("container_id", "children")
                raise errors.instagram_container_error(status.get("status", ""), request.media)
        self._require_quota(http, user)
        if not container:
            container = self._create(http, request, progress)
        status = poll(lambda: self._status(http, container), lambda s: s["status_code"] != IN_PROGRESS)
        code = status["status_code"]
        if code == IN_PROGRESS:
            raise PlatformError(
                ErrorKind.RETRYABLE,
                "Instagram was still processing the media.",
                platform=self.platform,
            )
        if code in DEAD:
            progress.drop("container_id", "children")
            raise errors.instagram_container_error(status.get("status", ""), request.media)
        if code == PUBLISHED:
            return self._published_container(http, request, progress)
        try:
            data = http.json("POST", f"{user}/media_publish", target=request.target_id, data={"creation_id": container})
        except PlatformError as error:
            if errors.needs_new_container(error):
                progress.drop("container_id", "children")
            raise
        progress.save(media_id=str(data["id"]))
        return self._published(http, str(data["id"]))

    def verify(
        self, request: PublishRequest, checkpoint: dict[str, Any], window: Window | None = None
    ) -> PublishResult | None:
        """PUBLISHED container (or a checkpointed media id) → the post; any other state → None."""
        http = self.http(request.account)
        if checkpoint.get("media_id"):
            return self._published(http, checkpoint["media_id"])
        container = checkpoint.get("container_id")
        if not container:
            return None  # nothing can be published without a container we would have checkpointed
        if self._status(http, container)["status_code"] != PUBLISHED:
            return None
        return self._published_container(http, request, Progress(request, checkpoint), window)

    def check_account(self, account: Account) -> AccountCheck:
        http = self.http(account)
        return self.check_with(
            lambda: "@" + str(http.json("GET", account.external_id, params={"fields": "id,username"}).get("username"))
        )

    def quota(self, account: Account) -> Quota:
        """The account's publishing quota as Instagram states it (never assumed)."""
        return self._quota(self.http(account), account.external_id)

    # Steps ----------------------------------------------------------------------------------------

    def _quota(self, http: PlatformHTTP, user: str) -> Quota:
        data = http.json("GET", f"{user}/content_publishing_limit", params={"fields": "quota_usage,config"})
        entry = (data.get("data") or [{}])[0]
        config = entry.get("config") or {}
        return Quota(
            used=int(entry.get("quota_usage") or 0),
            total=int(config.get("quota_total") or 0),
            window_seconds=int(config.get("quota_duration") or 86400),
        )

    def _require_quota(self, http: PlatformHTTP, user: str) -> None:
        quota = self._quota(http, user)
        if quota.total and quota.remaining <= 0:
            raise PlatformError(
                ErrorKind.RATE_LIMITED,
                f"This Instagram account used its {quota.total} posts of the last 24 hours; it will go out when "
                "the limit frees up.",
                platform=self.platform,
                retry_after=errors.IG_DAILY_LIMIT_WAIT,
                code=9,
                subcode=2207042,
            )

    def _create(self, http: PlatformHTTP, request: PublishRequest, progress: Progress) -> str:
        user = request.account.external_id
        media = request.media
        if not media:
            raise PlatformError(
                ErrorKind.REJECTED, "Instagram posts need a photo or a video: add one.", platform=self.platform
            )
        if request.placement == "story":
            fields = {"media_type": "STORIES", **_source(media[0])}
        elif request.placement == "reel" or (len(media) == 1 and media[0].kind == "video"):
            fields = {
                "media_type": "REELS",
                "video_url": media[0].url,
                "caption": request.text,
                "share_to_feed": "true",
            }
        elif len(media) == 1:
            fields = {"image_url": media[0].url, "caption": request.text}
            if media[0].alt_text:
                fields["alt_text"] = media[0].alt_text[:1000]
        else:
            fields = {
                "media_type": "CAROUSEL",
                "caption": request.text,
                "children": self._children(http, request, progress),
            }
        data = http.json("POST", f"{user}/media", media=media, data=fields)
        container = str(data["id"])
        progress.save(container_id=container)
        return container

    def _children(self, http: PlatformHTTP, request: PublishRequest, progress: Progress) -> str:
        """Carousel items, each checkpointed as soon as it exists, each FINISHED before the parent."""
        user = request.account.external_id
        children = list(progress.get("children", []))
        for item in request.media[len(children) :]:
            fields = {"is_carousel_item": "true", **_source(item)}
            if item.kind == "video":
                fields["media_type"] = "VIDEO"
            data = http.json("POST", f"{user}/media", media=[item], data=fields)
            children.append(str(data["id"]))
            progress.save(children=children)
        for child, item in zip(children, request.media, strict=False):
            status = poll(lambda c=child: self._status(http, c), lambda s: s["status_code"] != IN_PROGRESS)
            if status["status_code"] in DEAD:
                progress.drop("children")
                raise errors.instagram_container_error(status.get("status", ""), [item])
            if status["status_code"] == IN_PROGRESS:
                raise PlatformError(
                    ErrorKind.RETRYABLE, f"Instagram is still processing {item.filename}.", platform=self.platform
                )
        return ",".join(children)

    def _status(self, http: PlatformHTTP, container: str) -> dict[str, Any]:
        return http.json("GET", container, params={"fields": "status_code,status"})

    def _published_container(
        self, http: PlatformHTTP, request: PublishRequest, progress: Progress, window: Window | None = None
    ) -> PublishResult:
        """The container says PUBLISHED: find the media it became among what the account published in
        ``window`` (``since``/``until``, cursor paging), by caption."""
        window = window or Window.last()
        params = {"fields": "id,caption,permalink,timestamp", **graph_window(window)}
        item = search_window(
            self.platform,
            graph_pages(http, f"{request.account.external_id}/media", params),
            window,
            created=lambda media: parse_time(media.get("timestamp")),
            matches=lambda media: same_text(media.get("caption", ""), request.text),
            ident=lambda media: str(media.get("id")),
        )
        if item:
            progress.save(media_id=str(item["id"]))
            return http.result(
                state="published",
                external_id=str(item["id"]),
                url=item.get("permalink", ""),
                checkpoint=dict(progress.data),
            )
        return http.result(
            state="published", detail=f"Instagram says container {progress.get('container_id')} is published."
        )

    def _published(self, http: PlatformHTTP, media_id: str) -> PublishResult:
        data = http.json("GET", media_id, params={"fields": "id,permalink"})
        return http.result(state="published", external_id=media_id, url=data.get("permalink", ""))


def _source(item: MediaItem) -> dict[str, str]:
    return {"video_url": item.url} if item.kind == "video" else {"image_url": item.url}
