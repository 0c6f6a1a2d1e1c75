from __future__ import annotations

import json
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.utils import timezone

API_PREFIX = "/api/v1/"


class ApiTrailingSlashMiddleware:
    """API paths answer with and without a trailing slash (the seeds write `/api/v1/clients`).

    API routes are declared without one; a trailing slash is dropped before URL resolution,
    so both spellings reach the same view without a redirect (which would lose a POST body).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(API_PREFIX) and path.endswith("/") and len(path) > len(API_PREFIX):
            request.path_info = path.rstrip("/")
            request.path = request.path[: len(request.path) - (len(path) - len(request.path_info))]
        return self.get_response(request)


class HtmxMessagesMiddleware:
    """Django messages raised during an htmx request travel as an `HX-Trigger: toast` event,
    so the page shows them as toasts without re-rendering the layout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False):
            return response
        page_follows = any(header in response for header in ("HX-Redirect", "HX-Location", "HX-Refresh"))
        if 300 <= response.status_code < 400 or page_follows:
            return response  # the next full page shows them (an event on a page about to reload is lost)
        items = [{"level": m.level_tag, "message": str(m)} for m in messages.get_messages(request)]
        if not items:
            return response
        raw = response.headers.get("HX-Trigger", "")
        try:
            triggers = json.loads(raw) if raw.startswith("{") else {name: None for name in raw.split(",") if name}
        except ValueError:
            triggers = {}
        triggers["toast"] = {"items": items}
        response.headers["HX-Trigger"] = json.dumps(triggers)
        return response


class AgencyTimezoneMiddleware:
    """Staff see and enter times in the agency's time zone, a client on its portal in its own
    (storage stays UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = zoneinfo.ZoneInfo(settings.AGENCY_TIME_ZONE)

    def __call__(self, request):
        client = getattr(request, "portal_client", None)
        timezone.activate(client.tz if client is not None else self.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
