"""Staff pages: the bell (count and menu, htmx partials), the notifications page, read marks and
each person's preferences. Everyone sees only their own notifications (another's id is a 404)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agency.permissions import staff_required
from agency.types import StaffRequest
from notifications import selectors, services, views_push
from notifications.kinds import CHANNELS, KINDS
from notifications.models import Notification

CHANGED = "notifications-changed"  # htmx event: the bell's count reloads
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _mine(request: HttpRequest, pk) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=request.user, in_app=True)


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = CHANGED
    return response


@staff_required()
def bell_count(request: StaffRequest) -> HttpResponse:
    """The unread count; with ``after`` (the newest notification the page knew of), the unread ones
    made since as toasts. The answer names the newest for the next read."""
    after = request.GET.get("after", "")
    since = parse_datetime(after) if after else None
    if after and (since is None or since.tzinfo is None):
        return HttpResponseBadRequest(
            "after must be an ISO 8601 date-time with its offset, e.g. 2026-12-07T01:00:00+00:00."
        )
    toasts = selectors.unread_since(request.user, since) if since else []
    if toasts:
        newest = toasts[0].created_at
    elif since is None:
        first = selectors.latest(request.user, limit=1)
        newest = first[0].created_at if first else EPOCH  # none yet: every one to come is new
    else:
        newest = since
    context = {
        "count": selectors.unread_count(request.user),
        "poll": settings.NOTIFICATIONS_POLL_SECONDS,
        "after": newest.isoformat(),
        "toasts": toasts,
    }
    return render(request, "notifications/partials/count.html", context)


@staff_required()
def bell_menu(request: StaffRequest) -> HttpResponse:
    return _menu(request)


def _menu(request: StaffRequest) -> HttpResponse:
    items = selectors.latest(request.user)
    unread = sum(1 for n in items if n.read_at is None)
    return render(request, "notifications/partials/menu.html", {"items": items, "unread": unread})


@staff_required()
def notification_list(request: StaffRequest) -> HttpResponse:
    return _list(request)


def _list(request: StaffRequest) -> HttpResponse:
    unread_only = (request.GET.get("show") or request.POST.get("show")) == "unread"
    page = Paginator(selectors.notifications_of(request.user, unread_only=unread_only), 25).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "unread_only": unread_only, "unread": selectors.unread_count(request.user)}
    template = "notifications/list.html#results" if request.htmx else "notifications/list.html"
    return render(request, template, context)


@require_POST
@staff_required()
def notification_open(request: StaffRequest, pk) -> HttpResponse:
    """Mark read and go to what it is about."""
    notification = _mine(request, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    safe = notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None)
    return redirect(notification.link if safe else "notifications")


@require_POST
@staff_required()
def notification_read(request: StaffRequest, pk) -> HttpResponse:
    notification = _mine(request, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        return _changed(render(request, "notifications/partials/item.html", {"n": notification}))
    return redirect(_back(request))


@require_POST
@staff_required()
def notification_read_all(request: StaffRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        if request.POST.get("where") == "menu":
            return _changed(_menu(request))
        return _changed(_list(request))
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notifications"


@staff_required()
def preferences(request: StaffRequest) -> HttpResponse:
    current = selectors.preferences_of(request.user)
    if request.method == "POST":
        choices = {key: {ch: request.POST.get(f"{key}.{ch}") == "on" for ch in CHANNELS} for key in current}
        services.preferences_save(user=request.user, choices=choices)
        messages.success(request, "Your notification choices are saved.")
        return redirect("notification-preferences")
    rows = [{"kind": KINDS[key], **channels} for key, channels in current.items()]
    context = views_push.panel_context(
        request, subscribe_url=reverse("push-subscribe"), unsubscribe_url=reverse("push-unsubscribe")
    )
    return render(request, "notifications/preferences.html", {"rows": rows, "email": request.user.email, **context})


# Browser push: this browser on/off (JSON, from static/js/push.js) and the list of browsers ---------


@staff_required()
def push_subscribe(request: StaffRequest) -> HttpResponse:
    return views_push.subscribe(request)


@staff_required()
def push_unsubscribe(request: StaffRequest) -> HttpResponse:
    return views_push.unsubscribe(request)


@staff_required()
def push_check(request: StaffRequest) -> HttpResponse:
    return views_push.check(request)


@require_POST
@staff_required()
def push_test(request: StaffRequest) -> HttpResponse:
    views_push.send_test(request, reverse("notification-preferences"))
    return redirect("notification-preferences")


@require_POST
@staff_required()
def push_remove(request: StaffRequest, pk: int) -> HttpResponse:
    if views_push.remove(request, pk):
        messages.success(request, "That browser gets no more notifications.")
    return redirect("notification-preferences")
