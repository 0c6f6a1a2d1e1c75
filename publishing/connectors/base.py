"""The contract every platform connector keeps.

A connector makes ONE attempt at one operation against one platform over HTTP (``requests``) and
either answers a result or raises ``PlatformError`` whose ``kind`` says what the engine should do.
Retries, backoff, leases, rate-limit bookkeeping and state changes belong to the publishing engine,
never to connectors. Connectors never log tokens or API keys.

Progress that must survive a crash between two HTTP calls (an Instagram container id, uploaded
media ids, a Publer job id) is handed to the engine through ``checkpoint`` dicts: the engine
stores them on the post target before the next call and passes them back on the next attempt,
so a retry resumes instead of repeating (no duplicate containers, no double posts).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import IO, Any, Protocol


class ErrorKind(StrEnum):
    RETRYABLE = "retryable"  # transient: try again with backoff
    RATE_LIMITED = "rate_limited"  # wait until ``retry_after`` (per account or per app)
    AUTH_EXPIRED = "auth_expired"  # token dead: account → needs_reconnect, no retry
    REJECTED = "rejected"  # the platform refuses the content: fail with its reason, no retry
    UNKNOWN_OUTCOME = "unknown_outcome"  # sent, but no answer: verify before anything is re-sent


class PlatformError(Exception):
    """One classified failure. ``message`` is for people ("Instagram needs JPEG images: …")."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        platform: str,
        retry_after: float | None = None,
        scope: str = "account",  # "account" or "app": what a rate limit applies to
        code: str | int | None = None,
        subcode: str | int | None = None,
        http_status: int | None = None,
        checkpoint: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.platform = platform
        self.retry_after = retry_after
        self.scope = scope
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.checkpoint = checkpoint or {}

    def __repr__(self) -> str:
        return f"PlatformError({self.kind}, {self.platform}, {self.code}/{self.subcode}, {self.message!r})"


@dataclass(frozen=True)
class Account:
    """What a connector needs to act for one social account. ``token`` is already decrypted."""

    platform: str  # facebook | instagram | linkedin | x | google_business | publer
    external_id: str  # page id, IG user id, LinkedIn author URN, X user id, GBP "accounts/A/locations/L"
    token: str  # page token / user token / bearer token (Publer: the workspace API key)
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # extra: publer {"workspace_id", "account_id", "network"}; facebook {"page_id"}; ...


@dataclass(frozen=True)
class MediaItem:
    kind: str  # "image" | "video"
    url: str  # a URL the platform can fetch (signed S3 URL or MEDIA_PUBLIC_BASE_URL)
    mime: str  # image/jpeg, video/mp4, ...
    bytes: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    alt_text: str = ""
    filename: str = "media"
    open: Callable[[], IO[builtins.bytes]] | None = None  # streams the bytes, for upload endpoints


@dataclass(frozen=True)
class PublishRequest:
    target_id: str  # our PostTarget id (correlation only; no platform has idempotency keys)
    account: Account
    text: str
    media: tuple[MediaItem, ...] = ()
    placement: str = "feed"  # feed | story | reel
    link: str = ""
    cta: dict[str, str] | None = None  # {"action_type": "BOOK", "url": "..."} (Google Business Profile)
    scheduled_at: datetime | None = None  # for platforms that hold the schedule (Publer)
    # Called with the whole checkpoint each time the attempt makes progress that a retry must
    # reuse (a container id, an uploaded media id, a job id), BEFORE the next HTTP call, so a
    # crash between two calls loses nothing. The engine stores it on the post target.
    on_checkpoint: Callable[[dict[str, Any]], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Window:
    """Where ``verify`` looks: what the account published from ``since`` to ``until`` (the attempt's
    start minus a clock-skew margin, to now plus that margin). ``skip_ids`` are posts other targets
    of ours already own on the account: a same-text post among them is not this one."""

    since: datetime
    until: datetime
    skip_ids: frozenset[str] = frozenset()

    @classmethod
    def last(cls, seconds: float = 86400, skip_ids: frozenset[str] = frozenset()) -> Window:
        now = datetime.now(UTC)
        return cls(since=now - timedelta(seconds=seconds), until=now + timedelta(minutes=5), skip_ids=skip_ids)


@dataclass
class PublishResult:
    state: str  # "published" | "scheduled" (held by the platform, e.g. Publer) | "processing"
    external_id: str = ""
    url: str = ""
    checkpoint: dict[str, Any] = field(default_factory=dict)
    detail: str = ""  # something to show people, e.g. the platform's state
    # Usage headers said we are close to a limit: wait this long before the next call
    # for this account ("account") or for every account of the platform ("app").
    slow_down: float | None = None
    slow_down_scope: str = "account"


@dataclass
class AccountCheck:
    ok: bool
    message: str  # "Token valid for Bella Bakery (page)", "Token expired: reconnect"
    name: str = ""
    expires_at: datetime | None = None


@dataclass
class Quota:
    used: int
    total: int
    window_seconds: int

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.used)


class Connector(Protocol):
    platform: str

    def publish(self, request: PublishRequest, checkpoint: dict[str, Any]) -> PublishResult:
        """Publish (or, where the platform holds the schedule, schedule) one post.

        ``checkpoint`` is what an earlier attempt left; resume from it. Raise PlatformError.
        """

    def verify(
        self, request: PublishRequest, checkpoint: dict[str, Any], window: Window | None = None
    ) -> PublishResult | None:
        """After an unknown outcome: did the post go out? A result if it did, None if it surely did
        not (safe to publish again); raise PlatformError(UNKNOWN_OUTCOME) if still cannot tell.

        Without a checkpoint that names the post, the connector reads EVERYTHING the account
        published in ``window`` (default: the last day), page after page with the platform's own
        time filters, and answers None only once it has seen the whole window."""

    def check_account(self, account: Account) -> AccountCheck:
        """Is the token alive? (the 'verify' button; marks needs_reconnect when dead)"""
