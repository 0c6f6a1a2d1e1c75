"""The one HTTP path of every connector: classification, usage headers, checkpoints, polling.

``PlatformHTTP`` sends one request to one platform through ``localbzz.net.OutboundHTTP`` (the
timeouts of settings, no redirects, logs without secrets, and no retries: a connector makes ONE
attempt, a publish never goes twice on the HTTP layer's initiative — retries are the engine's),
turns every failure into a classified ``PlatformError`` (``errors.classify``) and remembers what
usage headers of successful answers ask (``slow_down``). ``Progress`` is the checkpoint of one
attempt; ``poll`` bounds every wait for asynchronous platform work.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

import requests
from django.conf import settings

from localbzz.net import OutboundHTTP, outbound_session
from publishing.connectors import errors
from publishing.connectors.base import (
    Account,
    AccountCheck,
    ErrorKind,
    MediaItem,
    PlatformError,
    PublishRequest,
    PublishResult,
    Window,
)

logger = logging.getLogger("publishing.connectors")
T = TypeVar("T")
# Sent with publishing calls so the fake platforms' ledger can tie a post to our target.
TARGET_HEADER = "X-LocalBzz-Target"


class PlatformHTTP:
    """Requests to one platform for one attempt (create one per publish/verify call)."""

    def __init__(
        self, platform: str, url_key: str, session: requests.Session, headers: dict[str, str] | None = None
    ) -> None:
        self.platform = platform
        self.url_key = url_key
        self.outbound = OutboundHTTP(
            platform,
            logger=logger,
            timeouts=("PLATFORM_CONNECT_TIMEOUT", "PLATFORM_READ_TIMEOUT"),
            session=session,
            headers=headers,
        )
        self.slow_down: tuple[float, str] | None = None

    def url(self, path: str = "", key: str | None = None) -> str:
        """Absolute URL on this platform's base (read from settings at call time, so tests can move it)."""
        if path.startswith(("http://", "https://")):
            return path
        base = settings.PLATFORM_URLS[key or self.url_key]
        return f"{base}/{path.lstrip('/')}" if path else base

    def call(
        self,
        method: str,
        path: str,
        *,
        target: str = "",
        media: Iterable[MediaItem] = (),
        link: str = "",
        ok: Callable[[requests.Response], bool] | None = None,
        key: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; answer the response when it succeeded, else raise the classified error.

        ``target`` (our post target id) travels in ``X-LocalBzz-Target``; ``media``/``link`` make
        error messages name the files concerned; ``ok`` overrides "2xx is success".
        """
        headers = dict(kwargs.pop("headers", None) or {})
        if target:
            headers[TARGET_HEADER] = str(target)
        try:
            response = self.outbound.send(method, self.url(path, key), headers=headers, **kwargs)
        except requests.RequestException as exc:
            raise errors.classify(self.platform, exc=exc) from exc
        if not (ok(response) if ok else 200 <= response.status_code < 300):
            raise errors.classify(self.platform, response, media=media, link=link)
        wait = errors.slow_down(self.platform, response)
        if wait and (self.slow_down is None or wait[0] > self.slow_down[0]):
            self.slow_down = wait
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """``call`` and decode a JSON object (an empty or non-JSON body answers ``{}``)."""
        response = self.call(method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {"data": data}

    def result(self, **fields: Any) -> PublishResult:
        """A PublishResult that carries what the usage headers asked for."""
        result = PublishResult(**fields)
        if self.slow_down:
            result.slow_down, result.slow_down_scope = self.slow_down
        return result


class Progress:
    """The checkpoint of one attempt.

    ``save`` records progress and hands the whole checkpoint to ``request.on_checkpoint`` at once
    (before the next HTTP call); used as a context manager it attaches the checkpoint to any
    PlatformError leaving the block, so the engine can store it and the retry resumes from it.
    """

    def __init__(self, request: PublishRequest, checkpoint: dict[str, Any] | None) -> None:
        self.request = request
        self.data: dict[str, Any] = dict(checkpoint or {})

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def save(self, **values: Any) -> None:
        self.data.update(values)
        if self.request.on_checkpoint:
            self.request.on_checkpoint(dict(self.data))

    def drop(self, *keys: str) -> None:
        for key in keys:
            self.data.pop(key, None)
        if self.request.on_checkpoint:
            self.request.on_checkpoint(dict(self.data))

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, PlatformError):
            exc.checkpoint = dict(self.data)


def poll(read: Callable[[], T], done: Callable[[T], bool], wait_hint: Callable[[T], float | None] | None = None) -> T:
    """Call ``read`` until ``done`` says so or the attempt's polling budget is spent; answer the last value.

    Waits start at PLATFORM_POLL_INTERVAL and double up to PLATFORM_POLL_MAX_INTERVAL (or follow
    the platform's hint, e.g. X's ``check_after_secs``, within the same cap); the whole loop stops
    after PLATFORM_POLL_TIMEOUT seconds. The caller decides what an unfinished value means.
    """
    deadline = time.monotonic() + settings.PLATFORM_POLL_TIMEOUT
    wait = settings.PLATFORM_POLL_INTERVAL
    while True:
        value = read()
        if done(value):
            return value
        hinted = wait_hint(value) if wait_hint else None
        pause = min(hinted if hinted is not None else wait, settings.PLATFORM_POLL_MAX_INTERVAL)
        if time.monotonic() + pause > deadline:
            return value
        time.sleep(pause)
        wait = min(wait * 2, settings.PLATFORM_POLL_MAX_INTERVAL)


class HTTPConnector:
    """What every connector shares: its platform, its base URL key, a ``requests.Session``.

    A connector instance holds no per-post state (each call builds its own ``PlatformHTTP``), so
    one instance may serve many posts; ``connectors.get()`` answers a fresh one per call anyway.
    """

    platform = ""
    url_key = ""

    def __init__(self, session: requests.Session | None = None) -> None:
        # One connector serves a worker's publishing threads (``engine._pool``): a kept connection
        # per thread, so none is opened and closed per post.
        self.session = session or outbound_session(pool_size=max(10, getattr(settings, "PUBLISH_TASK_SIZE", 10)))

    def publish(self, request: PublishRequest, checkpoint: dict[str, Any]) -> PublishResult:
        """One attempt (``attempt``), resumed from ``checkpoint``; every PlatformError leaving it
        carries the checkpoint so far, and the result carries the final one."""
        with Progress(request, checkpoint) as progress:
            result = self.attempt(request, progress)
        result.checkpoint = {**progress.data, **result.checkpoint}
        return result

    def attempt(self, request: PublishRequest, progress: Progress) -> PublishResult:
        raise NotImplementedError

    def auth_headers(self, account: Account) -> dict[str, str]:
        return {"Authorization": f"Bearer {account.token}"}

    def http(self, account: Account) -> PlatformHTTP:
        return PlatformHTTP(self.platform, self.url_key, self.session, self.auth_headers(account))

    def check_with(self, call: Callable[[], str]) -> AccountCheck:
        """Run a "who am I" ``call`` (answers a name); a dead token is a failed check, not an error."""
        try:
            name = call()
        except PlatformError as error:
            if error.kind == ErrorKind.AUTH_EXPIRED:
                return AccountCheck(ok=False, message=error.message)
            raise
        return AccountCheck(ok=True, message=f"Token valid for {name}", name=name)


def parse_time(value: Any) -> datetime | None:
    """A platform's timestamp → aware datetime: epoch seconds or milliseconds (LinkedIn), ISO 8601
    with ``Z``, ``+0000`` (Graph API) or nanoseconds (Google). None when absent or unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC)
    text = str(value or "").strip()
    if not text:
        return None
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text.replace("Z", "+00:00"))
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # Python reads at most microseconds
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def search_window(
    platform: str,
    pages: Iterator[list[T]],
    window: Window,
    *,
    created: Callable[[T], datetime | None],
    matches: Callable[[T], bool],
    ident: Callable[[T], str],
) -> T | None:
    """Walk what an account published, newest first, page by page (``pages`` makes the calls), and
    answer the first item inside ``window`` that ``matches`` and is not one of ``window.skip_ids``.

    None — "surely not published" — only once the walk went past ``window.since`` or the platform
    had no more pages; a walk cut short by PLATFORM_VERIFY_MAX_PAGES raises UNKNOWN_OUTCOME, because
    an unread page may hold the post.
    """
    budget = settings.PLATFORM_VERIFY_MAX_PAGES
    for number, page in enumerate(pages, start=1):
        for item in page:
            when = created(item)
            if when is not None and when < window.since:
                return None  # newest first: everything after this is older still
            if (when is None or when <= window.until) and matches(item) and ident(item) not in window.skip_ids:
                return item
        if number >= budget:
            pages_read = f"{number} {'page' if number == 1 else 'pages'}"
            raise PlatformError(
                ErrorKind.UNKNOWN_OUTCOME,
                f"Read {pages_read} of the account's {errors.NAMES.get(platform, platform)} posts without "
                "reaching the time of the attempt.",
                platform=platform,
            )
    return None


def same_text(a: str, b: str) -> bool:
    """Texts equal but for whitespace (platforms trim and fold it): how verify() recognises our post."""
    return " ".join((a or "").split()) == " ".join((b or "").split())


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_bytes(http: PlatformHTTP, item: MediaItem) -> bytes:
    """The bytes of a media item, for upload endpoints: from its opener, else fetched from its URL
    (our own storage: no platform credentials are sent there)."""
    if item.open:
        with item.open() as handle:
            return handle.read()
    try:
        response = requests.get(item.url, timeout=(settings.PLATFORM_CONNECT_TIMEOUT, settings.PLATFORM_READ_TIMEOUT))
        response.raise_for_status()
    except requests.RequestException as exc:
        raise PlatformError(
            ErrorKind.RETRYABLE,
            f"Could not read {item.filename} from the media store ({type(exc).__name__}).",
            platform=http.platform,
        ) from exc
    return response.content
