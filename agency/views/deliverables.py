"""Deliverable pages: the pipeline board (move a card = one htmx request), the list, forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agency import permissions, selectors
from agency.filters import DeliverableFilter
from agency.forms import DeliverableForm, offer_client_campaigns
from agency.models import Client, Deliverable, TeamMember
from agency.permissions import staff_required
from agency.services import deliverables as services
from localbzz.forms import live_validation, process
from localbzz.http import HtmxRequest
from localbzz.listing import csv_response, filtered_queryset, list_page

SORT_FIELDS = {"due_date": "due_date", "title": "title", "client": "client__name", "status": "status"}
DEFAULT_SORT = ("due_date", "created_at")


def _board_context(request) -> dict:
    filterset = DeliverableFilter(request.GET or None, queryset=selectors.deliverables(), request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.deliverables()
    return {
        "columns": selectors.board_columns(qs.order_by("due_date", "created_at")),
        "query": request.GET.urlencode(),
        "can_edit": permissions.can(request.user, "edit_content"),
    }


@staff_required()
def deliverable_board(request: HtmxRequest) -> HttpResponseBase:
    view = "list" if request.GET.get("view") == "list" else "board"
    queryset = selectors.deliverables()
    if request.GET.get("format") == "csv":
        rows = filtered_queryset(
            request, queryset, DeliverableFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT
        )
        header = ["id", "title", "client", "type", "status", "due_date", "overdue", "assignee", "shoot", "file_link"]
        return csv_response(
            "deliverables.csv",
            header,
            rows,
            lambda d: [
                d.pk,
                d.title,
                d.client.name,
                d.kind,
                d.status,
                d.due_date,
                d.is_overdue,
                d.assignee or "",
                d.shoot or "",
                d.file_link,
            ],
        )
    context: dict[str, Any] = {
        "view": view,
        "clients": Client.objects.order_by("name").only("pk", "name"),
        "members": TeamMember.objects.select_related("user").filter(is_active=True),
        "params": request.GET,
    }
    if view == "list":
        context["listing"] = list_page(
            request, queryset, DeliverableFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT
        )
        context["can_edit"] = permissions.can(request.user, "edit_content")
    else:
        context.update(_board_context(request))
    if request.htmx and not request.htmx.boosted:
        return render(request, "agency/deliverables/board.html#body", context)
    return render(request, "agency/deliverables/board.html", context)


@require_POST
@staff_required("edit_content")
def deliverable_move(request: HtmxRequest, pk) -> HttpResponse:
    """Move a card to another column; htmx gets the board back, a plain form post a redirect."""
    deliverable = get_object_or_404(Deliverable, pk=pk)
    try:
        services.deliverable_move(actor=request.user, deliverable=deliverable, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        return render(request, "agency/deliverables/board.html#board", _board_context(request))
    return redirect(request.POST.get("next") or "deliverables")


def _initial(request) -> dict:
    return {k: request.GET[k] for k in ("client", "shoot", "campaign") if request.GET.get(k)}


@staff_required("edit_content")
def deliverable_create(request: HttpRequest) -> HttpResponse:
    form = DeliverableForm(request.POST or None, initial=_initial(request))
    offer_client_campaigns(form, reverse("campaign-options"))
    live_validation(form, request.path)
    response, deliverable = process(request, form, lambda data: services.deliverable_create(actor=request.user, **data))
    if response:
        return response
    if deliverable:
        messages.success(request, f"Deliverable “{deliverable.title}” is added.")
        return redirect("deliverable-detail", deliverable.pk)
    return render(request, "agency/deliverables/form.html", {"form": form, "deliverable": None})


@staff_required("edit_content")
def deliverable_edit(request: HttpRequest, pk) -> HttpResponse:
    deliverable = get_object_or_404(Deliverable, pk=pk)
    form = DeliverableForm(request.POST or None, instance=deliverable)
    form.fields["client"].disabled = True
    offer_client_campaigns(form, reverse("campaign-options"))
    live_validation(form, request.path)

    def save(data):
        data.pop("client")
        return services.deliverable_update(actor=request.user, deliverable=Deliverable.objects.get(pk=pk), **data)

    response, saved = process(request, form, save)
    if response:
        return response
    if saved:
        messages.success(request, "Deliverable saved.")
        return redirect("deliverable-detail", pk)
    return render(request, "agency/deliverables/form.html", {"form": form, "deliverable": deliverable})


@staff_required()
def deliverable_detail(request: HttpRequest, pk) -> HttpResponse:
    deliverable = get_object_or_404(selectors.deliverables(), pk=pk)
    return render(
        request,
        "agency/deliverables/detail.html",
        {
            "d": deliverable,
            "tasks": selectors.tasks().filter(deliverable=deliverable),
            "activity": selectors.activity_for(deliverable),
            "pipeline": Deliverable.PIPELINE,
            "can_edit": permissions.can(request.user, "edit_content"),
        },
    )


@require_POST
@staff_required("edit_content")
def deliverable_delete(request: HttpRequest, pk) -> HttpResponse:
    deliverable = get_object_or_404(Deliverable, pk=pk)
    services.deliverable_delete(actor=request.user, deliverable=deliverable)
    messages.success(request, f"“{deliverable.title}” is deleted.")
    return redirect("deliverables")
