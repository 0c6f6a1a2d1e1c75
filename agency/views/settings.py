from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from agency import selectors
from agency.filters import ActivityFilter
from agency.forms import ProfileForm
from agency.models import Client
from agency.permissions import can, staff_required
from agency.services import team as team_services
from agency.types import StaffRequest
from localbzz.http import HtmxRequest
from localbzz.listing import csv_response, filtered_queryset, list_page


@staff_required()
def settings_page(request: StaffRequest) -> HttpResponse:
    member = getattr(request.user, "team_member", None)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            team_services.profile_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your profile is saved.")
            return redirect("settings")
    else:
        form = ProfileForm(
            initial={
                "first_name": request.user.first_name,
                "last_name": request.user.last_name,
                "phone": member.phone if member else "",
            }
        )
    return render(
        request,
        "agency/settings.html",
        {
            "form": form,
            "member": member,
            "team": selectors.team_members().filter(is_active=True),
            "perms_manage_integrations": can(request.user, "manage_integrations"),
            "can_audit": can(request.user, "view_audit_log"),
        },
    )


AUDIT_SORT = {"created_at": "created_at", "verb": "verb", "actor": "actor_label"}
AUDIT_CSV_HEADER = ["id", "created_at", "actor", "verb", "object_type", "object_id", "object", "client", "changes"]


def _audit_row(event) -> list:
    return [
        event.pk,
        event.created_at.isoformat(),
        event.actor_label,
        event.verb,
        event.target_type.model if event.target_type_id else "",
        event.target_id,
        event.target_label,
        event.client.name if event.client_id else "",
        json.dumps(event.changes, cls=DjangoJSONEncoder, ensure_ascii=False),
    ]


@staff_required("view_audit_log")
def audit_log(request: HtmxRequest) -> HttpResponseBase:
    """Every recorded change, sign-in and denial, filterable, paginated and exportable as CSV."""
    queryset = selectors.audit_log()
    sort: dict[str, Any] = {"sort_fields": AUDIT_SORT, "default_sort": ("-created_at", "-id")}
    if request.GET.get("format") == "csv":
        rows = filtered_queryset(request, queryset, ActivityFilter, **sort).iterator(chunk_size=2000)
        return csv_response("audit-log.csv", AUDIT_CSV_HEADER, rows, _audit_row)
    listing = list_page(request, queryset, ActivityFilter, per_page=50, **sort)
    context: dict[str, Any] = {"listing": listing}
    if request.htmx and not request.htmx.boosted:
        return render(request, "agency/audit_log.html#results", context)
    context.update(
        actors=selectors.team_members().order_by("user__first_name", "user__last_name"),
        clients=Client.objects.order_by("name").only("id", "name"),
        object_types=selectors.audit_object_types(),
    )
    return render(request, "agency/audit_log.html", context)
