"""Publer: posts scheduled or published through a client's Publer workspace (platform-contracts.md §4).

Contract kept here:
- Every request carries ``Authorization: Bearer-API <key>`` and ``Publer-Workspace-Id``;
  ``account.token`` is the workspace API key, ``account.extra`` holds ``workspace_id``,
  ``account_id`` (Publer's id of the social account) and ``network`` (facebook, instagram, …).
- Create: ``POST /posts/schedule`` (state scheduled, per-account ``scheduled_at``) when the post is
  due more than a minute ahead, else ``POST /posts/schedule/publish``; the ``job_id`` (top level
  or under ``data``) is checkpointed at once. Media are uploaded first (``POST /media``), their
  ids checkpointed (``media_ids``).
- Jobs: ``GET /job_status/{id}`` is polled (bounded) until ``complete``/``completed``/``failed``;
  the per-account ``payload.failures`` are ALWAYS read, even for a complete job.
- ``update`` changes text and time with ``PUT /posts/{id}``; when Publer refuses (422/405 — a
  reschedule through PUT is unconfirmed) it deletes and re-creates, and says which happened.
- ``delete``, ``list_posts`` and ``PublerWorkspace.accounts`` are here for the engine's sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests

from localbzz.net import outbound_session
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
from publishing.connectors.insights.publer import PublerInsights

T = TypeVar("T")
DONE = {"complete", "completed", "failed"}
MIN_LEAD = timedelta(minutes=1)  # Publer wants scheduled posts at least a minute ahead


@dataclass
class PublerJob:
    id: str
    status: str  # working | complete | completed | failed
    failures: dict[str, str] = field(default_factory=dict)  # Publer account id → what went wrong
    posts: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass
class PublerPost:
    id: str
    text: str
    state: str
    account_id: str
    scheduled_at: str = ""
    post_link: str = ""
    network: str = ""


@dataclass
class PublerAccount:
    id: str
    provider: str
    name: str
    social_id: str = ""
    picture: str = ""
    type: str = ""


@dataclass
class PublerUpdate:
    how: str  # "updated" (PUT accepted) | "recreated" (deleted, then created again)
    post_id: str
    job_id: str = ""


class PublerWorkspace:
    """The HTTP side of one Publer workspace (one API key + workspace id)."""

    def __init__(self, api_key: str, workspace_id: str, session: requests.Session | None = None):
        headers = {"Authorization": f"Bearer-API {api_key}", "Publer-Workspace-Id": str(workspace_id)}
        self.http = PlatformHTTP("publer", "publer", session or outbound_session(), headers)

    def accounts(self) -> list[PublerAccount]:
        data = _unwrap(self.http.json("GET", "accounts"))
        items = data.get("accounts", data.get("data", [])) if isinstance(data, dict) else data
        return [_build(PublerAccount, a) for a in items or []]

    def upload(self, item) -> str:
        files = {"file": (item.filename, read_bytes(self.http, item), item.mime)}
        return str(_unwrap(self.http.json("POST", "media", media=[item], files=files))["id"])

    def create(self, posts: list[dict[str, Any]], *, publish_now: bool, target: str = "") -> str:
        """Create posts (each ``{"networks": …, "accounts": [{"id", "scheduled_at"}]}``) → the job id."""
        path = "posts/schedule/publish" if publish_now else "posts/schedule"
        body = {"bulk": {"state": "scheduled", "posts": posts}}
        return str(_unwrap(self.http.json("POST", path, target=target, json=body))["job_id"])

    def job(self, job_id: str) -> PublerJob:
        data = _unwrap(self.http.json("GET", f"job_status/{job_id}"))
        payload = data.get("payload") if isinstance(data.get("payload"), dict) else {}
        return PublerJob(
            id=job_id,
            status=str(data.get("status", "")).lower(),
            failures=_failures(payload.get("failures")),
            posts=[p for p in payload.get("posts") or [] if isinstance(p, dict)],
            message=str(payload.get("error") or data.get("error") or ""),
        )

    def wait(self, job_id: str) -> PublerJob:
        return poll(lambda: self.job(job_id), lambda job: job.done)

    def posts(
        self, *, state: str = "", account_ids: tuple[str, ...] = (), start: str = "", end: str = "", page: int = 0
    ) -> list[PublerPost]:
        return self._posts_page(state=state, account_ids=account_ids, start=start, end=end, page=page)[0]

    def post_pages(
        self, *, state: str = "", account_ids: tuple[str, ...] = (), start: str = "", end: str = ""
    ) -> Iterator[list[PublerPost]]:
        """Every page of the posts list (``page`` 0, 1, … until ``total_pages``)."""
        page = 0
        while True:
            posts, total_pages = self._posts_page(state=state, account_ids=account_ids, start=start, end=end, page=page)
            yield posts
            page += 1
            if page >= total_pages or not posts:
                return

    def _posts_page(
        self, *, state: str, account_ids: tuple[str, ...], start: str, end: str, page: int
    ) -> tuple[list[PublerPost], int]:
        params: list[tuple[str, Any]] = [("page", page)]
        params += [(name, value) for name, value in (("state", state), ("from", start), ("to", end)) if value]
        params += [("account_ids[]", account_id) for account_id in account_ids]
        data = _unwrap(self.http.json("GET", "posts", params=params))
        return [_build(PublerPost, p) for p in data.get("posts") or []], int(data.get("total_pages") or 0)

    def update(self, post_id: str, changes: dict[str, Any]) -> None:
        self.http.json("PUT", f"posts/{post_id}", json={"post": changes})

    def delete(self, post_ids: list[str]) -> list[str]:
        data = _unwrap(self.http.json("DELETE", "posts", params=[("post_ids[]", i) for i in post_ids]))
        return [str(i) for i in data.get("deleted_ids") or []]


class PublerConnector(PublerInsights, HTTPConnector):
    platform = "publer"
    url_key = "publer"

    def workspace(self, account: Account) -> PublerWorkspace:
        return PublerWorkspace(account.token, account.extra.get("workspace_id", ""), self.session)

    def attempt(self, request: PublishRequest, progress: Progress) -> PublishResult:
        ws = self.workspace(request.account)
        job_id = progress.get("job_id") or self._create(ws, request, progress)
        return self._outcome(ws, request, ws.wait(job_id), progress)

    def verify(
        self, request: PublishRequest, checkpoint: dict[str, Any], window: Window | None = None
    ) -> PublishResult | None:
        """With a job id: what the job says (UNKNOWN_OUTCOME while it still works). Without: our text
        among the account's scheduled and published posts of ``window`` (``from``/``to``, every page)."""
        ws = self.workspace(request.account)
        progress = Progress(request, checkpoint)
        if checkpoint.get("job_id"):
            job = ws.job(checkpoint["job_id"])
            if not job.done:
                raise PlatformError(
                    ErrorKind.UNKNOWN_OUTCOME, "Publer is still working on the post.", platform="publer"
                )
            try:
                return self._outcome(ws, request, job, progress)
            except PlatformError as error:
                if error.kind == ErrorKind.REJECTED:
                    return None  # the job failed for this account: nothing went out
                raise
        post = self._find(ws, request, window)
        return self._result(ws, request, post) if post else None

    def check_account(self, account: Account) -> AccountCheck:
        ws = self.workspace(account)

        def who() -> str:
            for item in ws.accounts():
                if item.id == str(account.extra.get("account_id")):
                    return f"{item.name} ({item.provider}, through Publer)"
            raise PlatformError(
                ErrorKind.AUTH_EXPIRED,
                "This account is no longer in the client's Publer workspace: reconnect it in Publer, then import "
                "the workspace's accounts again.",
                platform="publer",
            )

        return self.check_with(who)

    def update(self, request: PublishRequest, post_id: str) -> PublerUpdate:
        """Give a scheduled Publer post the request's text and ``scheduled_at``.

        PUT first; when Publer answers that the post cannot be updated that way (422/405), delete
        it and create it again (``how="recreated"``, with the new post and job ids). A post Publer
        already published (403) is never re-created.
        """
        ws = self.workspace(request.account)
        changes: dict[str, Any] = {"text": request.text}
        if request.scheduled_at:
            changes["scheduled_at"] = request.scheduled_at.isoformat()
        try:
            ws.update(post_id, changes)
            return PublerUpdate(how="updated", post_id=post_id)
        except PlatformError as error:
            if error.http_status not in (405, 422):
                raise
        ws.delete([post_id])
        progress = Progress(request, {})
        job = ws.wait(self._create(ws, request, progress))
        result = self._outcome(ws, request, job, progress)
        return PublerUpdate(how="recreated", post_id=result.external_id, job_id=job.id)

    reschedule = update

    def delete(self, account: Account, post_ids: list[str]) -> list[str]:
        return self.workspace(account).delete(post_ids)

    def list_posts(self, account: Account, **filters: Any) -> list[PublerPost]:
        return self.workspace(account).posts(**filters)

    # Steps ----------------------------------------------------------------------------------------

    def _create(self, ws: PublerWorkspace, request: PublishRequest, progress: Progress) -> str:
        media_ids = list(progress.get("media_ids", []))
        for item in request.media[len(media_ids) :]:
            media_ids.append(ws.upload(item))
            progress.save(media_ids=media_ids)
        job_id = ws.create([post_entry(request, media_ids)], publish_now=not _ahead(request), target=request.target_id)
        progress.save(job_id=job_id)
        return job_id

    def _outcome(
        self, ws: PublerWorkspace, request: PublishRequest, job: PublerJob, progress: Progress
    ) -> PublishResult:
        if not job.done:
            raise PlatformError(ErrorKind.RETRYABLE, "Publer was still working on the post.", platform="publer")
        account_id = str(request.account.extra.get("account_id"))
        failure = job.failures.get(account_id) or (job.status == "failed" and (job.message or "the job failed"))
        if failure:
            raise PlatformError(
                ErrorKind.REJECTED,
                f"Publer could not post to {request.account.name or account_id}: {failure}. Fix it in the post "
                "(or reconnect the account inside Publer if Publer says so), then retry.",
                platform="publer",
                code="job_failure",
            )
        listed = [p for p in job.posts if str(p.get("account_id")) == account_id]
        post = (
            PublerPost(id=str(listed[0]["id"]), text=request.text, state="", account_id=account_id)
            if listed
            else self._find(ws, request)
        )
        if post:
            progress.save(post_id=post.id)
        return self._result(ws, request, post)

    def _find(self, ws: PublerWorkspace, request: PublishRequest, window: Window | None = None) -> PublerPost | None:
        """Our text among the account's scheduled and published posts whose time falls in ``window``
        (stretched to the post's own ``scheduled_at``), every page of each list."""
        window = window or Window.last()
        until = max(window.until, (request.scheduled_at or window.until) + MIN_LEAD)
        window = Window(since=window.since, until=until, skip_ids=window.skip_ids)
        account_id = str(request.account.extra.get("account_id"))
        for state in ("scheduled", "published"):
            pages = ws.post_pages(state=state, account_ids=(account_id,), start=window.since.isoformat(),
                                  end=until.isoformat())  # fmt: skip
            found = search_window(
                self.platform,
                pages,
                window,
                created=lambda post: parse_time(post.scheduled_at),
                matches=lambda post: same_text(post.text, request.text),
                ident=lambda post: post.id,
            )
            if found:
                return found
        return None

    def _result(self, ws: PublerWorkspace, request: PublishRequest, post: PublerPost | None) -> PublishResult:
        return ws.http.result(
            state="scheduled" if _ahead(request) else "published",
            external_id=post.id if post else "",
            url=post.post_link if post else "",
            detail="Scheduled in Publer" if _ahead(request) else "Published through Publer",
        )


def post_entry(request: PublishRequest, media_ids: list[str]) -> dict[str, Any]:
    """One bulk entry for one account; several entries (one per account, each with its own
    ``scheduled_at``) may share one ``create`` call."""
    network = request.account.extra.get("network") or "facebook"
    kinds = [m.kind for m in request.media]
    if request.placement in ("reel", "story"):
        post_type = request.placement
    elif "video" in kinds:
        post_type = "video"
    elif len(kinds) > 1:
        post_type = "carousel"
    elif kinds:
        post_type = "photo"
    else:
        post_type = "link" if request.link else "status"
    content: dict[str, Any] = {"type": post_type, "text": request.text}
    if media_ids:
        content["media"] = [{"id": i, "type": m.kind} for i, m in zip(media_ids, request.media, strict=False)]
    if request.link:
        content["url"] = request.link
    when = request.scheduled_at if _ahead(request) else datetime.now(UTC)
    return {
        "networks": {network: content},
        "accounts": [{"id": str(request.account.extra.get("account_id")), "scheduled_at": when.isoformat()}],
    }


def workspace_accounts(api_key: str, workspace_id: str) -> list[PublerAccount]:
    """The social accounts of a client's Publer workspace (for importing them)."""
    return PublerWorkspace(api_key, workspace_id).accounts()


def _ahead(request: PublishRequest) -> bool:
    return bool(request.scheduled_at and request.scheduled_at - datetime.now(UTC) > MIN_LEAD)


def _unwrap(data: dict[str, Any]) -> dict[str, Any]:
    """Publer answers some fields top-level and some under ``data``: accept both."""
    inner = data.get("data")
    return {**data, **inner} if isinstance(inner, dict) else data


def _failures(raw: Any) -> dict[str, str]:
    """``payload.failures`` as {account id: message}, from a dict or a list of entries."""
    if isinstance(raw, dict):
        return {str(k): _text(v) for k, v in raw.items()}
    found: dict[str, str] = {}
    for entry in raw or []:
        if isinstance(entry, dict):
            account = entry.get("account_id") or entry.get("account") or entry.get("id")
            found[str(account)] = _text(entry.get("message") or entry.get("error") or entry.get("errors"))
    return found


def _build(cls: type[T], raw: dict[str, Any]) -> T:
    """A Publer answer → one of our dataclasses (every field a string; missing ones empty)."""
    return cls(**{f.name: str(raw.get(f.name) or "") for f in fields(cls)})


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return _text(value.get("message") or value.get("error") or value)
    return str(value)
