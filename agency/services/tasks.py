"""Writes about tasks and the time spent on them (timers and manual entries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agency.models import Task, TeamMember, TimeEntry
from agency.services.activity import diff, record_event
from agency.types import Actor

TASK_FIELDS = [
    "name", "description", "status", "priority", "assignee", "estimate_minutes", "due_date", "client", "shoot",
    "deliverable", "campaign",
]  # fmt: skip


def _check_links(task: Task) -> None:
    client_id = task.client_id
    for name in ("shoot", "deliverable", "campaign"):
        linked = getattr(task, name)
        if linked is None:
            continue
        if client_id is None:
            task.client_id = client_id = linked.client_id
        elif linked.client_id != client_id:
            raise ValidationError({name: f"That {name} belongs to another client than the task."})


@transaction.atomic
def task_create(*, actor: Actor, name: str, **fields: Any) -> Task:
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    task = Task(name=name.strip(), **fields)
    _check_links(task)
    if task.status == Task.Status.COMPLETED:
        task.completed_at = timezone.now()
    task.full_clean()
    task.save()
    record_event(actor, "task.created", task, {"status": task.status, "assignee": str(task.assignee or "")})
    return task


@transaction.atomic
def task_update(*, actor: Actor, task: Task, **changes: Any) -> Task:
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    changed = diff(task, TASK_FIELDS, changes)
    for name, value in changes.items():
        setattr(task, name, value)
    _check_links(task)
    if "status" in changed:
        task.completed_at = timezone.now() if task.status == Task.Status.COMPLETED else None
    task.full_clean()
    task.save()
    if changed:
        verb = "task.status_changed" if set(changed) == {"status"} else "task.updated"
        record_event(actor, verb, task, changed)
    return task


@transaction.atomic
def task_delete(*, actor: Actor, task: Task) -> None:
    record_event(actor, "task.deleted", task, {"status": task.status})
    task.delete()


@dataclass(frozen=True)
class TimerStarted:
    """The timer now running, and the one that starting it stopped (kept with its time), if any."""

    entry: TimeEntry
    stopped: TimeEntry | None
    already_running: bool = False


@transaction.atomic
def timer_start(*, member: TeamMember, task: Task, note: str = "") -> TimerStarted:
    """Start the member's timer on ``task``. A timer already running for them on another task
    stops first and keeps its time; one already running on ``task`` goes on (a second click or a
    stale page must not cut it short into a separate entry)."""
    TeamMember.objects.select_for_update().filter(pk=member.pk).first()  # one start at a time per person
    running = TimeEntry.objects.filter(member=member, ended_at__isnull=True).select_related("task").first()
    if running is not None and running.task_id == task.pk:
        return TimerStarted(entry=running, stopped=None, already_running=True)
    stopped = timer_stop(member=member)
    try:
        with transaction.atomic():
            entry = TimeEntry.objects.create(task=task, member=member, started_at=timezone.now(), note=note)
    except IntegrityError:  # another request started one in between (the database guards it)
        raise ValidationError("A timer is already running for you; stop it first.") from None
    if task.status == Task.Status.TO_DO:
        task_update(actor=member.user, task=task, status=Task.Status.IN_PROGRESS)
    record_event(member.user, "task.timer_started", task, {})
    return TimerStarted(entry=entry, stopped=stopped)


@transaction.atomic
def timer_stop(*, member: TeamMember) -> TimeEntry | None:
    """Stop the member's running timer, if any; answers the stopped entry."""
    entry = (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("task")
        .filter(member=member, ended_at__isnull=True)
        .first()
    )
    if entry is None:
        return None
    entry.ended_at = timezone.now()
    entry.save(update_fields=["ended_at"])
    record_event(member.user, "task.timer_stopped", entry.task, {"minutes": round(entry.seconds / 60)})
    return entry


@transaction.atomic
def time_entry_add(
    *, actor: Actor, member: TeamMember, task: Task, started_at: datetime, ended_at: datetime, note: str = ""
) -> TimeEntry:
    """Record time worked after the fact."""
    if ended_at <= started_at:
        raise ValidationError({"ended_at": "The end must be after the start."})
    if ended_at > timezone.now():
        raise ValidationError({"ended_at": "You cannot log time in the future."})
    if (ended_at - started_at).total_seconds() > 24 * 3600:
        raise ValidationError({"ended_at": "One entry covers at most 24 hours; split longer work."})
    entry = TimeEntry.objects.create(
        task=task, member=member, started_at=started_at, ended_at=ended_at, note=note, source=TimeEntry.Source.MANUAL
    )
    record_event(actor, "task.time_logged", task, {"member": member.name, "minutes": round(entry.seconds / 60)})
    return entry


@transaction.atomic
def time_entry_delete(*, actor: Actor, entry: TimeEntry) -> None:
    record_event(actor, "task.time_removed", entry.task, {"member": entry.member.name, "minutes": entry.seconds // 60})
    entry.delete()
