"""LinkedIn posts through the REST API (platform-contracts.md §5).

Contract kept here:
- ``account.external_id`` is the author URN (``urn:li:organization:…`` or ``urn:li:person:…``);
  every call sends ``Authorization: Bearer``, ``LinkedIn-Version`` (settings.LINKEDIN_VERSION)
  and ``X-Restli-Protocol-Version: 2.0.0``.
- Images: ``POST /rest/images?action=initializeUpload`` → ``uploadUrl`` + image URN, then the
  bytes are PUT to ``uploadUrl``; each URN is checkpointed (``images``) once its bytes are up.
- ``POST /rest/posts`` answers 201 with an EMPTY body: the post URN is the ``x-restli-id`` header.
- Commentary is "little text": reserved characters are escaped (else LinkedIn silently cuts
  the text there) and ``#tag`` becomes a real hashtag.
- ``verify`` lists the author's posts newest first (``sortBy=CREATED``, ``start``/``count`` paging)
  back to the attempt's window and recognises our commentary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

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
from publishing.connectors.http import HTTPConnector, PlatformHTTP, Progress, parse_time, read_bytes, search_window
from publishing.connectors.insights.linkedin import LinkedInInsights

RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
HASHTAG = re.compile(r"(?<![\w#])#(\w+)")


def escape_commentary(text: str) -> str:
    """LinkedIn little text: backslash-escape ``\\ | { } @ [ ] ( ) < > # * _ ~``; keep hashtags as hashtags."""
    parts = []
    last = 0
    for match in HASHTAG.finditer(text):
        parts.append(RESERVED.sub(r"\\\1", text[last : match.start()]))
        parts.append("{hashtag|\\#|" + RESERVED.sub(r"\\\1", match.group(1)) + "}")
        last = match.end()
    parts.append(RESERVED.sub(r"\\\1", text[last:]))
    return "".join(parts)


class LinkedInConnector(LinkedInInsights, HTTPConnector):
    platform = "linkedin"
    url_key = "linkedin_api"

    def auth_headers(self, account: Account) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {account.token}",
            "LinkedIn-Version": settings.LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def attempt(self, request: PublishRequest, progress: Progress) -> PublishResult:
        http = self.http(request.account)
        author = request.account.external_id
        if any(m.kind != "image" for m in request.media):
            raise PlatformError(
                ErrorKind.REJECTED,
                "LocalBzz posts text and photos to LinkedIn: remove the video.",
                platform=self.platform,
            )
        images = list(progress.get("images", []))
        for item in request.media[len(images) :]:
            data = http.json(
                "POST",
                "rest/images",
                params={"action": "initializeUpload"},
                media=[item],
                json={"initializeUploadRequest": {"owner": author}},
            )
            value = data.get("value") or {}
            http.call("PUT", value["uploadUrl"], media=[item], data=read_bytes(http, item))
            images.append(value["image"])
            progress.save(images=images)
        body: dict[str, Any] = {
            "author": author,
            "commentary": escape_commentary(request.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        alts = [m.alt_text for m in request.media]
        if len(images) == 1:
            body["content"] = {"media": {"id": images[0], "altText": alts[0]}}
        elif images:
            body["content"] = {
                "multiImage": {"images": [{"id": i, "altText": a} for i, a in zip(images, alts, strict=False)]}
            }
        elif request.link:
            body["content"] = {"article": {"source": request.link, "title": request.link}}
        response = http.call("POST", "rest/posts", target=request.target_id, json=body)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise PlatformError(
                ErrorKind.UNKNOWN_OUTCOME,
                "LinkedIn accepted the post but sent no id: checking whether it is live.",
                platform=self.platform,
            )
        return self._result(http, urn)

    def verify(
        self, request: PublishRequest, checkpoint: dict[str, Any], window: Window | None = None
    ) -> PublishResult | None:
        """Our commentary among the author's posts, newest first (``sortBy=CREATED``), read 100 at a
        time (``start``/``count``) until past ``window.since`` (LinkedIn has no time filter)."""
        window = window or Window.last()
        http = self.http(request.account)
        count = 100

        def pages() -> Iterator[list[dict[str, Any]]]:
            start = 0
            while True:
                params = {"q": "author", "author": request.account.external_id, "count": count, "start": start,
                          "sortBy": "CREATED"}  # fmt: skip
                data = http.json("GET", "rest/posts", params=params)
                elements = [e for e in data.get("elements") or [] if isinstance(e, dict)]
                yield elements
                links = (data.get("paging") or {}).get("links") or []
                if not elements or (len(elements) < count and not any(li.get("rel") == "next" for li in links)):
                    return
                start += len(elements)

        wanted = escape_commentary(request.text)
        found = search_window(
            self.platform,
            pages(),
            window,
            created=lambda post: parse_time(post.get("createdAt") or post.get("publishedAt")),
            matches=lambda post: post.get("commentary") == wanted,
            ident=lambda post: str(post.get("id")),
        )
        return self._result(http, found["id"]) if found else None

    def check_account(self, account: Account) -> AccountCheck:
        http = self.http(account)
        if account.external_id.startswith("urn:li:organization:"):
            org_id = account.external_id.rsplit(":", 1)[-1]
            return self.check_with(lambda: http.json("GET", f"rest/organizations/{org_id}").get("localizedName", ""))
        return self.check_with(lambda: http.json("GET", "v2/userinfo").get("name", ""))

    def _result(self, http: PlatformHTTP, urn: str) -> PublishResult:
        url = f"{settings.PLATFORM_URLS['linkedin_web']}/feed/update/{quote(urn, safe=':')}"
        return http.result(state="published", external_id=urn, url=url)
