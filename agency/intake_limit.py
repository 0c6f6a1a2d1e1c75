"""Per-address rate limit of the public intake form (shared by the page and the API)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def allow(ip: str) -> bool:
    """Count one submission from ``ip``; False once it made INTAKE_RATE_PER_HOUR this hour."""
    key = "intake:" + hashlib.sha256(ip.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= settings.INTAKE_RATE_PER_HOUR
