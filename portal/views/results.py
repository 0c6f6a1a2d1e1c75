"""The client's Results in its portal: its own posts' figures and charts, the dashboard's card, and
its monthly PDF reports. Everything is read for ``request.portal_client`` (the host's client, which
``portal_required`` has checked the person belongs to), never from an id in the URL."""

from __future__ import annotations

from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics.selectors import client_analytics
from portal.http import PortalHttpRequest
from portal.permissions import portal_required
from reports import selectors as report_selectors
from reports.figures import Change, percent
from reports.forms import AnalyticsFilter
from reports.models import Report
from reports.presentation import client_results
from reports.views import report_file_response

CARD_DAYS = "28"


@require_GET
@portal_required
def results(request: PortalHttpRequest) -> HttpResponseBase:
    client = request.portal_client
    form = AnalyticsFilter(request.GET or None, client=client)
    start, end, platform, campaign = form.values()
    a = client_analytics(client=client, start=start, end=end, platform=platform, campaign=campaign)
    reports = report_selectors.reports(client=client).filter(status=Report.Status.READY)[
        : report_selectors.REPORTS_SHOWN
    ]
    context = {"form": form, "results": client_results(a), "start": start, "end": end, "reports": list(reports)}
    if request.htmx and request.htmx.target == "results":
        return render(request, "portal/results.html#results", context)
    return render(request, "portal/results.html", context)


@require_GET
@portal_required
def results_card(request: PortalHttpRequest) -> HttpResponseBase:
    """The dashboard's Results card (loaded with htmx, so the dashboard itself stays quick)."""
    client = request.portal_client
    form = AnalyticsFilter({"period": CARD_DAYS}, client=client)
    start, end, _, _ = form.values()
    a = client_analytics(client=client, start=start, end=end)
    context = {
        "a": a,
        "impressions": Change(a.totals.get("impressions"), a.previous.get("impressions")),
        "engagements": Change(a.totals.get("engagements"), a.previous.get("engagements")),
        "rate": percent(a.engagement_rate),
        "top": a.top_posts[:1],
    }
    return render(request, "portal/partials/results_card.html", context)


@require_GET
@portal_required
def report_download(request: PortalHttpRequest, month: str) -> HttpResponseBase:
    return report_file_response(request.portal_client, month)
