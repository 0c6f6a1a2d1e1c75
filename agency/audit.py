"""Security events in the audit log: sign-ins, sign-outs, failed sign-ins and access denials.

Sign-ins go through Django's auth signals (``user_logged_in``, ``user_logged_out``,
``user_login_failed``), connected in ``AgencyConfig.ready``: the staff login, the portal login
and both JWT endpoints send them (the JWT views send ``user_logged_in`` themselves, as they do
not call ``login()``). Denials are recorded by :class:`DenialAuditMiddleware` once the response
is a 403 — outside the view and its transaction, so a rolled-back write cannot take the record
with it. Passwords are never read from the signal's credentials: only the identifier is kept.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model, signals
from django.contrib.auth.signals import user_logged_in, user_login_failed

from agency.services.activity import record_event
from localbzz.http import denied_action
from localbzz.signin_throttle import client_ip

logger = logging.getLogger(__name__)

USER_AGENT_MAX = 200
IDENTIFIER_MAX = 254
IDENTIFIER_KEYS = ("username", "email", "identifier")  # the only credentials ever read


def _surface(request) -> str:
    if request is None:
        return "unknown"
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "api"
    if getattr(request, "portal_client", None) is not None:
        return "portal"
    return "staff"


def request_facts(request) -> dict[str, str]:
    """Where a request came from: surface, IP and user agent (truncated)."""
    if request is None:
        return {"surface": "unknown"}
    meta = getattr(request, "META", {}) or {}
    return {
        "surface": _surface(request),
        "ip": client_ip(request),
        "user_agent": str(meta.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX],
    }


def _safely(record, *args) -> None:
    # A failing audit write must not turn a sign-in or an error page into a 500.
    try:
        record(*args)
    except Exception:
        logger.exception("Could not record an audit event (%s)", getattr(record, "__name__", record))


def _record_signed_in(request, user) -> None:
    record_event(user, "auth.signed_in", user, request_facts(request))


def _record_signed_out(request, user) -> None:
    if user is not None and getattr(user, "pk", None):
        record_event(user, "auth.signed_out", user, request_facts(request))


def _record_failed(request, credentials: dict) -> None:
    identifier = ""
    for key in IDENTIFIER_KEYS:
        if credentials.get(key):
            identifier = str(credentials[key]).strip()[:IDENTIFIER_MAX]
            break
    attempted = get_user_model().objects.filter(email__iexact=identifier).first() if "@" in identifier else None
    record_event(None, "auth.sign_in_failed", attempted, {"identifier": identifier, **request_facts(request)})


def on_logged_in(sender, request, user, **kwargs) -> None:
    _safely(_record_signed_in, request, user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    _safely(_record_signed_out, request, user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    _safely(_record_failed, request, credentials or {})


def connect() -> None:
    signals.user_logged_in.connect(on_logged_in, dispatch_uid="agency.audit.logged_in")
    signals.user_logged_out.connect(on_logged_out, dispatch_uid="agency.audit.logged_out")
    signals.user_login_failed.connect(on_login_failed, dispatch_uid="agency.audit.login_failed")


def login_failed(request, identifier: str) -> None:
    """Send ``user_login_failed`` for a refusal that did not come from ``authenticate()``
    (a valid password of someone who may not use this surface, an unknown business name)."""
    user_login_failed.send(sender=__name__, credentials={"username": identifier}, request=request)


def logged_in(request, user) -> None:
    """Send ``user_logged_in`` for token sign-ins (the JWT endpoints do not call ``login()``)."""
    user_logged_in.send(sender=user.__class__, request=request, user=user)


def _record_denial(request, user) -> None:
    record_event(
        user,
        "access.denied",
        user,
        {
            "action": denied_action(request),
            "method": request.method,
            "path": request.path[:500],
            **request_facts(request),
        },
    )


class DenialAuditMiddleware:
    """Records every 403 answered to a signed-in person (who, which action, which path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                _safely(_record_denial, request, user)
        return response
