"""Staff pages of results: the agency-wide /analytics/, a client's Analytics tab (a panel the client
page loads with htmx; agency.client_tabs), CSV exports, and the client's monthly reports (make one,
watch its progress, download it, switch the monthly email)."""

from __future__ import annotations

from datetime import date

from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from analytics.selectors import agency_analytics, client_analytics
from localbzz.http import HtmxRequest
from localbzz.listing import csv_response
from reports import selectors, services
from reports.figures import PERIODS, parse_month, percent, previous_month
from reports.forms import AnalyticsFilter, ReportMonthForm, ReportSettingsForm
from reports.models import Report
from reports.presentation import agency_results, client_results

CLIENTS_LISTED = 50  # rows of the agency page's clients table before "show all"


def _filters(request: HtmxRequest, client: Client | None = None) -> AnalyticsFilter:
    return AnalyticsFilter(request.GET or None, client=client)


@require_GET
@staff_required()
def analytics_home(request: HtmxRequest) -> HttpResponseBase:
    form = _filters(request)
    start, end, platform, _ = form.values()
    a = agency_analytics(start=start, end=end, platform=platform)
    if request.GET.get("format") == "csv":
        header = ["client", "posts", "impressions", "engagements", "engagement_rate", "previous_engagements", "change"]
        return csv_response(
            f"analytics-{start}-{end}.csv", header, a.clients,
            lambda r: [r.client.name, r.posts, r.impressions, r.engagements, percent(r.rate), r.previous_engagements,
                       "" if r.change is None else f"{r.change * 100:+.0f}%"],
        )  # fmt: skip
    # The table lists the top clients by engagement; "show all" lists every one (the CSV always has all).
    show_all = request.GET.get("clients") == "all"
    context = {
        "form": form,
        "results": agency_results(a),
        "start": start,
        "end": end,
        "periods": PERIODS,
        "clients": a.clients if show_all else a.clients[:CLIENTS_LISTED],
        "clients_hidden": 0 if show_all else max(len(a.clients) - CLIENTS_LISTED, 0),
    }
    template = (
        "reports/analytics.html#results" if request.htmx and not request.htmx.boosted else "reports/analytics.html"
    )
    return render(request, template, context)


def _client_context(request: HtmxRequest, client: Client) -> dict:
    form = _filters(request, client)
    start, end, platform, campaign = form.values()
    a = client_analytics(client=client, start=start, end=end, platform=platform, campaign=campaign)
    return {
        "client": client,
        "form": form,
        "results": client_results(a),
        "start": start,
        "end": end,
        "panel_url": reverse("client-panel-analytics", args=[client.pk]),
    }


@require_GET
@staff_required()
def client_panel(request: HtmxRequest, client_id) -> HttpResponseBase:
    client = get_object_or_404(Client, pk=client_id)
    context = _client_context(request, client)
    if request.GET.get("format") == "csv":
        a = context["results"].analytics
        return csv_response(
            f"{client.slug}-analytics-{a.start}-{a.end}.csv",
            ["day", "posts", "impressions", "engagements"],
            a.series,
            lambda p: [p.day.isoformat(), p.posts, p.impressions, p.engagements],
        )
    context |= _reports_context(request, client)
    return render(request, "reports/client_panel.html", context)


# Reports -------------------------------------------------------------------------------------


def _reports_context(request: HtmxRequest, client: Client, **extra) -> dict:
    last_month = f"{previous_month(client_month(client)):%Y-%m}"
    return {
        "client": client,
        "reports": list(selectors.reports(client=client)[: selectors.REPORTS_SHOWN]),
        "month_form": extra.pop("month_form", None) or ReportMonthForm(initial={"month": last_month}, client=client),
        "settings_form": ReportSettingsForm(initial={"email_monthly": selectors.settings_for(client).email_monthly}),
        "can_manage": permissions.can(request.user, "edit_content"),
        "can_manage_client": permissions.can(request.user, "manage_clients"),
        **extra,
    }


def client_month(client: Client) -> date:
    """The client's current month (its first day, in the client's time zone)."""
    return timezone.localdate(timezone=client.tz).replace(day=1)


@require_POST
@staff_required("edit_content")
def report_make(request: HtmxRequest, client_id) -> HttpResponseBase:
    client = get_object_or_404(Client, pk=client_id)
    form = ReportMonthForm(request.POST, client=client)
    message = ""
    status = 200
    if form.is_valid():
        try:
            services.report_request(client=client, month=form.cleaned_data["month"], actor=request.user)
        except services.ReportBusy as busy:
            message = str(busy)
    else:
        status = 400
    return render(
        request, "reports/_reports.html", _reports_context(request, client, month_form=form, message=message),
        status=status,
    )  # fmt: skip


@require_GET
@staff_required()
def report_progress(request: HtmxRequest, client_id, month: str) -> HttpResponseBase:
    client = get_object_or_404(Client, pk=client_id)
    report = _report_or_404(client, month)
    return render(request, "reports/_report_row.html", {"report": report, "client": client})


@require_GET
@staff_required()
def report_download(request: HtmxRequest, client_id, month: str) -> HttpResponseBase:
    client = get_object_or_404(Client, pk=client_id)
    return report_file_response(client, month)


@require_POST
@staff_required("manage_clients")
def report_settings(request: HtmxRequest, client_id) -> HttpResponseBase:
    client = get_object_or_404(Client, pk=client_id)
    form = ReportSettingsForm(request.POST)
    form.is_valid()  # a checkbox: absent is off, nothing else to refuse
    services.report_settings_save(client=client, email_monthly=bool(form.cleaned_data.get("email_monthly")),
                                  actor=request.user)  # fmt: skip
    saved = "The monthly report will be emailed on the 1st." if form.cleaned_data.get("email_monthly") else (
        "The monthly report will not be emailed.")  # fmt: skip
    return render(request, "reports/_reports.html", _reports_context(request, client, message=saved))


def _report_or_404(client: Client, month: str) -> Report:
    first = parse_month(month)
    report = selectors.report_for(client=client, month=first) if first else None
    if report is None:
        raise Http404("No report for that month: make it first.")
    return report


class ReportNotReady(Http404):
    """No PDF for that month (yet): the API says so in its error message."""


def report_file_response(client: Client, month: str) -> FileResponse:
    """The PDF of ``client``'s report for ``month`` (``YYYY-MM``) as a download; 404 when there is
    none ready (the caller has already decided the person may see this client's reports)."""
    first = parse_month(month)
    report = selectors.ready_report(client=client, month=first) if first else None
    if report is None:
        raise ReportNotReady("That month's report is not ready: make it first, then download it.")
    response = FileResponse(report.file.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=report.filename)  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response
