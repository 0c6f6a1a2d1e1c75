"""Client pages: the list (search as you type, filters, sort, CSV), detail tabs, forms, import."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from agency import client_tabs, permissions, selectors
from agency.filters import CampaignFilter, ClientFilter
from agency.forms import CampaignForm, ClientForm, ClientImportForm, campaign_choices, parse_uuid
from agency.models import Campaign, Client
from agency.permissions import staff_required
from agency.services import client_data
from agency.services import clients as client_services
from agency.types import StaffRequest
from localbzz.forms import add_errors, live_validation, process
from localbzz.http import HtmxRequest
from localbzz.listing import csv_response, filtered_queryset, list_page
from localbzz.text import counted

SORT_FIELDS = {
    "name": "name",
    "status": "status",
    "created_at": "created_at",
    "monthly_post_limit": "monthly_post_limit",
}
DEFAULT_SORT = ("name",)
CSV_HEADER = [
    "id", "name", "slug", "status", "industry", "location", "website", "primary_contact_name",
    "primary_contact_email", "primary_contact_phone", "timezone", "shoot_frequency", "monthly_post_limit",
    "portal_enabled", "open_deliverables", "open_tasks", "upcoming_shoots", "created_at",
]  # fmt: skip


@staff_required()
def client_list(request: HtmxRequest) -> HttpResponseBase:
    queryset = selectors.clients()
    if request.GET.get("format") == "csv":
        rows = filtered_queryset(request, queryset, ClientFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT)
        return csv_response(
            "clients.csv", CSV_HEADER, rows.iterator(chunk_size=500), lambda c: [getattr(c, f) for f in CSV_HEADER]
        )
    listing = list_page(request, queryset, ClientFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT)
    template = (
        "agency/clients/list.html#results" if request.htmx and not request.htmx.boosted else "agency/clients/list.html"
    )
    return render(
        request, template, {"listing": listing, "can_manage": permissions.can(request.user, "manage_clients")}
    )


@staff_required("manage_clients")
def client_create(request: HttpRequest) -> HttpResponse:
    form = live_validation(ClientForm(request.POST or None, request.FILES or None), request.path)
    response, client = process(request, form, lambda data: client_services.client_create(actor=request.user, **data))
    if response:
        return response
    if client:
        messages.success(request, f"{client.name} is added. Their portal: {client.portal_url}")
        return redirect("client-detail", client.pk)
    return render(request, "agency/clients/form.html", {"form": form, "client": None})


@staff_required("manage_clients")
def client_edit(request: HttpRequest, pk) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    form = live_validation(ClientForm(request.POST or None, request.FILES or None, instance=client), request.path)

    def save(data):
        if data.get("logo") is None:  # no new file: keep the current logo
            data.pop("logo", None)
        elif data["logo"] is False:  # "clear" ticked
            data["logo"] = ""
        return client_services.client_update(actor=request.user, client=Client.objects.get(pk=pk), **data)

    response, saved = process(request, form, save)
    if response:
        return response
    if saved:
        messages.success(request, f"{saved.name} is saved.")
        return redirect("client-detail", saved.pk)
    return render(request, "agency/clients/form.html", {"form": form, "client": client})


# (slug, label) of the client page's own tabs; other apps add theirs after the overview.
TABS = [
    ("overview", "Overview"), ("shoots", "Shoots"), ("deliverables", "Deliverables"), ("tasks", "Tasks"),
    ("campaigns", "Campaigns"), ("requests", "Requests"), ("activity", "Activity"),
]  # fmt: skip


@staff_required()
def client_detail(request: HttpRequest, pk, tab: str = "overview") -> HttpResponse:
    added = {t.slug: t for t in client_tabs.registered()}
    if tab not in dict(TABS) and tab not in added:
        raise Http404(f"A client page has no “{tab}” tab.")
    client = get_object_or_404(Client, pk=pk)
    counts = selectors.client_tab_counts(client)
    counts.update({t.slug: t.count(client) for t in added.values()})
    context = {
        "client": client,
        "tab": tab,
        "tabs": [TABS[0], *((t.slug, t.label) for t in added.values()), *TABS[1:]],
        "added_tab": added.get(tab),
        "counts": counts,
        "can_manage": permissions.can(request.user, "manage_clients"),
        "can_edit": permissions.can(request.user, "edit_content"),
        "can_client_data": permissions.can(request.user, "manage_client_data"),
    }
    if tab == "overview":
        context["upcoming"] = selectors.shoots().filter(client=client, status__in=("Scheduled", "Postponed"))[:5]
        context["activity"] = selectors.activity_of_client(client, limit=8)
    elif tab == "shoots":
        context["shoots"] = selectors.shoots().filter(client=client).order_by("-start")[:200]
    elif tab == "deliverables":
        context["deliverables"] = selectors.deliverables().filter(client=client)[:300]
    elif tab == "tasks":
        context["tasks"] = selectors.tasks().filter(client=client).exclude(status="Completed")[:300]
    elif tab == "campaigns":
        context["campaigns"] = client.campaigns.all()
        context["campaign_form"] = CampaignForm()
    elif tab == "requests":
        context["requests"] = selectors.portal_requests().filter(client=client)[:200]
    elif tab == "activity":
        context["activity"] = selectors.activity_of_client(client, limit=200)
    return render(request, "agency/clients/detail.html", context)


@staff_required("manage_clients")
def client_import(request: StaffRequest) -> HttpResponse:
    """Upload a CSV, see a dry-run preview with row errors, then import all rows or none."""
    form = ClientImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and "csv_text" in request.POST:
        text = request.POST["csv_text"]
        report = client_services.clients_import(
            actor=request.user, text=text, commit=request.POST.get("confirm") == "1"
        )
        if report.created:
            messages.success(request, f"Imported {counted(len(report.created), 'client')}.")
            return redirect("clients")
        return render(
            request, "agency/clients/import.html", {"form": ClientImportForm(), "report": report, "csv_text": text}
        )
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        report = client_services.clients_import(actor=request.user, text=text, commit=False)
        return render(request, "agency/clients/import.html", {"form": form, "report": report, "csv_text": text})
    return render(request, "agency/clients/import.html", {"form": form, "report": report})


# Campaigns (nested under the client) ---------------------------------------------------------


@require_POST
@staff_required("edit_content")
def campaign_create(request: HttpRequest, pk) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign = client_services.campaign_create(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Campaign “{campaign.name}” is created.")
            return redirect("client-tab", client.pk, "campaigns")
    messages.error(
        request, "The campaign was not created: " + "; ".join(str(e) for errs in form.errors.values() for e in errs)
    )
    return redirect("client-tab", client.pk, "campaigns")


@staff_required("edit_content")
def campaign_edit(request: HttpRequest, pk) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("client"), pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            client_services.campaign_update(
                actor=request.user, campaign=Campaign.objects.get(pk=pk), **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Campaign saved.")
            return redirect("client-tab", campaign.client_id, "campaigns")
    return render(request, "agency/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
@staff_required("edit_content")
def campaign_delete(request: HttpRequest, pk) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    client_id = campaign.client_id
    client_services.campaign_delete(actor=request.user, campaign=campaign)
    messages.success(request, f"Campaign “{campaign.name}” is deleted; its shoots and deliverables stay.")
    return redirect("client-tab", client_id, "campaigns")


@staff_required()
def campaign_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of a campaign select for the chosen client (a form's dependent select)."""
    chosen = request.GET.get("campaign", "")
    options = campaign_choices(parse_uuid(request.GET.get("client")))
    return HttpResponse(
        format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, mark_safe(" selected") if value and value == chosen else "", label) for value, label in options),
        )
    )


@staff_required()
def campaign_list(request: HttpRequest) -> HttpResponseBase:
    """All campaigns as CSV (the pages show them per client)."""
    rows = filtered_queryset(
        request,
        selectors.campaigns(),
        CampaignFilter,
        sort_fields={"name": "name"},
        default_sort=("client__name", "name"),
    )
    header = ["id", "client", "name", "status", "goal", "starts_on", "ends_on", "created_at"]
    return csv_response(
        "campaigns.csv",
        header,
        rows,
        lambda c: [c.pk, c.client.name, c.name, c.status, c.goal, c.starts_on, c.ends_on, c.created_at],
    )


# A client's data: export and erasure ----------------------------------------------------------


@staff_required("manage_client_data")
def client_export(request: HttpRequest, pk) -> FileResponse:
    """Everything of the client as a zip (records + media files), built in a temporary file."""
    client = get_object_or_404(Client, pk=pk)
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, which removes it)
    try:
        client_data.client_export(actor=request.user, client=client, out=spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    stamp = timezone.localdate().isoformat()
    return FileResponse(spool, as_attachment=True, filename=f"{client.slug}-export-{stamp}.zip")


@staff_required("manage_client_data")
def client_erase(request: HttpRequest, pk) -> HttpResponse:
    """Delete (erase) a client for good, after the owner types its name: the client page's one
    delete action, so no row or stored file of the client is left behind."""
    client = get_object_or_404(Client, pk=pk)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() != client.name:
            error = f"Type the client's name exactly — “{client.name}” — to erase it."
        else:
            summary = client_data.client_erase(actor=request.user, client=client)
            messages.success(
                request,
                f"{summary.name} is deleted for good: {counted(sum(summary.rows.values()), 'record')} "
                f"and {counted(summary.files, 'stored file')}.",
            )
            if summary.files_not_removed:
                messages.warning(
                    request,
                    f"{counted(len(summary.files_not_removed), 'stored file')} could not be removed; "
                    "they are in the server log.",
                )
            return redirect("clients")
    context = {"client": client, "error": error, "counts": client_data.erasure_preview(client)}
    return render(request, "agency/clients/erase.html", context, status=400 if error else 200)
