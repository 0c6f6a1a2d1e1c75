"""Types of the requests our middleware decorates, for views and the type checker (docs/architecture.md,
"Types"), and the one note a request carries for the audit trail."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    """A request through django-htmx's middleware (every request of ours): ``request.htmx`` is falsy
    unless htmx sent it."""

    htmx: HtmxDetails


def note_denied_action(request: HttpRequest, action: str) -> None:
    """Remember on the request which action a 403 refused, for agency.audit's record of the denial."""
    request.denied_action = action  # type: ignore[attr-defined]  # a per-request note; HttpRequest declares no such field


def denied_action(request: HttpRequest) -> str:
    return getattr(request, "denied_action", "") or ""
