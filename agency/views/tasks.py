"""Task pages: all tasks, my tasks, detail with time entries, timers, the time report."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agency import permissions, selectors
from agency.filters import TaskFilter
from agency.forms import TaskForm, TimeEntryForm
from agency.models import Client, Task, TeamMember, TimeEntry
from agency.permissions import staff_required
from agency.services import tasks as services
from localbzz import listcache
from localbzz.forms import live_validation, process
from localbzz.http import HtmxRequest
from localbzz.listing import csv_response, filtered_queryset, list_page
from localbzz.templatetags.ui import hours

SORT_FIELDS = {
    "name": "name", "status": "status", "priority": "priority", "due_date": "due_date", "created_at": "created_at",
    "assignee": "assignee__user__first_name", "client": "client__name",
}  # fmt: skip
DEFAULT_SORT = ("-created_at",)


def _member(request) -> TeamMember | None:
    return getattr(request.user, "team_member", None)


def _tasks_context(request, queryset, *, mine: bool) -> dict:
    member = _member(request)
    return {
        "listing": list_page(request, queryset, TaskFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT),
        "mine": mine,
        "running": selectors.running_timer(member),
        "clients": Client.objects.order_by("name").only("pk", "name"),
        "members": TeamMember.objects.select_related("user").filter(is_active=True),
        "can_edit": permissions.can(request.user, "edit_content"),
        "member": member,
    }


@staff_required()
def task_list(request: HtmxRequest, mine: bool = False) -> HttpResponseBase:
    member = _member(request)

    def tasks():  # built only when the list is (a kept one needs no QuerySet: its annotation costs)
        return selectors.tasks().filter(assignee=member) if mine else selectors.tasks()

    if request.GET.get("format") == "csv":
        rows = filtered_queryset(request, tasks(), TaskFilter, sort_fields=SORT_FIELDS, default_sort=DEFAULT_SORT)
        header = ["id", "name", "status", "priority", "assignee", "client", "due_date", "estimate_minutes",
                  "tracked_minutes", "created_at"]  # fmt: skip
        return csv_response(
            "tasks.csv",
            header,
            rows,
            lambda t: [
                t.pk,
                t.name,
                t.status,
                t.priority,
                t.assignee or "",
                t.client or "",
                t.due_date,
                t.estimate_minutes,
                round(t.tracked.total_seconds() / 60),
                t.created_at,
            ],
        )
    # The page's content (or, for htmx, its results), kept until a table it read is written
    # (localbzz.listcache) per level and person: their timer shows on the rows.
    partial = "results" if request.htmx and not request.htmx.boosted else "content"
    html = listcache.html(
        request, "tasks", (*permissions.audience(request.user), member.pk if member else None, mine, partial),
        f"agency/tasks/list.html#{partial}", lambda: _full_context(request, tasks(), member, mine=mine),
    )  # fmt: skip
    if partial == "results":
        return HttpResponse(html)
    can_edit = permissions.can(request.user, "edit_content")
    return render(request, "agency/tasks/list.html", {"content_html": html, "mine": mine, "can_edit": can_edit})


def _full_context(request, queryset, member, *, mine: bool) -> dict:
    context = _tasks_context(request, queryset, mine=mine)
    if mine:
        week_start = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        context["week_total"] = selectors.time_totals(since=week_start, member=member).total if member else timedelta(0)
        if not context["listing"].total and not context["listing"].params:
            # Nothing is assigned to this person (the Tasks menu lands here): show the team's open
            # work under the empty state rather than a blank page.
            team_open = selectors.tasks().exclude(status=Task.Status.COMPLETED)
            team_open = team_open.order_by(F("due_date").asc(nulls_last=True), "-created_at")
            context["team_open"] = team_open[:10]
            context["team_open_total"] = team_open.count()
    return context


def _initial(request) -> dict:
    initial = {k: request.GET[k] for k in ("client", "shoot", "deliverable", "campaign") if request.GET.get(k)}
    if _member(request):
        initial.setdefault("assignee", _member(request))
    return initial


@staff_required("edit_content")
def task_create(request: HttpRequest) -> HttpResponse:
    form = live_validation(TaskForm(request.POST or None, initial=_initial(request)), request.path)
    response, task = process(request, form, lambda data: services.task_create(actor=request.user, **data))
    if response:
        return response
    if task:
        messages.success(request, f"Task “{task.name}” is added.")
        return redirect("task-detail", task.pk)
    return render(request, "agency/tasks/form.html", {"form": form, "task": None})


@staff_required("edit_content")
def task_edit(request: HttpRequest, pk) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    form = live_validation(TaskForm(request.POST or None, instance=task), request.path)
    response, saved = process(
        request, form, lambda data: services.task_update(actor=request.user, task=Task.objects.get(pk=pk), **data)
    )
    if response:
        return response
    if saved:
        messages.success(request, "Task saved.")
        return redirect("task-detail", pk)
    return render(request, "agency/tasks/form.html", {"form": form, "task": task})


@staff_required()
def task_detail(request: HttpRequest, pk) -> HttpResponse:
    task = get_object_or_404(selectors.tasks(), pk=pk)
    member = _member(request)
    return render(
        request,
        "agency/tasks/detail.html",
        {
            "task": task,
            "entries": selectors.time_entries(task),
            "entry_form": TimeEntryForm(initial={"started_at": timezone.localtime().replace(second=0, microsecond=0)}),
            "running": selectors.running_timer(member),
            "activity": selectors.activity_for(task),
            "statuses": Task.Status.values,
            "can_edit": permissions.can(request.user, "edit_content"),
            "member": member,
        },
    )


@require_POST
@staff_required("edit_content")
def task_set_status(request: HttpRequest, pk) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    try:
        services.task_update(actor=request.user, task=task, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("task-detail", pk)


@require_POST
@staff_required("edit_content")
def task_delete(request: HttpRequest, pk) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    services.task_delete(actor=request.user, task=task)
    messages.success(request, f"“{task.name}” is deleted.")
    return redirect("tasks")


# Timers and time ---------------------------------------------------------------------------


def _after_timer(request, default):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(request.POST.get("next") or default)


@require_POST
@staff_required("edit_content")
def timer_start(request: HttpRequest, pk) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    member = _member(request)
    if member is None:
        messages.error(request, "Only team members track time.")
        return redirect("task-detail", pk)
    try:
        started = services.timer_start(member=member, task=task)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if started.stopped:
            stopped = started.stopped
            messages.info(
                request,
                f"Stopped your timer on “{stopped.task.name}” after {hours(stopped.seconds)}; that time is saved.",
            )
        if started.already_running:
            messages.info(request, f"Your timer on “{task.name}” is already running ({hours(started.entry.seconds)}).")
        else:
            messages.success(request, f"Timer started on “{task.name}”.")
    return _after_timer(request, "tasks-mine")


@require_POST
@staff_required("edit_content")
def timer_stop(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    entry = services.timer_stop(member=member) if member else None
    if entry:
        messages.success(request, f"Timer stopped: {hours(entry.seconds)} on “{entry.task.name}”.")
    else:
        messages.info(request, "No timer was running.")
    return _after_timer(request, "tasks-mine")


@require_POST
@staff_required("edit_content")
def time_entry_add(request: HttpRequest, pk) -> HttpResponse:
    task = get_object_or_404(Task, pk=pk)
    form = TimeEntryForm(request.POST)
    member = _member(request)
    if member and form.is_valid():
        start = form.cleaned_data["started_at"]
        try:
            services.time_entry_add(
                actor=request.user,
                member=member,
                task=task,
                started_at=start,
                ended_at=start + timedelta(minutes=form.cleaned_data["minutes"]),
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"Logged {form.cleaned_data['minutes']} min.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Time not logged: " + "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("task-detail", pk)


@require_POST
@staff_required("edit_content")
def time_entry_delete(request: HttpRequest, pk) -> HttpResponse:
    entry = get_object_or_404(TimeEntry.objects.select_related("task", "member"), pk=pk)
    if entry.member.user_id != request.user.pk and not permissions.can(request.user, "manage_team"):
        messages.error(request, "You can remove only your own time; ask an admin for others'.")
    else:
        services.time_entry_delete(actor=request.user, entry=entry)
        messages.success(request, "Time entry removed.")
    return redirect("task-detail", entry.task_id)


@staff_required()
def time_report(request: HttpRequest) -> HttpResponse:
    try:
        weeks = max(1, min(52, int(request.GET.get("weeks", 8))))
    except ValueError:
        weeks = 8
    since = timezone.localdate() - timedelta(weeks=weeks)
    client_id = request.GET.get("client") or None
    try:
        totals = selectors.time_totals(since=since, client_id=client_id)
    except ValidationError:
        totals = selectors.time_totals(since=since)
    return render(
        request,
        "agency/tasks/time.html",
        {
            "totals": totals,
            "weeks": weeks,
            "since": since,
            "client_id": client_id,
            "clients": Client.objects.order_by("name").only("pk", "name"),
            "running": selectors.running_timers(),
        },
    )
