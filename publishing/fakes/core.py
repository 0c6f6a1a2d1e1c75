"""The state of the fake platforms: ledger, tokens, switches (latency, queued faults, knobs).

One ``FakePlatforms`` (a ``localbzz.fakekit.FakeApp``) holds everything every platform module
reads and writes; ``server.py`` puts it behind HTTP. Tests drive it in-process (``fake.fail(...)``,
``fake.ledger(...)``) or over HTTP (``/_fake/control``, ``/_fake/ledger``, ``/_fake/reset``).
"""

from __future__ import annotations

import base64
import copy
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from localbzz.fakekit import FakeApp, Fault, Request, Response, Route

# Knobs a test or the demo may turn (``fake.configure(**{"instagram.quota_total": 1})``).
DEFAULT_CONFIG: dict[str, Any] = {
    "instagram.quota_total": 50,  # content_publishing_limit config.quota_total
    "instagram.quota_duration": 86400,
    "instagram.image_polls": 0,  # status reads answering IN_PROGRESS before FINISHED (images)
    "instagram.video_polls": 1,  # … (videos, reels)
    "x.media_polls": 0,  # image uploads answer processing_info "pending" for this many reads
    "x.rate_limit": 300,  # posts per 15-minute window per token (x-rate-limit-*)
    "google_business.processing_reads": 1,  # GETs answering PROCESSING before LIVE
    "publer.job_polls": 1,  # job_status reads answering "working" before done
    "publer.complete_word": "complete",  # or "completed": Publer spells it both ways
    "publer.wrap_data": False,  # answer {"success": true, "data": {...}} instead of top-level fields
    "publer.rate_limit": 100,  # requests per window per API key
    "publer.rate_window": 120,  # seconds (fixed window)
    "publer.put_reschedule": False,  # PUT may change scheduled_at (unconfirmed upstream: refused by default)
    "meta.app_usage": 1,  # percent in X-App-Usage
    "meta.buc_usage": 1,  # percent in X-Business-Use-Case-Usage
    "meta.regain_minutes": 0,  # estimated_time_to_regain_access in that header
    "fetch_timeout": 2.0,  # seconds the fake waits when it downloads image_url/video_url/sourceUrl
    "hang_seconds": 5.0,  # how long a "hang" fault holds the answer (longer than the client timeout)
}
# Fault kinds every platform answers in its own dialect (see each module's ``error``); "error"
# answers the platform's error body with the fault's own params (Meta: code, subcode, message).
GENERIC_FAULTS = {"http_500", "rate_limit", "token_expired", "duplicate", "hang", "error"}
# Tokens starting with this are accepted for any account of any platform (the demo data uses them).
DEMO_TOKEN_PREFIX = "demo-"


@dataclass
class Token:
    platform: str  # facebook (page/user tokens, also good for Instagram), linkedin, x, google_business, publer
    subject: str = ""  # page id, user id, … ("" = any)
    kind: str = "user"
    expired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class FakePlatforms(FakeApp):
    """Everything the fake platforms know: the switches of the kit (faults scoped by platform,
    latency by platform), tokens, each platform's objects and the ledger. Handlers run under
    ``lock``, one at a time."""

    DEFAULT_CONFIG = DEFAULT_CONFIG
    fault_kinds = frozenset(GENERIC_FAULTS)
    serialized = True

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.errors: dict[str, Callable[[FakePlatforms, str, dict[str, Any]], Response]] = {}
        self.decorators: dict[str, Callable[[FakePlatforms, Request, Response], None]] = {}
        super().__init__()

    def reset_state(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.tokens: dict[str, Token] = {}
        self.store: dict[str, dict[Any, Any]] = {}  # per-platform objects (containers, jobs, posts…)
        self.codes: dict[str, dict[str, Any]] = {}  # OAuth codes issued

    # Switches -------------------------------------------------------------------------------------

    def fail(self, platform: str, kind: str, operation: str = "*", times: int = 1, **params: Any) -> Fault:
        """Queue a fault: the next ``times`` matching calls answer it (see docs for kinds and params)."""
        return self.queue_fault(Fault(operation, kind, params, times, scope=platform))

    def fault_from(self, spec: dict[str, Any]) -> Fault:
        fault = super().fault_from({key: value for key, value in spec.items() if key != "platform"})
        fault.scope = spec["platform"]
        return fault

    def control_more(self, body: dict[str, Any]) -> None:
        for token in body.get("tokens") or []:
            token = dict(token)
            self.register_token(token.pop("token"), token.pop("platform"), **token)
        for token in body.get("expire_tokens") or []:
            self.expire_token(token)

    def fault_answer(self, candidate: Route, fault: Fault) -> Response:
        return self.errors[candidate.scope](self, fault.kind, fault.params)

    def decorate(self, candidate: Route, request: Request, response: Response) -> None:
        decorate = self.decorators.get(candidate.scope)
        if decorate:
            decorate(self, request, response)

    def register_token(self, token: str, platform: str, subject: str = "", kind: str = "user", **extra: Any) -> str:
        with self.lock:
            self.tokens[token] = Token(platform, str(subject), kind, extra=extra)
        return token

    def expire_token(self, token: str) -> None:
        with self.lock:
            self.tokens.setdefault(token, Token(platform="*")).expired = True

    def token_state(self, token: str, platform: str) -> str:
        """ "ok", "expired" or "unknown" for ``token`` used on ``platform``."""
        with self.lock:
            known = self.tokens.get(token)
        if known and known.expired:
            return "expired"
        if token.startswith(DEMO_TOKEN_PREFIX):
            return "ok"
        if known and known.platform in (platform, "*", "meta" if platform in ("facebook", "instagram") else ""):
            return "ok"
        return "unknown"

    def next_id(self) -> int:
        return next(self._ids)

    def objects(self, platform: str) -> dict[Any, Any]:
        return self.store.setdefault(platform, {})

    # Ledger ---------------------------------------------------------------------------------------

    def record(
        self, request: Request, platform: str, *, account: str, external_id: str, text: str, **extra: Any
    ) -> dict[str, Any]:
        """One published (or, for Publer, scheduled) item, with its receipt time to the microsecond."""
        now = time.time()
        entry = {
            "seq": 0,
            "platform": platform,
            "account": account,
            "external_id": external_id,
            "text": text,
            "media_urls": list(extra.pop("media_urls", [])),
            "received": now,
            "received_at": datetime.fromtimestamp(now, UTC).isoformat(timespec="microseconds"),
            "target_id": request.headers.get("X-LocalBzz-Target", "") or "",
            "operation": extra.pop("operation", "publish"),
            **extra,
        }
        with self.lock:
            entry["seq"] = len(self.entries) + 1
            entry["page"] = f"{request.base_url}/_fake/posts/{entry['seq']}"
            entry.setdefault("url", entry["page"])
            self.entries.append(entry)
        return entry

    def ledger(
        self, platform: str = "", target_id: str = "", text: str = "", account: str = ""
    ) -> list[dict[str, Any]]:
        """Ledger entries, filtered; ``text`` matches exactly (after folding whitespace)."""
        fold = " ".join(text.split())
        with self.lock:  # filtered first, then copied: the platforms look up the ledger on every publish
            return copy.deepcopy(
                [
                    e
                    for e in self.entries
                    if (not platform or e["platform"] == platform)
                    and (not target_id or e["target_id"] == str(target_id))
                    and (not account or e["account"] == account)
                    and (not text or " ".join(e["text"].split()) == fold)
                ]
            )

    def find_entry(self, platform: str, external_id: str) -> dict[str, Any] | None:
        with self.lock:
            for entry in self.entries:
                if entry["platform"] == platform and entry["external_id"] == external_id:
                    return entry
        return None

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "latency": dict(self.latency),
                "faults": [{"platform": f.scope, **f.as_dict()} for f in self.faults],
                "config": dict(self.config),
                "tokens": {t[:6] + "…": {"platform": v.platform, "expired": v.expired} for t, v in self.tokens.items()},
                "ledger_size": len(self.entries),
            }


def now_unix() -> int:
    return int(time.time())


# Reading back what an account published (platform-contracts.md §10) ------------------------------


def parse_when(value: str) -> float | None:
    """A time parameter as platforms take it (unix seconds, or ISO 8601 with ``Z``/``+0000``) → unix."""
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", value.replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time: {value}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def newest_first(
    entries: list[dict[str, Any]], since: float | None = None, until: float | None = None
) -> list[dict[str, Any]]:
    """Ledger entries newest first, within [since, until] (receipt time) when given."""
    return [
        e
        for e in sorted(entries, key=lambda e: e["seq"], reverse=True)
        if (since is None or e["received"] >= since) and (until is None or e["received"] <= until)
    ]


def keyset_page(entries: list[dict[str, Any]], after: str, size: int) -> tuple[list[dict[str, Any]], str]:
    """One page of newest-first ``entries`` after an opaque cursor (the last ``seq`` seen), and the
    cursor of the next page ("" when this is the last). Posts arriving while a client pages do not
    shift the pages it has not read yet (real cursors behave so too)."""
    if after:
        try:
            last = int(base64.urlsafe_b64decode(after.encode()).decode().removeprefix("seq:"))
        except ValueError:
            raise ValueError("invalid cursor") from None
        entries = [e for e in entries if e["seq"] < last]
    chunk = entries[:size]
    more = len(entries) > size
    cursor = base64.urlsafe_b64encode(f"seq:{chunk[-1]['seq']}".encode()).decode() if chunk and more else ""
    return chunk, cursor


def iso_z(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
