"""Leads (with the public, embeddable intake form) and client portal requests."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agency import permissions, selectors
from agency.filters import LeadFilter, RequestFilter
from agency.forms import LeadApproveForm, LeadIntakeForm, LeadRejectForm, PortalRequestForm, RequestReplyForm
from agency.models import Client, Lead, PortalRequest
from agency.permissions import staff_required
from agency.services import inbox as services
from agency.services.clients import slug_suggest
from localbzz import rate_limits
from localbzz.app_urls import app_url
from localbzz.http import HtmxRequest
from localbzz.listing import csv_response, filtered_queryset, list_page

# Leads ---------------------------------------------------------------------------------------


def _frameable(response: HttpResponse) -> HttpResponse:
    # The one page others may frame: django-csp swaps 'none' for the configured origins.
    response._csp_replace = {"frame-ancestors": settings.INTAKE_FRAME_ANCESTORS}  # type: ignore[attr-defined]  # django-csp reads it
    return response


@csrf_exempt  # public, no session: a cross-site iframe would not send the CSRF cookie anyway
@xframe_options_exempt  # framing is decided by the CSP frame-ancestors list instead
def intake_form(request: HttpRequest) -> HttpResponse:
    """The public intake form (no sign-in), embeddable on the agency's website."""
    form = LeadIntakeForm(request.POST or None)
    if request.method == "POST":
        wait = rate_limits.check(request, rate_limits.IntakeRate)
        if wait is not None:
            context = {"form": form, "limited": rate_limits.intake_message(wait)}
            response = render(request, "agency/leads/intake.html", context, status=429)
            response["Retry-After"] = str(math.ceil(wait))
            return _frameable(response)
        if form.is_spam():  # a bot filled the hidden field: look successful, store nothing
            return _frameable(render(request, "agency/leads/intake_thanks.html"))
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "company_url"}
            services.lead_submit(source=Lead.Source.WEBSITE, **data)
            return _frameable(render(request, "agency/leads/intake_thanks.html"))
    return _frameable(render(request, "agency/leads/intake.html", {"form": form}))


LEAD_SORT = {"created_at": "created_at", "business_name": "business_name", "status": "status"}


@staff_required()
def lead_list(request: HtmxRequest) -> HttpResponseBase:
    queryset = selectors.leads()
    if request.GET.get("format") == "csv":
        rows = filtered_queryset(request, queryset, LeadFilter, sort_fields=LEAD_SORT, default_sort=("-created_at",))
        header = ["id", "created_at", "status", "business_name", "contact_name", "email", "phone", "website",
                  "industry", "location", "services", "budget", "message", "source", "rejection_reason"]  # fmt: skip
        return csv_response("leads.csv", header, rows, lambda x: [getattr(x, f) for f in header])
    listing = list_page(request, queryset, LeadFilter, sort_fields=LEAD_SORT, default_sort=("-created_at",))
    context = {
        "listing": listing,
        "new_count": Lead.objects.filter(status=Lead.Status.NEW).count(),
        "intake_url": app_url(reverse("intake-form")),  # the address to embed on the agency's website
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "agency/leads/list.html#results", context)
    return render(request, "agency/leads/list.html", context)


@staff_required()
def lead_detail(request: HttpRequest, pk) -> HttpResponse:
    lead = get_object_or_404(selectors.leads(), pk=pk)

    return render(
        request,
        "agency/leads/detail.html",
        {
            "lead": lead,
            "approve_form": LeadApproveForm(
                initial={"slug": slug_suggest(lead.business_name), "timezone": lead.timezone}
            ),
            "reject_form": LeadRejectForm(),
            "activity": selectors.activity_for(lead),
            "can_decide": permissions.can(request.user, "manage_clients"),
        },
    )


@require_POST
@staff_required("manage_clients")
def lead_approve(request: HttpRequest, pk) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=pk)
    form = LeadApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the portal address, the time zone and the monthly post limit.")
        return redirect("lead-detail", pk)
    overrides = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    try:
        client = services.lead_approve(actor=request.user, lead=lead, **overrides)
    except ValidationError as error:
        messages.error(request, "Not approved: " + " ".join(error.messages))
        return redirect("lead-detail", pk)
    messages.success(request, f"{client.name} is now a client. Review their details and invite them to the portal.")
    return redirect("client-detail", client.pk)


@require_POST
@staff_required("manage_clients")
def lead_reject(request: HttpRequest, pk) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=pk)
    try:
        services.lead_reject(actor=request.user, lead=lead, reason=request.POST.get("reason", ""))
        messages.success(request, f"The lead from {lead.business_name} is rejected.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("lead-detail", pk)


# Portal requests ---------------------------------------------------------------------------

REQUEST_SORT = {"created_at": "created_at", "priority": "priority", "status": "status", "client": "client__name"}


@staff_required()
def request_list(request: HtmxRequest) -> HttpResponseBase:
    queryset = selectors.portal_requests()
    if request.GET.get("format") == "csv":
        rows = filtered_queryset(
            request, queryset, RequestFilter, sort_fields=REQUEST_SORT, default_sort=("-created_at",)
        )
        header = ["id", "created_at", "client", "type", "topic", "priority", "status", "content", "messages"]
        return csv_response(
            "requests.csv",
            header,
            rows,
            lambda r: [
                r.pk,
                r.created_at,
                r.client.name,
                r.kind,
                r.topic,
                r.priority,
                r.status,
                r.content,
                r.message_count,
            ],
        )
    listing = list_page(request, queryset, RequestFilter, sort_fields=REQUEST_SORT, default_sort=("-created_at",))
    context = {
        "listing": listing,
        "clients": Client.objects.order_by("name").only("pk", "name"),
        "form": PortalRequestForm(),
        "can_edit": permissions.can(request.user, "edit_content"),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "agency/requests/list.html#results", context)
    return render(request, "agency/requests/list.html", context)


@require_POST
@staff_required("edit_content")
def request_create(request: HttpRequest) -> HttpResponse:
    """Staff log a request on a client's behalf (e.g. after a phone call)."""
    form = PortalRequestForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        portal_request = services.portal_request_create(actor=request.user, **data)
        messages.success(request, "Request logged.")
        return redirect("request-detail", portal_request.pk)
    messages.error(request, "Not logged: " + "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("requests")


@staff_required()
def request_detail(request: HttpRequest, pk) -> HttpResponse:
    portal_request = get_object_or_404(selectors.portal_requests(), pk=pk)
    return render(
        request,
        "agency/requests/detail.html",
        {
            "r": portal_request,
            "conversation": portal_request.messages.all(),
            "form": RequestReplyForm(),
            "statuses": PortalRequest.Status.values,
            "activity": selectors.activity_for(portal_request),
            "can_edit": permissions.can(request.user, "edit_content"),
        },
    )


@require_POST
@staff_required("edit_content")
def request_reply(request: HttpRequest, pk) -> HttpResponse:
    portal_request = get_object_or_404(PortalRequest, pk=pk)
    try:
        services.request_reply(actor=request.user, request=portal_request, body=request.POST.get("body", ""))
        messages.success(request, "Reply sent.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("request-detail", pk)


@require_POST
@staff_required("edit_content")
def request_set_status(request: HttpRequest, pk) -> HttpResponse:
    portal_request = get_object_or_404(PortalRequest, pk=pk)
    try:
        services.portal_request_set_status(
            actor=request.user, request=portal_request, status=request.POST.get("status", "")
        )
        messages.success(request, f"Request marked {portal_request.status.lower()}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("request-detail", pk)
