"""The browser-push endpoints ``static/js/push.js`` talks to, for the signed-in person: turn a
browser on (its subscription as JSON), turn it off, and remove one from the list.

These are plain handlers: the staff URLconf wraps them with ``staff_required`` (notifications.urls)
and the portal's with ``portal_required`` (hub.portal_urls), so each host decides who may use them.
Bad input answers 400 with ``{"error": ...}`` a person can act on.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse

from localbzz.queue import enqueue
from localbzz.text import counted
from notifications import push
from notifications.models import PushSubscription

MAX_BODY = 8_000  # bytes: a subscription is a few hundred
TEST_TASK = "notifications.tasks.push_test"


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _json(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ValidationError("That is too long for a browser subscription.")
    try:
        data = json.loads(request.body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValidationError("Send the browser's PushSubscription as a JSON object (endpoint and keys).")
    return data


def _browser(subscription: PushSubscription) -> dict[str, Any]:
    return {"id": subscription.pk, "browser": subscription.browser, "added": subscription.created.isoformat()}


def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error("POST the browser's subscription here.", 405)
    try:
        subscription = push.push_subscribe(
            user=request.user,  # type: ignore[arg-type]  # signed in: the host's decorator checked
            subscription=_json(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    return JsonResponse(_browser(subscription), status=201)


def unsubscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error("POST the browser's endpoint here.", 405)
    try:
        endpoint = str(_json(request).get("endpoint") or "")
        forgotten = push.push_unsubscribe(user=request.user, endpoint=endpoint)  # type: ignore[arg-type]
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    return JsonResponse({"forgotten": forgotten})


def check(request: HttpRequest) -> HttpResponse:
    """Whether this browser's subscription is one of the person's (it may have been removed from
    the list, or forgotten after its push service said 410): push.js shows "on" only then."""
    if request.method != "POST":
        return _error("POST the browser's endpoint here.", 405)
    try:
        endpoint = str(_json(request).get("endpoint") or "")
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    mine = push.push_known(user=request.user, endpoint=endpoint)  # type: ignore[arg-type]
    return JsonResponse({"known": mine})


def send_test(request: HttpRequest, settings_url: str) -> None:
    """Queue a test notification to the person's browsers (a form post) and say so."""
    browsers = len(push.push_browsers(request.user))  # type: ignore[arg-type]
    if not browsers:
        messages.error(request, "No browser gets notifications yet: turn them on in this browser first.")
        return
    enqueue(TEST_TASK, request.user.pk, request.build_absolute_uri(settings_url), group="notifications")
    where = "your browser" if browsers == 1 else f"your {counted(browsers, 'browser')}"
    messages.success(request, f"A test notification is on its way to {where}.")


def remove(request: HttpRequest, pk: int) -> int:
    """Forget one browser from the list (a form post); answers how many (0: not one of theirs)."""
    return push.push_unsubscribe(user=request.user, pk=pk)  # type: ignore[arg-type]


def panel_context(request: HttpRequest, *, subscribe_url: str, unsubscribe_url: str) -> dict[str, Any]:
    """What ``notifications/partials/push_panel.html`` needs: the key, the URLs, the browsers."""
    return {
        "push_enabled": push.enabled(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "push_subscribe_url": subscribe_url,
        "push_unsubscribe_url": unsubscribe_url,
        "push_check_url": subscribe_url + "check/",
        "remove_base": subscribe_url,  # <subscribe_url><id>/remove/ forgets one browser of the list
        "browsers": push.push_browsers(request.user),  # type: ignore[arg-type]
    }
