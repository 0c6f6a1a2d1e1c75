"""X (Twitter) API v2 (platform-contracts.md §6).

Contract kept here:
- ``account.external_id`` is the X user id; ``account.token`` a user-context OAuth 2 bearer token.
- Images: ``POST /2/media/upload`` (multipart ``media`` + ``media_category=tweet_image``) →
  ``{"data": {"id", "processing_info"?}}``; when ``processing_info`` is present its state is
  polled (``GET /2/media/upload?command=STATUS&media_id=…``, following ``check_after_secs``
  within the settings' bounds) until ``succeeded`` or ``failed``. Media ids are checkpointed
  (``media_ids``) one by one.
- ``POST /2/tweets`` ``{"text", "media": {"media_ids"}}`` → 201 ``{"data": {"id", "text"}}``.
- The 280 weighted characters and the 4-image cap are validated by the engine, not here.
- ``verify`` reads the user's posts since the attempt's window began (``start_time``, paged with
  ``pagination_token``) and recognises our text (links compared as links: X rewrites them to t.co).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
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
from publishing.connectors.http import (
    HTTPConnector,
    PlatformHTTP,
    Progress,
    parse_time,
    poll,
    read_bytes,
    same_text,
    search_window,
)
from publishing.connectors.insights.x import XInsights

LINK = re.compile(r"https?://\S+")


class XConnector(XInsights, HTTPConnector):
    platform = "x"
    url_key = "x_api"

    def attempt(self, request: PublishRequest, progress: Progress) -> PublishResult:
        http = self.http(request.account)
        if any(m.kind != "image" for m in request.media):
            raise PlatformError(
                ErrorKind.REJECTED, "LocalBzz posts text and photos to X: remove the video.", platform=self.platform
            )
        media_ids = list(progress.get("media_ids", []))
        for item in request.media[len(media_ids) :]:
            media_ids.append(self._upload(http, item))
            progress.save(media_ids=media_ids)
        body: dict[str, Any] = {"text": request.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        data = http.json("POST", "2/tweets", target=request.target_id, json=body).get("data") or {}
        return self._result(http, str(data["id"]))

    def verify(
        self, request: PublishRequest, checkpoint: dict[str, Any], window: Window | None = None
    ) -> PublishResult | None:
        """Our text among the user's posts since ``window.since`` (``start_time``, 100 a page,
        ``pagination_token`` from ``meta.next_token``). X shows links as t.co links: they match any link."""
        window = window or Window.last()
        http = self.http(request.account)
        path = f"2/users/{request.account.external_id}/tweets"
        params = {
            "start_time": window.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "max_results": 100,
            "tweet.fields": "created_at",
        }

        def pages() -> Iterator[list[dict[str, Any]]]:
            query = dict(params)
            while True:
                data = http.json("GET", path, params=query)
                yield [t for t in data.get("data") or [] if isinstance(t, dict)]
                token = (data.get("meta") or {}).get("next_token")
                if not token:
                    return
                query = {**params, "pagination_token": token}

        wanted = _without_links(request.text)
        found = search_window(
            self.platform,
            pages(),
            window,
            created=lambda tweet: parse_time(tweet.get("created_at")),
            matches=lambda tweet: same_text(_without_links(tweet.get("text", "")), wanted),
            ident=lambda tweet: str(tweet.get("id")),
        )
        return self._result(http, str(found["id"])) if found else None

    def check_account(self, account: Account) -> AccountCheck:
        http = self.http(account)
        return self.check_with(lambda: "@" + str((http.json("GET", "2/users/me").get("data") or {}).get("username")))

    def _upload(self, http: PlatformHTTP, item) -> str:
        data = (
            http.json(
                "POST",
                "2/media/upload",
                media=[item],
                data={"media_category": "tweet_image"},
                files={"media": (item.filename, read_bytes(http, item), item.mime)},
            ).get("data")
            or {}
        )
        media_id = str(data["id"])
        info = data.get("processing_info")
        if info and info.get("state") not in ("succeeded", "failed"):
            info = poll(
                lambda: (
                    (
                        http.json("GET", "2/media/upload", params={"command": "STATUS", "media_id": media_id}).get(
                            "data"
                        )
                        or {}
                    ).get("processing_info")
                    or {"state": "succeeded"}
                ),
                lambda i: i.get("state") in ("succeeded", "failed"),
                wait_hint=lambda i: i.get("check_after_secs"),
            )
        if info and info.get("state") == "failed":
            reason = (info.get("error") or {}).get("message") or "processing failed"
            raise PlatformError(
                ErrorKind.REJECTED,
                f"X could not process {item.filename} ({reason}): use a JPEG or PNG under 5 MB.",
                platform=self.platform,
            )
        if info and info.get("state") != "succeeded":
            raise PlatformError(
                ErrorKind.RETRYABLE,
                f"X was still processing {item.filename}.",
                platform=self.platform,
            )
        return media_id

    def _result(self, http: PlatformHTTP, tweet_id: str) -> PublishResult:
        return http.result(
            state="published", external_id=tweet_id, url=f"{settings.PLATFORM_URLS['x_web']}/i/web/status/{tweet_id}"
        )


def _without_links(text: str) -> str:
    return LINK.sub("<link>", text or "")
