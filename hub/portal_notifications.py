"""A client's notification settings on its portal: which browser notifications each portal user
wants (the client kinds of ``notifications.kinds``) and the browsers they turned on. Only the
signed-in person's own choices and browsers; another client's people get a 404 (portal_required)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from notifications import selectors, services, views_push
from notifications.kinds import KINDS
from portal.permissions import portal_required


@portal_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = selectors.preferences_of(user)  # type: ignore[arg-type]  # portal_required: signed in
    if request.method == "POST":
        choices = {key: {"push": request.POST.get(f"{key}.push") == "on"} for key in current}
        services.preferences_save(user=user, choices=choices)  # type: ignore[arg-type]
        messages.success(request, "Your notification choices are saved.")
        return redirect("portal-notifications")
    context = views_push.panel_context(
        request, subscribe_url=reverse("portal-push-subscribe"), unsubscribe_url=reverse("portal-push-unsubscribe")
    )
    rows = [{"kind": KINDS[key], **channels} for key, channels in current.items()]
    return render(request, "portal/notifications.html", {"rows": rows, **context})


@portal_required
def subscribe(request: HttpRequest) -> HttpResponse:
    return views_push.subscribe(request)


@portal_required
def unsubscribe(request: HttpRequest) -> HttpResponse:
    return views_push.unsubscribe(request)


@portal_required
def check(request: HttpRequest) -> HttpResponse:
    return views_push.check(request)


@require_POST
@portal_required
def send_test(request: HttpRequest) -> HttpResponse:
    views_push.send_test(request, reverse("portal-notifications"))
    return redirect("portal-notifications")


@require_POST
@portal_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    if views_push.remove(request, pk):
        messages.success(request, "That browser gets no more notifications.")
    return redirect("portal-notifications")
