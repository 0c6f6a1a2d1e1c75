"""Google Business Profile local posts (platform-contracts.md §7).

Contract kept here:
- ``account.external_id`` is ``accounts/{a}/locations/{l}``; ``account.token`` an OAuth bearer.
- ``POST /{location}/localPosts`` with a STANDARD post: ``summary``, ``languageCode``
  (``account.extra["language"]``, default ``en``), one photo by ``sourceUrl``, and the call to
  action (``CALL`` takes no url). The answer's ``name`` is checkpointed at once.
- HTTP 200 is not "live": the post's ``state`` is re-read (bounded polling). LIVE → published
  (url = ``searchUrl``); PROCESSING → result state ``processing`` (call ``verify`` later, it
  re-reads); REJECTED → PlatformError(REJECTED).
- ``verify`` re-reads the checkpointed post, or looks for our summary among the location's posts
  of the attempt's window (newest first, ``pageToken`` paging).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
    same_text,
    search_window,
)
from publishing.connectors.insights.google_business import GoogleBusinessInsights

PROCESSING, LIVE, REJECTED = "PROCESSING", "LIVE", "REJECTED"


class GoogleBusinessConnector(GoogleBusinessInsights, HTTPConnector):
    platform = "google_business"
    url_key = "google_business"

    def attempt(self, request: PublishRequest, progress: Progress) -> PublishResult:
        http = self.http(request.account)
        name = progress.get("name")
        if name:
            post = http.json("GET", name)
        else:
            post = self._create(http, request, progress)
        return self._outcome(http, post)

    def verify(
        self, request: PublishRequest, checkpoint: dict[str, Any], window: Window | None = None
    ) -> PublishResult | None:
        """The checkpointed post re-read; without one, our summary among the location's posts,
        newest first, 100 a page (``pageToken`` ↔ ``nextPageToken``) back to ``window.since``."""
        window = window or Window.last()
        http = self.http(request.account)
        if checkpoint.get("name"):
            return self._outcome(http, http.json("GET", checkpoint["name"]))

        def pages() -> Iterator[list[dict[str, Any]]]:
            params: dict[str, Any] = {"pageSize": 100}
            while True:
                data = http.json("GET", f"{request.account.external_id}/localPosts", params=params)
                yield [p for p in data.get("localPosts") or [] if isinstance(p, dict)]
                if not data.get("nextPageToken"):
                    return
                params = {"pageSize": 100, "pageToken": data["nextPageToken"]}

        found = search_window(
            self.platform,
            pages(),
            window,
            created=lambda post: parse_time(post.get("createTime")),
            matches=lambda post: same_text(post.get("summary", ""), request.text),
            ident=lambda post: str(post.get("name")),
        )
        return self._outcome(http, found) if found else None

    def check_account(self, account: Account) -> AccountCheck:
        http = self.http(account)

        def who() -> str:
            http.json("GET", f"{account.external_id}/localPosts", params={"pageSize": 1})
            return account.name or account.external_id

        return self.check_with(who)

    def _create(self, http: PlatformHTTP, request: PublishRequest, progress: Progress) -> dict[str, Any]:
        photos = [m for m in request.media if m.kind == "image"]
        if len(photos) != len(request.media) or len(photos) > 1:
            raise PlatformError(
                ErrorKind.REJECTED,
                "A Google Business Profile post takes one photo and no video: keep a single photo.",
                platform=self.platform,
            )
        body: dict[str, Any] = {
            "languageCode": request.account.extra.get("language", "en"),
            "summary": request.text,
            "topicType": "STANDARD",
        }
        if photos:
            body["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": photos[0].url}]
        if request.cta:
            action = request.cta.get("action_type", "LEARN_MORE").upper()
            body["callToAction"] = {"actionType": action}
            if action != "CALL":
                body["callToAction"]["url"] = request.cta.get("url") or request.link
        post = http.json(
            "POST", f"{request.account.external_id}/localPosts", target=request.target_id, media=photos, json=body
        )
        progress.save(name=post["name"])
        return post

    def _outcome(self, http: PlatformHTTP, post: dict[str, Any]) -> PublishResult:
        if post.get("state") == PROCESSING:
            post = poll(lambda: http.json("GET", post["name"]), lambda p: p.get("state") != PROCESSING)
        state = post.get("state")
        if state == REJECTED:
            raise PlatformError(
                ErrorKind.REJECTED,
                "Google rejected the post for its content policy: check the text (no phone numbers in the summary, "
                "no misleading offers) and the photo, then post again.",
                platform=self.platform,
                code=REJECTED,
            )
        return http.result(
            state="processing" if state == PROCESSING else "published",
            external_id=post["name"],
            url=post.get("searchUrl", ""),
            checkpoint={"name": post["name"]},
            detail=f"Google Business Profile state: {state}",
        )
