"""What connectors answer when asked for figures (platform-contracts.md §11; the endpoints each
connector calls are listed in docs/architecture.md, "Analytics").

A connector reads figures in its ``post_insights`` and ``account_insights`` methods and maps the
platform's names onto ours (``FIGURES``): a figure the platform did not give is absent from
``figures`` and named in ``unavailable`` with the reason a person reads ("needs the read_insights
permission", "not offered by LinkedIn"). A refusal for a missing permission or an unsupported metric
is never an error and never 0; a dead token or a rate limit is a ``PlatformError`` as for publishing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import requests

from publishing.connectors.base import Account, ErrorKind, PlatformError
from publishing.connectors.errors import NAMES
from publishing.connectors.http import PlatformHTTP

# Our names, the same for every platform (analytics.models.FIGURES minus the computed engagements).
FIGURES = ("impressions", "reach", "likes", "comments", "shares", "saves", "clicks", "views")


@dataclass(frozen=True)
class PostRef:
    """One published post to read figures of."""

    external_id: str
    published_at: datetime | None = None
    placement: str = "feed"  # feed | story | reel
    video: bool = False


@dataclass
class PostInsights:
    figures: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # the platform's own names and values
    unavailable: dict[str, str] = field(default_factory=dict)
    missing: str = ""  # the platform no longer knows the post (deleted): why, for people

    def give(self, name: str, value: Any, raw_name: str | None = None) -> None:
        """Record a figure (the platform's value under ``raw_name``); non-numbers are not figures."""
        number = to_int(value)
        if raw_name:
            self.raw[raw_name] = value
        if number is None:
            self.unavailable.setdefault(name, "the platform gave no value")
            return
        self.figures[name] = self.figures.get(name, 0) + number
        self.unavailable.pop(name, None)

    def lack(self, names: tuple[str, ...] | list[str], reason: str) -> None:
        for name in names:
            if name not in self.figures:
                self.unavailable[name] = reason

    def finish(self) -> PostInsights:
        """Every figure is either given or explained."""
        for name in FIGURES:
            if name not in self.figures and name not in self.unavailable:
                self.unavailable[name] = "not reported for this post"
        return self


@dataclass
class AccountInsights:
    followers: int | None = None
    extras: dict[str, int] = field(default_factory=dict)  # e.g. Google Business calls, website clicks
    # Figures per past day where the platform reports them so (Google Business Profile performance).
    daily: dict[date, dict[str, int]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


def to_int(value: Any) -> int | None:
    """A platform's number (int, or a string as Google sends them); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def not_offered(platform: str) -> str:
    return f"not offered by {NAMES.get(platform, platform)}"


def refusal(error: PlatformError, permission: str) -> str | None:
    """The reason to show when ``error`` is a permission refusal ("needs the read_insights
    permission"), None when it is another failure (raise it)."""
    if error.kind != ErrorKind.REJECTED:
        return None
    code = error.code if isinstance(error.code, int) else None
    meta_permission = error.platform in ("facebook", "instagram") and (code == 10 or (code and 200 <= code <= 299))
    if meta_permission or error.http_status == 403:
        return f"needs the {permission} permission: reconnect the account and allow it"
    return None


class InsightsReader:
    """What a connector's insight mixin (``insights/<platform>.py``) builds on: the connector's
    ``platform`` and its ``http(account)`` (HTTPConnector provides both)."""

    platform: str
    session: requests.Session

    if TYPE_CHECKING:  # provided by HTTPConnector, which comes after the mixin in a connector's bases

        def http(self, account: Account) -> PlatformHTTP: ...

    def post_insights(self, account: Account, posts: list[PostRef]) -> dict[str, PostInsights]:
        """Figures of the account's ``posts`` by external id (batched where the platform allows)."""
        raise NotImplementedError

    def account_insights(self, account: Account) -> AccountInsights:
        raise NotImplementedError
