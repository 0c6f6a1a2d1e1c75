"""The state of the fake platforms: ledger, tokens, switches (latency, queued faults, knobs).

Standard library only. One ``FakePlatforms`` holds everything every platform module reads and
writes; ``server.py`` puts it behind HTTP. Tests drive it in-process (``fake.fail(...)``,
``fake.ledger(...)``) or over HTTP (``/_fake/control``, ``/_fake/ledger``, ``/_fake/reset``).
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


class Reply(Exception):
    """Raised by a handler to answer at once (an auth failure, a validation error)."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON; str → HTML/text; bytes as they are
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if self.body is None:
            return b"", ""
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any  # http.client.HTTPMessage: case-insensitive .get()
    body: bytes
    base_url: str  # http://host:port of this fake, as the client reached it

    @classmethod
    def build(cls, method: str, raw_path: str, headers: Any, body: bytes, base_url: str) -> Request:
        parts = urlsplit(raw_path)
        return cls(method, parts.path, parse_qs(parts.query, keep_blank_values=True), headers, body, base_url)

    def arg(self, name: str, default: str = "") -> str:
        """A parameter from the query or the form body (Graph API style: either works)."""
        if name in self.query:
            return self.query[name][0]
        return str(self.form().get(name, default))

    def form(self) -> dict[str, Any]:
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("application/x-www-form-urlencoded"):
            return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}
        if kind.startswith("multipart/form-data"):
            return self.files()
        return {}

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def files(self) -> dict[str, Any]:
        """Multipart parts: text fields as str, files as (filename, bytes, content type)."""
        head = f"Content-Type: {self.headers.get('Content-Type')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        parts: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            parts[name] = (filename, payload, part.get_content_type()) if filename else payload.decode()
        return parts

    def token(self) -> str:
        auth = self.headers.get("Authorization", "")
        match = re.match(r"^(Bearer-API|Bearer|OAuth)\s+(.+)$", auth)
        return match.group(2).strip() if match else self.arg("access_token")


@dataclass
class Fault:
    platform: str
    operation: str  # an operation name of the platform's routes, or "*"
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    times: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "operation": self.operation,
            "kind": self.kind,
            "times": self.times,
            **self.params,
        }


@dataclass
class Token:
    platform: str  # facebook (page/user tokens, also good for Instagram), linkedin, x, google_business, publer
    subject: str = ""  # page id, user id, … ("" = any)
    kind: str = "user"
    expired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    platform: str
    operation: str
    handler: Callable[[FakePlatforms, Request, re.Match[str]], Response]


def route(fake: FakePlatforms, method: str, pattern: str, platform: str, operation: str):
    """Decorator for platform handlers: ``@route(fake, "POST", r"^/x/2/tweets$", "x", "tweets")``."""

    def register(handler):
        fake.routes.append(Route(method, re.compile(pattern), platform, operation, handler))
        return handler

    return register


class FakePlatforms:
    """Everything the fake platforms know. Thread-safe: handlers run under ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self.routes: list[Route] = []
        self.errors: dict[str, Callable[..., Response]] = {}
        self.decorators: dict[str, Callable[[FakePlatforms, Request, Response], None]] = {}
        self._reset_state()

    def _reset_state(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.tokens: dict[str, Token] = {}
        self.latency: dict[str, float] = {}
        self.faults: list[Fault] = []
        self.config: dict[str, Any] = dict(DEFAULT_CONFIG)
        self.store: dict[str, dict[str, Any]] = {}  # per-platform objects (containers, jobs, posts…)
        self.codes: dict[str, dict[str, Any]] = {}  # OAuth codes issued
        self.wake = threading.Event()  # set on reset: hanging answers stop hanging

    # Switches -------------------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.wake.set()
            self._reset_state()

    def set_latency(self, platform: str, seconds: float) -> None:
        """Every answer of ``platform`` ("*" for all) waits this long first."""
        with self.lock:
            self.latency[platform] = float(seconds)

    def configure(self, **values: Any) -> None:
        with self.lock:
            unknown = set(values) - set(DEFAULT_CONFIG)
            if unknown:
                raise KeyError(f"unknown fake setting(s): {', '.join(sorted(unknown))}")
            self.config.update(values)

    def fail(self, platform: str, kind: str, operation: str = "*", times: int = 1, **params: Any) -> Fault:
        """Queue a fault: the next ``times`` matching calls answer it (see docs for kinds and params)."""
        fault = Fault(platform, operation, kind, params, times)
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, platform: str, operation: str, kinds: set[str] | None = None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.platform == platform and fault.operation in ("*", operation):
                    if kinds is not None and fault.kind not in kinds:
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

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

    def objects(self, platform: str) -> dict[str, Any]:
        return self.store.setdefault(platform, {})

    # Ledger ---------------------------------------------------------------------------------------

    def record(
        self, request: Request, platform: str, *, account: str, external_id: str, text: str, **extra: Any
    ) -> dict:
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
                "faults": [f.as_dict() for f in self.faults],
                "config": dict(self.config),
                "tokens": {t[:6] + "…": {"platform": v.platform, "expired": v.expired} for t, v in self.tokens.items()},
                "ledger_size": len(self.entries),
            }

    def control(self, body: dict[str, Any]) -> dict[str, Any]:
        """The HTTP form of the switches (``POST /_fake/control``)."""
        for platform, seconds in (body.get("latency") or {}).items():
            self.set_latency(platform, seconds)
        for fault in body.get("faults") or []:
            fault = dict(fault)
            self.fail(
                fault.pop("platform"), fault.pop("kind"), fault.pop("operation", "*"), fault.pop("times", 1), **fault
            )
        for token in body.get("tokens") or []:
            token = dict(token)
            self.register_token(token.pop("token"), token.pop("platform"), **token)
        for token in body.get("expire_tokens") or []:
            self.expire_token(token)
        if body.get("config"):
            self.configure(**body["config"])
        if body.get("clear_faults"):
            with self.lock:
                self.faults.clear()
        return self.state()

    def wait(self, seconds: float) -> None:
        """Sleep, unless a reset comes first."""
        if seconds > 0:
            self.wake.wait(seconds)


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


def newest_first(entries: list[dict[str, Any]], since: float | None = None, until: float | None = None) -> list[dict]:
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
