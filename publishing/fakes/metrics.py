"""The figures the fake platforms report: realistic, growing, deterministic.

A post's figures are a function of its id and the time since it was published, and nothing else:
the same post read at the same age answers the same numbers, a later read answers at least as
much. Most of a post's audience comes in its first day (as on the real platforms), a slow tail
follows for four weeks. An account's followers grow by a few a day from a base its id decides.

Permissions: a token registered with ``missing=[...]`` (``fake.register_token(token, "facebook",
missing=["read_insights"])``) is refused the insight reads that need them, in the platform's dialect.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from publishing.fakes.core import FakePlatforms, Request, Response, Route, route

FOUR_WEEKS_HOURS = 28 * 24
# Followers are counted from this instant (2026-01-01 UTC): the same account, the same day, the same count.
FOLLOWERS_EPOCH = 1767225600


def _unit(key: str, salt: str) -> float:
    """A number in [0, 1) decided by ``key`` (the same key, the same number, in every process)."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _between(key: str, salt: str, low: float, high: float) -> float:
    return low + (high - low) * _unit(key, salt)


@dataclass(frozen=True)
class PostFigures:
    impressions: int
    reach: int
    likes: int
    comments: int
    shares: int
    quotes: int
    saves: int
    clicks: int
    video_views: int
    cta_clicks: int


def progress(age_seconds: float) -> float:
    """How much of its audience a post has had at this age: 0 at publishing, ~0.12 after an hour,
    ~0.85 after a day, ~0.97 after a week, 1.0 from four weeks on. Never decreases."""
    hours = max(0.0, age_seconds) / 3600
    fast = 1 - math.exp(-hours / 10)
    slow = min(1.0, math.log1p(hours) / math.log1p(FOUR_WEEKS_HOURS))
    return min(1.0, 0.85 * fast + 0.15 * slow)


def post_figures(post_id: str, age_seconds: float) -> PostFigures:
    """The figures of post ``post_id`` ``age_seconds`` after it was published."""
    audience = _between(post_id, "audience", 800, 9000)
    share = progress(age_seconds)
    impressions = int(audience * share)

    def part(salt: str, low: float, high: float) -> int:
        return int(impressions * _between(post_id, salt, low, high))

    return PostFigures(
        impressions=impressions,
        reach=part("reach", 0.55, 0.85),
        likes=part("likes", 0.02, 0.07),
        comments=part("comments", 0.002, 0.01),
        shares=part("shares", 0.002, 0.012),
        quotes=part("quotes", 0.0005, 0.002),
        saves=part("saves", 0.002, 0.015),
        clicks=part("clicks", 0.005, 0.025),
        video_views=part("views", 0.4, 0.9),
        cta_clicks=part("cta", 0.003, 0.02),
    )


def followers(account_id: str, now: float | None = None) -> int:
    """An account's followers now: a base its id decides, growing by 1–12 a day since FOLLOWERS_EPOCH."""
    now = time.time() if now is None else now
    base = _between(account_id, "followers", 400, 25000)
    per_day = _between(account_id, "growth", 1, 12)
    return int(base + per_day * max(0.0, now - FOLLOWERS_EPOCH) / 86400)


def daily(key: str, metric: str, day_ordinal: int) -> int:
    """A location's count of ``metric`` on one day (Google Business Profile performance)."""
    scale = {"views": (40, 400), "calls": (0, 12), "directions": (0, 20), "website": (1, 30)}[metric]
    return int(_between(f"{key}:{day_ordinal}", metric, *scale))


def age(entry: dict, now: float | None = None) -> float:
    """Seconds since a ledger entry was published."""
    return (time.time() if now is None else now) - float(entry["received"])


def missing_permission(fake: FakePlatforms, request: Request, permission: str) -> bool:
    """Whether the request's token was registered without ``permission`` (``missing=[...]``)."""
    with fake.lock:
        token = fake.tokens.get(request.token())
    return bool(token and permission in (token.extra.get("missing") or []))


def insights_route(fake: FakePlatforms, method: str, pattern: str, platform: str):
    """Register an insight handler (operation "insights": ``fake.fail(platform, kind, "insights")``
    makes it fail)."""
    return route(fake, method, pattern, platform, "insights")


def fields_route(fake: FakePlatforms, pattern: str, platform: str, wanted: str):
    """A GET handler for an object read that asks for the field ``wanted`` (``?fields=…,wanted``),
    tried before the platform's other routes; a read without that field goes on to them."""
    compiled = re.compile(pattern)

    def register(handler: Callable[[FakePlatforms, Request, re.Match[str]], Response]):
        def dispatch(fake: FakePlatforms, request: Request, match: re.Match[str]) -> Response:
            if wanted in request.arg("fields").split(","):
                return handler(fake, request, match)
            for other in fake.routes:
                if other.handler is dispatch or other.method != "GET":
                    continue
                found = other.pattern.match(request.path)
                if found:
                    return other.handler(fake, request, found)
            return Response(404, {"error": {"message": f"Unknown path {request.path}", "code": 404}})

        fake.routes.insert(0, Route("GET", compiled, platform, "insights", dispatch))
        return handler

    return register
