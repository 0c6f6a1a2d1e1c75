"""Staff pages for outgoing webhooks (admins and owners): list, create, edit, delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agency.permissions import staff_required
from agency.types import StaffRequest
from integrations import selectors
from integrations.forms import DeliveryFilterForm, WebhookForm
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks import deliveries, endpoints
from localbzz.events import EVENT_NAMES
from localbzz.forms import process
from localbzz.http import HtmxRequest

SECRET_SESSION_KEY = "integrations.new_webhook_secret"


@staff_required("manage_integrations")
def webhook_list(request: HttpRequest) -> HttpResponse:
    return render(request, "integrations/webhooks/list.html", {"endpoints": selectors.webhook_endpoints()})


@staff_required("manage_integrations")
def webhook_new(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None, initial={"is_active": True})

    def save(data):
        return endpoints.webhook_endpoint_create(actor=request.user, **data)

    response, saved = process(request, form, save)
    if response:
        return response
    if saved:
        endpoint, secret = saved
        request.session[SECRET_SESSION_KEY] = {"id": str(endpoint.pk), "secret": secret}
        messages.success(request, "The webhook is registered. Copy its signing secret now.")
        return redirect("webhook-detail", endpoint.pk)
    return render(request, "integrations/webhooks/form.html", {"form": form, "event_names": EVENT_NAMES})


def _deliveries_page(request: HttpRequest, endpoint: WebhookEndpoint) -> dict:
    filters = DeliveryFilterForm(request.GET or None)
    status = event_type = ""
    if filters.is_valid():
        status, event_type = filters.cleaned_data["status"], filters.cleaned_data["event_type"]
    qs = selectors.webhook_deliveries(endpoint, status=status, event_type=event_type)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return {"filters": filters, "page": page, "filtered": bool(status or event_type)}


@staff_required("manage_integrations")
def webhook_detail(request: HtmxRequest, pk) -> HttpResponse:
    endpoint = get_object_or_404(selectors.webhook_endpoints(), pk=pk)
    if request.htmx and request.method == "GET" and request.htmx.target == "deliveries":
        return render(
            request,
            "integrations/webhooks/detail.html#deliveries",
            {"endpoint": endpoint, **_deliveries_page(request, endpoint)},
        )
    initial = {k: getattr(endpoint, k) for k in ("url", "description", "all_events", "events", "is_active")}
    form = WebhookForm(request.POST or None, initial=initial)
    response, saved = process(
        request, form, lambda data: endpoints.webhook_endpoint_update(actor=request.user, endpoint=endpoint, **data)
    )
    if response:
        return response
    if saved:
        messages.success(request, "The webhook is saved.")
        return redirect("webhook-detail", endpoint.pk)
    new_secret = request.session.get(SECRET_SESSION_KEY)
    secret = None
    if new_secret and new_secret.get("id") == str(endpoint.pk):
        secret = new_secret["secret"]
        del request.session[SECRET_SESSION_KEY]  # shown once
    return render(
        request,
        "integrations/webhooks/detail.html",
        {"endpoint": endpoint, "form": form, "secret": secret, **_deliveries_page(request, endpoint)},
    )


@require_POST
@staff_required("manage_integrations")
def webhook_reveal_secret(request: HttpRequest, pk) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    return render(
        request, "integrations/webhooks/detail.html#secret", {"endpoint": endpoint, "secret": endpoint.secret}
    )


@require_POST
@staff_required("manage_integrations")
def webhook_delete(request: HttpRequest, pk) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    endpoints.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
    messages.success(request, f"The webhook to {endpoint.url} is deleted.")
    return redirect("webhooks")


def _after_action(request: HtmxRequest, endpoint_pk) -> HttpResponse:
    endpoint = get_object_or_404(selectors.webhook_endpoints(), pk=endpoint_pk)
    if request.htmx:
        return render(
            request,
            "integrations/webhooks/detail.html#deliveries",
            {"endpoint": endpoint, **_deliveries_page(request, endpoint)},
        )
    return redirect("webhook-detail", endpoint.pk)


@require_POST
@staff_required("manage_integrations")
def webhook_ping(request: StaffRequest, pk: str) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    try:
        deliveries.webhook_ping(actor=request.user, endpoint=endpoint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "A test ping is on its way; its result appears in the log.")
    return _after_action(request, endpoint.pk)


@require_POST
@staff_required("manage_integrations")
def webhook_redeliver(request: StaffRequest, pk: str, delivery_id: str) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=delivery_id, endpoint=pk)
    try:
        deliveries.webhook_redeliver(actor=request.user, delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{delivery.event_type} ({delivery.event_id}) is being delivered again.")
    return _after_action(request, pk)
