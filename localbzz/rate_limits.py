"""Request rate limits: one throttle class per rule, used by the API (DRF) and by pages alike.

Each rule counts requests in the shared cache (Redis in production) per signed-in user, or per
address when anonymous, over a sliding window (DRF's ``SimpleRateThrottle``). Rates are read from
settings at request time (``RATE_LIMIT_*``, ``INTAKE_RATE_PER_HOUR``), so the environment sets
them. Over the limit the API answers 429 with the error envelope (code ``rate_limited``) and the
pages answer ``templates/429.html``; both send ``Retry-After``. Repeated *failed* sign-ins are a
separate rule, kept in ``localbzz.signin_throttle``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from localbzz.signin_throttle import client_ip


def retry_message(wait: float | None) -> str:
    """ "Too many requests" with when to try again, in words a person reads."""
    if wait is None:
        return "Too many requests: wait a moment, then try again."
    seconds = max(1, math.ceil(wait))
    if seconds < 120:
        when = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        when = f"{minutes} minutes"
    return f"Too many requests: try again in {when}."


class RateLimited(Throttled):
    """DRF's 429 with our message as is (given ``wait``, DRF's own appends "Expected available in…");
    ``wait`` is what DRF's handler reads for ``Retry-After`` (set by DRF too, undeclared in its stubs)."""

    wait: int | None

    def __init__(self, wait: float | None, detail: str) -> None:
        super().__init__(detail=detail)
        self.wait = math.ceil(wait) if wait is not None else None


def throttled(wait: float | None, message: str = "") -> Throttled:
    """The API's 429 with our message as is, ``Retry-After`` from ``wait``."""
    return RateLimited(wait, message or retry_message(wait))


def intake_message(wait: float) -> str:
    return "Too many submissions from your network this hour. " + retry_message(wait).split(": ", 1)[1].capitalize()


class RateLimit(SimpleRateThrottle):
    """A rule: ``scope`` names its counters, ``rate_setting`` the setting holding its rate."""

    rate_setting = ""
    per_user = True

    def __init__(self):  # the rate is read per request, so settings (and tests) can change it
        pass

    def get_rate(self) -> str | None:
        return getattr(settings, self.rate_setting) or None

    def allow_request(self, request, view) -> bool:
        if not settings.RATE_LIMIT_ENABLED:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request) -> str:
        return client_ip(request)  # one rule for which address a request comes from

    def get_cache_key(self, request, view) -> str | None:
        user = getattr(request, "user", None)
        if self.per_user and user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginRate(RateLimit):
    """Sign-in attempts (staff page, JWT obtain and refresh, portal page, client API), per address."""

    scope = "login"
    rate_setting = "RATE_LIMIT_LOGIN"
    per_user = False


class UploadRate(RateLimit):
    """Upload requests (staff media API, portal upload box, client media API). Reads are not counted."""

    scope = "upload"
    rate_setting = "RATE_LIMIT_UPLOAD"

    def allow_request(self, request, view) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS") or super().allow_request(request, view)


class IntakeRate(RateLimit):
    """Public lead form submissions per address (page and API)."""

    scope = "intake"
    per_user = False

    def get_rate(self) -> str:
        return f"{settings.INTAKE_RATE_PER_HOUR}/hour"


class ApiUserRate(RateLimit):
    """Every API call of a signed-in user (the default throttle of the API)."""

    scope = "api_user"
    rate_setting = "RATE_LIMIT_API_USER"

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        return not (user and user.is_authenticated) or super().allow_request(request, view)


class ApiAnonRate(RateLimit):
    """Every anonymous API call, per address."""

    scope = "api_anon"
    rate_setting = "RATE_LIMIT_API_ANON"
    per_user = False

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated) or super().allow_request(request, view)


# DRF's throttle_classes for the API's upload endpoints: the general API limits plus uploads'.
UPLOAD_THROTTLES = [ApiUserRate, ApiAnonRate, UploadRate]


def check(request: HttpRequest, rule: type[RateLimit]) -> float | None:
    """Count this request against ``rule``: None when allowed, else the seconds to wait."""
    throttle = rule()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 1


def too_many(request: HttpRequest, wait: float | None, message: str = "", *, as_json: bool = False) -> HttpResponse:
    """The 429 answer of a page (or of a page's JSON endpoint), with ``Retry-After``."""
    message = message or retry_message(wait)
    if as_json:
        body = {"error": {"code": "rate_limited", "message": message,
                          "details": {"retry_after_seconds": math.ceil(wait or 0)}}}  # fmt: skip
        response: HttpResponse = JsonResponse(body, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    if wait:
        response["Retry-After"] = str(math.ceil(wait))
    return response


def limit(rule: type[RateLimit], *, methods: tuple[str, ...] = ("POST",), as_json: bool = False) -> Callable:
    """View decorator: requests with one of ``methods`` count against ``rule``; over it, 429."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                wait = check(request, rule)
                if wait is not None:
                    return too_many(request, wait, as_json=as_json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
