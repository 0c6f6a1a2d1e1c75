"""Failed sign-in throttling, shared by the staff login, the JWT endpoint and the portal login.

After ``LOGIN_FAILURE_LIMIT`` failures for the same identifier from the same address within
``LOGIN_LOCKOUT_SECONDS``, that pair is locked for the same window. One address is also capped
at ten times the limit across identifiers (password spraying). Counters live in the shared cache;
identifiers are hashed so no email address is kept in cache keys.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    if getattr(settings, "USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(identifier: str, ip: str) -> tuple[str, str]:
    digest = hashlib.sha256(f"{identifier.strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"signin:pair:{digest}", f"signin:ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"


def _lock_key(key: str) -> str:
    return key + ":locked"


def locked_for(identifier: str, ip: str) -> int:
    """Seconds until this identifier may try again from this address (0 = free to try)."""
    now = time.time()
    waits = [cache.get(_lock_key(key), 0) - now for key in _keys(identifier, ip)]
    return max(0, math.ceil(max(waits)))


def record_failure(identifier: str, ip: str) -> int:
    """Count a failed attempt; answers the lockout in seconds if this failure triggered one."""
    window = settings.LOGIN_LOCKOUT_SECONDS
    locked = 0
    limits = (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_LIMIT * 10)
    for key, limit in zip(_keys(identifier, ip), limits, strict=True):
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        if count >= limit:
            cache.set(_lock_key(key), time.time() + window, timeout=window)
            cache.delete(key)
            locked = window
    return locked


def clear(identifier: str, ip: str) -> None:
    pair_key, _ = _keys(identifier, ip)
    cache.delete_many([pair_key, _lock_key(pair_key)])


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many failed sign-in attempts. Try again in {minutes} {unit}, "
        "or reset your password if you have forgotten it."
    )


def answer_locked(response, form, identifier: str, request):
    """A sign-in page refused for a lockout answers 429 with ``Retry-After``, like the API."""
    if form.has_error("__all__", "locked"):
        response.status_code = 429
        response["Retry-After"] = str(max(1, locked_for(identifier, client_ip(request))))
    return response
