"""THE classification of platform failures: every connector turns every failure into a PlatformError here.

``classify(platform, response=None, exc=None)`` reads an HTTP error answer (or a ``requests``
exception) and says what the engine should do (``ErrorKind``), when to try again, and what to tell
people. ``slow_down(platform, response)`` reads usage headers on SUCCESSFUL answers.

Messages say what happened and, where a person must act, what to do. A RETRYABLE message says only
what happened: the engine adds "Will retry: …", or ``gave_up`` when attempts run out (it must not
read "…; trying again" then). An AUTH_EXPIRED message names the reconnect once (``reconnect``). The table in
docs/architecture.md ("Platforms") mirrors this module; keep both true.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from publishing.connectors.base import ErrorKind, MediaItem, PlatformError

META = {"facebook", "instagram"}
NAMES = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "x": "X",
    "google_business": "Google Business Profile",
    "publer": "Publer",
}
DEFAULT_RETRY_AFTER = 60.0  # seconds, when a platform says "too many" without saying until when
IG_DAILY_LIMIT_WAIT = 3600.0  # the quota is a rolling 24 h window; look again in an hour
SLOW_DOWN_AT = 90  # percent of a usage budget that makes us slow down
META_SLOW_DOWN = 60.0
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Instagram subcodes: (kind, message for people, retry needs a NEW container).
# {files} names the media concerned; a retry with a dead container is pointless, so those drop it.
IG_SUBCODES: dict[int, tuple[ErrorKind, str, bool]] = {
    2207003: (ErrorKind.RETRYABLE, "Instagram timed out downloading {files}.", True),
    2207001: (ErrorKind.RETRYABLE, "Instagram had a server error.", False),
    2207032: (ErrorKind.RETRYABLE, "Instagram could not create the post.", True),
    2207008: (ErrorKind.RETRYABLE, "Instagram was temporarily unavailable.", False),
    2207027: (ErrorKind.RETRYABLE, "Instagram was still processing {files}.", False),
    2207020: (ErrorKind.RETRYABLE, "The Instagram upload of {files} expired.", True),
    2207053: (ErrorKind.RETRYABLE, "Instagram's upload of {files} failed.", True),
    2207042: (
        ErrorKind.RATE_LIMITED,
        "This Instagram account reached its daily publishing limit; it will go out when the limit resets.",
        False,
    ),
    2207051: (
        ErrorKind.REJECTED,
        "Instagram blocked this post as possible spam: change the caption (fewer links, hashtags and "
        "mentions) or post it from the Instagram app.",
        False,
    ),
    2207050: (
        ErrorKind.REJECTED,
        "The Instagram account is restricted: open the Instagram app, resolve the notice, then retry.",
        False,
    ),
    2207004: (
        ErrorKind.REJECTED,
        "Instagram takes images up to 8 MB: export {files} smaller or pick another photo.",
        False,
    ),
    2207005: (ErrorKind.REJECTED, "Instagram needs JPEG images: convert {files} or pick another photo.", False),
    # (2207005 on files that ARE JPEGs, and 2207026 on photos, are worded by _instagram_message.)
    2207009: (
        ErrorKind.REJECTED,
        "Instagram accepts feed images from 4:5 (portrait) to 1.91:1 (landscape): crop {files} or pick "
        "the 4:5 rendition.",
        False,
    ),
    2207010: (
        ErrorKind.REJECTED,
        "The caption is too long for Instagram: keep it under 2,200 characters, 30 hashtags and 20 mentions.",
        False,
    ),
    2207028: (ErrorKind.REJECTED, "An Instagram carousel needs 2 to 10 photos or videos: add or remove items.", False),
    2207052: (
        ErrorKind.REJECTED,
        "Instagram could not download {files}: make sure the file is still in the library and publicly "
        "reachable (MEDIA_PUBLIC_BASE_URL or S3), then retry.",
        False,
    ),
    2207026: (
        ErrorKind.REJECTED,
        "Instagram cannot use the video {files}: export it as MP4 (H.264, AAC), 3 s to 15 min, 9:16, then retry.",
        False,
    ),
}
# The same Instagram failures named by their code alone (some answers carry no subcode).
IG_CODES = {36000: 2207004, 36001: 2207005, 36003: 2207009, 36004: 2207010, 9004: 2207052, 352: 2207026, 9007: 2207027}
META_RATE_CODES = {4, 17, 32, 613, 341} | set(range(80000, 80015))


def classify(
    platform: str,
    response: requests.Response | None = None,
    exc: BaseException | None = None,
    *,
    media: Iterable[MediaItem] = (),
    link: str = "",
) -> PlatformError:
    """One failed call of ``platform`` → PlatformError. Give the error ``response`` or the ``exc``.

    ``media`` (the items the call was about) and ``link`` only make messages more precise.
    """
    media = tuple(media)
    if response is None:
        if exc is None:
            raise ValueError("classify() needs a response or an exception")
        return classify_exception(platform, exc)
    body = _json(response)
    if platform in META:
        return _meta(platform, response, body, media, link)
    return {
        "publer": _publer,
        "x": _x,
        "linkedin": _linkedin,
        "google_business": _google,
    }.get(platform, _generic)(platform, response, body)


def classify_exception(platform: str, exc: BaseException) -> PlatformError:
    """A ``requests`` exception: nothing sent → retryable; sent but no answer → unknown outcome.

    A lost answer to a read (GET) is simply retryable: a read changes nothing.
    """
    name = NAMES.get(platform, platform)
    request = getattr(exc, "request", None)
    method = (getattr(request, "method", None) or "POST").upper()
    if isinstance(exc, requests.ConnectTimeout) or (isinstance(exc, requests.ConnectionError) and _never_sent(exc)):
        return PlatformError(ErrorKind.RETRYABLE, f"Could not reach {name} ({type(exc).__name__}).", platform=platform)
    if method in SAFE_METHODS:
        return PlatformError(
            ErrorKind.RETRYABLE,
            f"{name} did not answer in time ({type(exc).__name__}).",
            platform=platform,
        )
    if isinstance(exc, requests.RequestException):
        return PlatformError(
            ErrorKind.UNKNOWN_OUTCOME,
            f"{name} did not answer after the request was sent ({type(exc).__name__}): checking whether it went "
            "out before anything is sent again.",
            platform=platform,
        )
    return PlatformError(ErrorKind.RETRYABLE, f"{name}: {exc}", platform=platform)


def needs_new_container(error: PlatformError) -> bool:
    """Instagram: the container is dead (expired, failed upload…): a retry must create a new one."""
    entry = IG_SUBCODES.get(_int(error.subcode) or IG_CODES.get(_int(error.code) or 0, 0))
    return bool(entry and entry[2])


def instagram_container_error(status: str, media: Iterable[MediaItem] = ()) -> PlatformError:
    """A container whose ``status_code`` is ERROR (or EXPIRED): ``status`` is Instagram's text.

    The container can never be published, so whatever happens next needs a new one; the reason is
    classified by the subcode Instagram puts in the text ("… (2207026)"), rejected when unknown.
    """
    match = re.search(r"\b(2207\d{3})\b", status or "")
    subcode = int(match.group(1)) if match else None
    if subcode in IG_SUBCODES:
        kind, message = IG_SUBCODES[subcode][0], _instagram_message(subcode, tuple(media))
    else:
        kind, message = ErrorKind.REJECTED, f"Instagram could not process the media: {status or 'no reason given'}."
    return PlatformError(kind, message, platform="instagram", subcode=subcode, code="container_error")


def reconnect(name: str, said: str) -> str:
    """The one wording of a dead connection: what the platform said, and the reconnect, once."""
    return f"{name} no longer accepts this account's connection ({said}): reconnect the account under Social accounts."


def refused(name: str, said: str) -> str:
    """A refusal the platform explained in its own words: quote them, say what to do."""
    return f"{name} refused the post: {said.rstrip('. ')}. Change what it points out in the post, then press Retry."


def gave_up(attempts: int, error: PlatformError) -> str:
    """The final message of a target whose retryable failures used up its attempts."""
    name = NAMES.get(error.platform, error.platform)
    tries = f"{attempts} {'attempt' if attempts == 1 else 'attempts'}"
    return (
        f"Gave up after {tries}. The last one: {error.message.rstrip('.')}. When {name} works again "
        "(check its status page), press Retry."
    )


def _instagram_message(subcode: int, media: tuple[MediaItem, ...]) -> str:
    """An Instagram subcode's message, worded for the media concerned: 2207026 is about video
    formats, yet Instagram also answers it for photos; 2207005 on a file that is already a JPEG
    means the JPEG itself is unusual (CMYK, progressive…), not that it needs converting."""
    images = [m for m in media if m.kind == "image"]
    if subcode == 2207026 and media and not any(m.kind == "video" for m in media):
        return (
            f"Instagram could not process {', '.join(m.filename for m in images)} (unsupported format): export it "
            "as a standard JPEG (sRGB) or pick another photo, then retry."
        )
    if subcode == 2207005 and images and all(m.mime == "image/jpeg" for m in images):
        return (
            f"Instagram could not read {', '.join(m.filename for m in images)} although it is a JPEG: save it again "
            "as a standard JPEG (sRGB, not CMYK or progressive) or pick another photo, then retry."
        )
    return IG_SUBCODES[subcode][1].format(files=_names(media, subcode))


def slow_down(platform: str, response: requests.Response) -> tuple[float, str] | None:
    """Usage headers of a SUCCESSFUL answer → (seconds to wait before the next call, scope) or None."""
    headers = response.headers
    if platform in META:
        waits: list[tuple[float, str]] = []
        if _max_percent(_header_json(headers.get("X-App-Usage"))) >= SLOW_DOWN_AT:
            waits.append((META_SLOW_DOWN, "app"))
        for name in ("X-Business-Use-Case-Usage", "X-Page-Usage"):
            usages = _usage_entries(_header_json(headers.get(name)))
            if any(_max_percent(u) >= SLOW_DOWN_AT for u in usages):
                waits.append((max(META_SLOW_DOWN, _regain_seconds(usages) or 0), "account"))
        return max(waits) if waits else None
    if platform == "x":
        return _pace(headers, "x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset", "account")
    if platform == "publer":
        return _pace(headers, "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "app")
    return None


# Meta ---------------------------------------------------------------------------------------------


def _meta(
    platform: str, response: requests.Response, body: dict[str, Any], media: tuple[MediaItem, ...], link: str
) -> PlatformError:
    error = _dict(body.get("error"))
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    said = error.get("error_user_msg") or error.get("message") or f"HTTP {response.status_code}"
    name = NAMES[platform]

    def make(kind: ErrorKind, message: str, **extra: Any) -> PlatformError:
        return PlatformError(
            kind, message, platform=platform, code=code, subcode=subcode, http_status=response.status_code, **extra
        )

    ig_subcode = subcode if subcode in IG_SUBCODES else IG_CODES.get(code or 0)
    if ig_subcode:
        kind = IG_SUBCODES[ig_subcode][0]
        wait = IG_DAILY_LIMIT_WAIT if kind == ErrorKind.RATE_LIMITED else None
        if ig_subcode == 2207008:
            wait = DEFAULT_RETRY_AFTER
        return make(kind, _instagram_message(ig_subcode, media), retry_after=wait)
    if code in (190, 102):
        return make(ErrorKind.AUTH_EXPIRED, reconnect(name, said))
    if code in META_RATE_CODES:
        scope = "app" if code == 4 else "account"
        wait = _regain_seconds(_usage_entries(_header_json(response.headers.get("X-Business-Use-Case-Usage"))))
        wait = wait or _regain_seconds(_usage_entries(_header_json(response.headers.get("X-Page-Usage"))))
        return make(
            ErrorKind.RATE_LIMITED,
            f"{name} is throttling requests ({said}); waiting before trying again.",
            retry_after=wait or _retry_after(response) or DEFAULT_RETRY_AFTER,
            scope=scope,
        )
    if code in (1, 2) or response.status_code >= 500 or error.get("is_transient"):
        return make(ErrorKind.RETRYABLE, f"{name} had a temporary error ({said}).")
    if code == 10 or (code is not None and 200 <= code <= 299):
        return make(
            ErrorKind.REJECTED,
            f"{name} did not allow this ({said}): reconnect the account and grant every permission LocalBzz "
            "asks for (pages_manage_posts, pages_read_engagement, pages_show_list, instagram_content_publish, "
            "publish_video), as a person with full control of the page.",
        )
    if code == 368:
        return make(
            ErrorKind.REJECTED,
            f"{name} temporarily blocked posting from this account for a policy reason ({said}): check the "
            "account's quality notices in Meta Business Suite, then press Retry.",
        )
    if code == 506:
        return make(
            ErrorKind.REJECTED, f"{name} refused a duplicate: this exact text was just posted there. Change the text."
        )
    if code == 1609005:
        what = f"the link {link}" if link else "the link"
        return make(ErrorKind.REJECTED, f"{name} could not read {what}: check that it opens publicly, then retry.")
    if response.status_code == 401:
        return make(ErrorKind.AUTH_EXPIRED, reconnect(name, said))
    return make(ErrorKind.REJECTED, refused(name, said))


def _usage_entries(data: Any) -> list[dict[str, Any]]:
    """X-App-Usage / X-Page-Usage are one dict; X-Business-Use-Case-Usage maps ids to lists of dicts."""
    if not isinstance(data, dict):
        return []
    if any(isinstance(v, list) for v in data.values()):
        return [e for v in data.values() if isinstance(v, list) for e in v if isinstance(e, dict)]
    return [data]


def _max_percent(data: Any) -> float:
    entries = _usage_entries(data) if not (isinstance(data, dict) and "call_count" in data) else [data]
    values = [
        float(e.get(k) or 0) for e in entries for k in ("call_count", "total_cputime", "total_time", "acc_id_util_pct")
    ]
    return max(values, default=0.0)


def _regain_seconds(entries: list[dict[str, Any]]) -> float | None:
    minutes = [float(e.get("estimated_time_to_regain_access") or 0) for e in entries]
    best = max(minutes, default=0.0)
    return best * 60 if best > 0 else None


# Other platforms ----------------------------------------------------------------------------------


def _publer(platform: str, response: requests.Response, body: dict[str, Any]) -> PlatformError:
    status = response.status_code
    said = "; ".join(str(e) for e in body.get("errors") or []) or body.get("error") or f"HTTP {status}"
    if status == 429:
        return PlatformError(
            ErrorKind.RATE_LIMITED,
            f"Publer's rate limit was reached ({said}); waiting for its window to reset.",
            platform=platform,
            retry_after=_until(response.headers.get("X-RateLimit-Reset")) or DEFAULT_RETRY_AFTER,
            scope="app",
            http_status=status,
        )
    if status in (401, 403):
        return PlatformError(
            ErrorKind.AUTH_EXPIRED,
            f"Publer refused the API key or workspace ({said}): paste a current API key and workspace id in the "
            "client's Publer settings.",
            platform=platform,
            http_status=status,
        )
    if status == 413:
        said = "the file is larger than Publer's 200 MB limit: use a smaller file or a shorter video"
    return _status_default(platform, response, said)


def _x(platform: str, response: requests.Response, body: dict[str, Any]) -> PlatformError:
    status = response.status_code
    errors = _list(body.get("errors"))
    said = body.get("detail") or "; ".join(str(e.get("message") or e.get("detail") or e) for e in errors)
    said = said or body.get("title") or f"HTTP {status}"
    if status == 429:
        headers = response.headers
        scope, reset = "account", headers.get("x-rate-limit-reset")
        if headers.get("x-app-limit-24hour-remaining") == "0":
            scope, reset = "app", headers.get("x-app-limit-24hour-reset")
        elif headers.get("x-user-limit-24hour-remaining") == "0":
            reset = headers.get("x-user-limit-24hour-reset")
        return PlatformError(
            ErrorKind.RATE_LIMITED,
            f"X's rate limit was reached ({said}); waiting until it resets.",
            platform=platform,
            retry_after=_until(reset) or _retry_after(response) or DEFAULT_RETRY_AFTER,
            scope=scope,
            http_status=status,
        )
    if status == 401:
        return _auth(platform, status, said)
    if status in (400, 403):
        if "duplicate" in said.lower():
            message = f"X refused the post: {said.rstrip('.')}. Change the text: X refuses posting the same text twice."
        else:
            message = refused("X", said)
        return PlatformError(ErrorKind.REJECTED, message, platform=platform, http_status=status)
    return _status_default(platform, response, said)


def _linkedin(platform: str, response: requests.Response, body: dict[str, Any]) -> PlatformError:
    status = response.status_code
    said = body.get("message") or f"HTTP {status}"
    if status == 422 and "DUPLICATE" in response.text.upper():
        return PlatformError(
            ErrorKind.REJECTED,
            "LinkedIn refused a duplicate: this text is already posted on this page. Change the text.",
            platform=platform,
            http_status=status,
            code="DUPLICATE",
        )
    if status == 403:
        return PlatformError(
            ErrorKind.REJECTED,
            f"LinkedIn did not allow this ({said}): reconnect as an administrator of the page and grant posting "
            "permission.",
            platform=platform,
            http_status=status,
        )
    return _status_default(platform, response, said)


def _google(platform: str, response: requests.Response, body: dict[str, Any]) -> PlatformError:
    error = _dict(body.get("error"))
    said = error.get("message") or f"HTTP {response.status_code}"
    violations = [
        f"{v.get('field')}: {v.get('description')}"
        for d in error.get("details") or []
        for v in (d.get("fieldViolations") or [] if isinstance(d, dict) else [])
    ]
    if violations:
        said = f"{said} ({'; '.join(violations)})"
    if response.status_code == 403:
        return PlatformError(
            ErrorKind.REJECTED,
            f"Google did not allow this ({said}): reconnect with a Google account that manages the location.",
            platform=platform,
            http_status=403,
        )
    return _status_default(platform, response, said)


def _generic(platform: str, response: requests.Response, body: dict[str, Any]) -> PlatformError:
    return _status_default(platform, response, body.get("message") or f"HTTP {response.status_code}")


def _status_default(platform: str, response: requests.Response, said: str) -> PlatformError:
    """What an HTTP status alone says: 401 auth, 429 rate limit, 5xx retry, other 4xx rejected."""
    status, name = response.status_code, NAMES.get(platform, platform)
    if status == 401:
        return _auth(platform, status, said)
    if status == 429:
        return PlatformError(
            ErrorKind.RATE_LIMITED,
            f"{name}'s rate limit was reached ({said}); waiting before trying again.",
            platform=platform,
            retry_after=_retry_after(response) or DEFAULT_RETRY_AFTER,
            http_status=status,
        )
    if status >= 500 or status == 408:
        return PlatformError(
            ErrorKind.RETRYABLE,
            f"{name} had a temporary error ({said}).",
            platform=platform,
            retry_after=_retry_after(response),
            http_status=status,
        )
    return PlatformError(ErrorKind.REJECTED, refused(name, said), platform=platform, http_status=status)


def _auth(platform: str, status: int, said: str) -> PlatformError:
    return PlatformError(
        ErrorKind.AUTH_EXPIRED,
        reconnect(NAMES.get(platform, platform), said),
        platform=platform,
        http_status=status,
    )


# Small readers ------------------------------------------------------------------------------------


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _header_json(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _until(unix: str | None) -> float | None:
    """Seconds from now until a unix-time reset header (at least 1)."""
    stamp = _int(unix)
    return max(1.0, stamp - time.time()) if stamp else None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(1.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _pace(
    headers: Mapping[str, str], limit_name: str, remaining_name: str, reset_name: str, scope: str
) -> tuple[float, str] | None:
    """Spread what is left of a window evenly once less than 10% of it remains."""
    limit, remaining = _int(headers.get(limit_name)), _int(headers.get(remaining_name))
    wait = _until(headers.get(reset_name))
    if not limit or remaining is None or wait is None or remaining * 100 > limit * (100 - SLOW_DOWN_AT):
        return None
    return (wait if remaining <= 0 else wait / remaining), scope


def _never_sent(exc: BaseException) -> bool:
    """True when the connection could not even be opened (so the request never left)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, NewConnectionError | ConnectTimeoutError):
            return True
        stack.extend([*item.args, getattr(item, "reason", None), item.__cause__, item.__context__])
    return False


def _names(media: tuple[MediaItem, ...], subcode: int) -> str:
    """The files a message should name: the culprits when we can tell, else all of them."""
    tests: dict[int, Callable[[MediaItem], bool]] = {
        2207005: lambda m: m.kind == "image" and m.mime != "image/jpeg",
        2207004: lambda m: m.bytes > 8 * 1024 * 1024,
        2207026: lambda m: m.kind == "video",
    }
    test = tests.get(subcode)
    culprits = [m for m in media if test is None or test(m)] or list(media)
    if not culprits:
        return "the media"
    return ", ".join(m.filename for m in culprits)
