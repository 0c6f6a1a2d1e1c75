"""Facebook Pages through the Graph API (platform-contracts.md §1–2).

Contract kept here:
- ``account.external_id`` is the page id, ``account.token`` a Page access token (sent in the
  ``Authorization`` header, never in a URL).
- Text/link: ``POST /{page}/feed`` (``message``, ``link``) → ``{"id": "<page>_<post>"}``.
- One photo: ``POST /{page}/photos`` (``url``, ``message``) → ``{"id", "post_id"}``.
- Several photos: each ``POST /{page}/photos`` with ``published=false`` (ids checkpointed as
  ``photo_ids`` one by one, so a retry never uploads a photo twice), then ``POST /{page}/feed``
  with ``attached_media[i]={"media_fbid": id}``.
- Video: ``POST <graph-video>/{page}/videos`` (``file_url``, ``description``) → ``{"id"}``.
- ``verify`` reads everything the page published in the attempt's window (``published_posts`` or
  ``videos`` with ``since``/``until``, 100 a page, cursor paging) and recognises our text; Facebook
  has no idempotency key, so this is the only way to learn whether a lost answer published.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from publishing.connectors.base import (
    Account,
    AccountCheck,
    ErrorKind,
    PlatformError,
    PublishRequest,
    PublishResult,
    Window,
)
from publishing.connectors.http import HTTPConnector, PlatformHTTP, Progress, parse_time, same_text, search_window
from publishing.connectors.insights.facebook import FacebookInsights


class FacebookConnector(FacebookInsights, HTTPConnector):
    platform = "facebook"
    url_key = "facebook_graph"

    def auth_headers(self, account: Account) -> dict[str, str]:
        return {"Authorization": f"OAuth {account.token}"}

    def attempt(self, request: PublishRequest, progress: Progress) -> PublishResult:
        http = self.http(request.account)
        page = _page_id(request.account)
        images = [m for m in request.media if m.kind == "image"]
        videos = [m for m in request.media if m.kind == "video"]
        if request.placement == "story":
            raise PlatformError(
                ErrorKind.REJECTED,
                "LocalBzz does not publish Facebook stories: use the feed.",
                platform=self.platform,
            )
        if videos and (images or len(videos) > 1):
            raise PlatformError(
                ErrorKind.REJECTED,
                "A Facebook post carries one video alone: split the photos and the video into two posts.",
                platform=self.platform,
            )
        if videos:
            data = http.json(
                "POST",
                f"{page}/videos",
                key="facebook_graph_video",
                target=request.target_id,
                media=videos,
                data={"file_url": videos[0].url, "description": _message(request)},
            )
            return self._result(http, str(data["id"]))
        if len(images) == 1:
            data = http.json(
                "POST",
                f"{page}/photos",
                target=request.target_id,
                media=images,
                data={"url": images[0].url, "message": _message(request), "published": "true"},
            )
            return self._result(http, str(data.get("post_id") or data["id"]))
        fields: dict[str, str] = {"message": request.text}
        if request.link:
            fields["link"] = request.link
        if images:
            photo_ids = list(progress.get("photo_ids", []))
            for item in images[len(photo_ids) :]:
                data = http.json("POST", f"{page}/photos", media=[item], data={"url": item.url, "published": "false"})
                photo_ids.append(str(data["id"]))
                progress.save(photo_ids=photo_ids)
            fields.pop("link", None)
            fields["message"] = _message(request)
            for index, photo_id in enumerate(photo_ids):
                fields[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
        data = http.json("POST", f"{page}/feed", target=request.target_id, link=request.link, data=fields)
        return self._result(http, str(data["id"]))

    def verify(
        self, request: PublishRequest, checkpoint: dict[str, Any], window: Window | None = None
    ) -> PublishResult | None:
        """Our text among everything the page published in ``window`` (videos: among its videos),
        read with ``since``/``until`` and followed page by page."""
        window = window or Window.last()
        http = self.http(request.account)
        video = any(m.kind == "video" for m in request.media)
        edge, text_field = ("videos", "description") if video else ("published_posts", "message")
        params = {"fields": f"id,{text_field},created_time", **graph_window(window)}
        found = search_window(
            self.platform,
            graph_pages(http, f"{_page_id(request.account)}/{edge}", params),
            window,
            created=lambda item: parse_time(item.get("created_time")),
            matches=lambda item: same_text(item.get(text_field, ""), _message(request)),
            ident=lambda item: str(item.get("id")),
        )
        return self._result(http, str(found["id"])) if found else None

    def check_account(self, account: Account) -> AccountCheck:
        http = self.http(account)
        return self.check_with(lambda: f"{http.json('GET', 'me', params={'fields': 'id,name'}).get('name')} (page)")

    def _result(self, http: PlatformHTTP, post_id: str) -> PublishResult:
        return http.result(
            state="published", external_id=post_id, url=f"{settings.PLATFORM_URLS['facebook_web']}/{post_id}"
        )


def graph_window(window: Window) -> dict[str, Any]:
    """Graph API edge parameters for a time window: ``since``/``until`` in unix seconds, 100 a page."""
    return {"since": int(window.since.timestamp()), "until": int(window.until.timestamp()) + 1, "limit": 100}


def graph_pages(http: PlatformHTTP, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The pages of a Graph API edge: ``data`` of each, following ``paging.cursors.after`` while
    ``paging.next`` says more remain (the cursor goes back with OUR parameters and headers: the
    ``next`` URL itself is never followed, so no token rides in a URL)."""
    while True:
        data = http.json("GET", path, params=params)
        yield [item for item in data.get("data") or [] if isinstance(item, dict)]
        paging = data.get("paging") or {}
        after = (paging.get("cursors") or {}).get("after")
        if not paging.get("next") or not after:
            return
        params = {**params, "after": after}


def _page_id(account: Account) -> str:
    return str(account.extra.get("page_id") or account.external_id)


def _message(request: PublishRequest) -> str:
    """Photo and video posts carry no link field: the link goes at the end of the text."""
    if request.link and request.media and request.link not in request.text:
        return f"{request.text}\n\n{request.link}".strip()
    return request.text
