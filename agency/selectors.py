"""Reads of agency data. Every queryset a view or endpoint lists is built here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Now, TruncWeek
from django.utils import timezone

from agency.models import (
    ActivityEvent,
    Campaign,
    Client,
    Deliverable,
    Lead,
    PortalRequest,
    Shoot,
    Task,
    TeamMember,
    TimeEntry,
)


def _count(model: type[models.Model], *, where: Q, field: str = "client") -> Coalesce:
    """A correlated COUNT subquery (keeps list pages at one query however many rows match)."""
    qs = model._default_manager.filter(where, **{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(qs.annotate(n=Count("pk")).values("n")[:1]), 0)


# Team ---------------------------------------------------------------------------------------


def team_members() -> QuerySet[TeamMember]:
    return TeamMember.objects.select_related("user")


def team_member_choices() -> QuerySet[TeamMember]:
    return team_members().filter(is_active=True)


# Clients ------------------------------------------------------------------------------------


def clients() -> QuerySet[Client]:
    """Clients with the figures the list shows (one query for a page of any size)."""
    return Client.objects.annotate(
        open_deliverables=_count(Deliverable, where=~Q(status=Deliverable.Status.DELIVERED)),
        open_tasks=_count(Task, where=~Q(status=Task.Status.COMPLETED)),
        upcoming_shoots=_count(Shoot, where=Q(status__in=Shoot.ACTIVE, start__gte=Now())),
        open_requests=_count(PortalRequest, where=~Q(status=PortalRequest.Status.DONE)),
    )


def client_tab_counts(client: Client) -> dict[str, int]:
    return {
        "shoots": client.shoots.count(),
        "deliverables": client.deliverables.count(),
        "tasks": client.tasks.exclude(status=Task.Status.COMPLETED).count(),
        "campaigns": client.campaigns.count(),
        "requests": client.requests.exclude(status=PortalRequest.Status.DONE).count(),
    }


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("client")


# Shoots -------------------------------------------------------------------------------------


def shoots() -> QuerySet[Shoot]:
    return Shoot.objects.select_related("client", "campaign").prefetch_related("crew__user")


def shoots_between(
    start: datetime,
    end: datetime,
    *,
    client_id: UUID | str | None = None,
    member_id: UUID | str | None = None,
    include_cancelled: bool = True,
    base: QuerySet[Shoot] | None = None,
) -> list[Shoot]:
    qs = (shoots() if base is None else base).filter(start__lt=end, end__gt=start)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if member_id:
        qs = qs.filter(crew__pk=member_id)
    if not include_cancelled:
        qs = qs.exclude(status=Shoot.Status.CANCELLED)
    return list(qs.order_by("start").distinct())


def shoots_today() -> list[Shoot]:
    """Today's shoots with what the dashboard shows (time, title, place, the client's name and
    zone, the crew's names: their users in the same query)."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    people = TeamMember.objects.select_related("user").only("user__first_name", "user__last_name", "user__email")
    base = Shoot.objects.select_related("client").only(
        "title", "start", "end", "location", "client__name", "client__timezone"
    )
    base = base.prefetch_related(models.Prefetch("crew", queryset=people))
    return shoots_between(start, start + timedelta(days=1), include_cancelled=False, base=base)


# Deliverables -------------------------------------------------------------------------------


def deliverables() -> QuerySet[Deliverable]:
    return Deliverable.objects.select_related("client", "shoot", "assignee__user", "campaign")


def deliverables_overdue() -> QuerySet[Deliverable]:
    return deliverables().filter(due_date__lt=timezone.localdate()).exclude(status=Deliverable.Status.DELIVERED)


def deliverables_overdue_first(limit: int) -> tuple[list[Deliverable], int]:
    """The first ``limit`` overdue deliverables (title, status, due date, client's name) and how
    many are overdue, in one query (the count is a window over the rows before the LIMIT)."""
    qs = deliverables_overdue().select_related(None).select_related("client")
    qs = qs.only("id", "title", "status", "due_date", "client", "client__name").annotate(
        total=models.Window(Count("pk"))
    )
    first: list[Deliverable] = []
    first.extend(qs[:limit])
    return first, (getattr(first[0], "total") if first else 0)  # noqa: B009 - an annotation mypy cannot see


def board_columns(queryset: QuerySet[Deliverable]) -> list[dict[str, Any]]:
    """The board: one column per pipeline status, in order, with its cards."""
    by_status: dict[str, list[Deliverable]] = {status: [] for status in Deliverable.PIPELINE}
    for item in queryset:
        by_status[item.status].append(item)
    return [{"status": status, "items": items} for status, items in by_status.items()]


# Tasks and time -----------------------------------------------------------------------------


def tasks() -> QuerySet[Task]:
    """Tasks with their tracked time. A correlated subquery, not a join + GROUP BY: PostgreSQL then
    sums the time entries of the rows of the page only, after the index gives the page's order."""
    tracked = (
        TimeEntry.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(total=Sum(_entry_duration()))
        .values("total")
    )
    return Task.objects.select_related("assignee__user", "client", "shoot", "deliverable").annotate(
        tracked=Coalesce(Subquery(tracked, output_field=DurationField()), timedelta(0))
    )


def _entry_duration(prefix: str = "") -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(
        Coalesce(F(f"{prefix}ended_at"), Now()) - F(f"{prefix}started_at"), output_field=DurationField()
    )


def running_timer(member: TeamMember | None) -> TimeEntry | None:
    if member is None:
        return None
    return TimeEntry.objects.select_related("task").filter(member=member, ended_at__isnull=True).first()


def running_timers() -> list[TimeEntry]:
    return list(TimeEntry.objects.select_related("task", "member__user", "task__client").filter(ended_at__isnull=True))


def time_entries(task: Task) -> list[TimeEntry]:
    return list(task.time_entries.select_related("member__user"))


@dataclass
class TimeTotals:
    by_client: Sequence[Mapping[str, Any]]
    by_member: Sequence[Mapping[str, Any]]
    by_week: Sequence[Mapping[str, Any]]
    total: timedelta


def time_totals(
    *, since: date | None = None, member: TeamMember | None = None, client_id: UUID | str | None = None
) -> TimeTotals:
    """Tracked time grouped per client, per person and per week (running timers count up to now)."""
    qs = TimeEntry.objects.all()
    if since:
        qs = qs.filter(started_at__date__gte=since)
    if member:
        qs = qs.filter(member=member)
    if client_id:
        qs = qs.filter(task__client_id=client_id)
    duration = Sum(_entry_duration())
    by_client = list(qs.values("task__client_id", "task__client__name").annotate(total=duration).order_by("-total"))
    by_member = list(
        qs.values("member_id", "member__user__first_name", "member__user__last_name", "member__user__email")
        .annotate(total=duration)
        .order_by("-total")
    )
    by_week = list(qs.annotate(week=TruncWeek("started_at")).values("week").annotate(total=duration).order_by("-week"))
    total = qs.aggregate(total=duration)["total"] or timedelta(0)
    return TimeTotals(by_client=by_client, by_member=by_member, by_week=by_week, total=total)


# Inbox --------------------------------------------------------------------------------------


def leads() -> QuerySet[Lead]:
    return Lead.objects.select_related("client", "decided_by")


def portal_requests() -> QuerySet[PortalRequest]:
    return PortalRequest.objects.select_related("client", "created_by").annotate(message_count=Count("messages"))


def urgent_requests() -> QuerySet[PortalRequest]:
    """Open urgent requests with their clients (the dashboard's panel: no message count)."""
    qs = PortalRequest.objects.select_related("client").filter(priority=PortalRequest.Priority.URGENT)
    return qs.exclude(status=PortalRequest.Status.DONE)


# Activity -----------------------------------------------------------------------------------


SECURITY_VERBS = ("auth.", "access.")  # sign-ins and denials: the audit log's, not the dashboard's


def activity_recent(limit: int = 20) -> list[ActivityEvent]:
    """The latest changes to the agency's work (sign-ins and denials are in the audit log). The
    target's type comes from ContentType's own cache (``activity_display.summary``), not a join."""
    qs = ActivityEvent.objects.select_related("client")
    for prefix in SECURITY_VERBS:
        qs = qs.exclude(verb__startswith=prefix)
    return list(qs[:limit])


def activity_for(target: models.Model, limit: int = 100) -> list[ActivityEvent]:
    ct = ContentType.objects.get_for_model(target)
    return list(ActivityEvent.objects.filter(target_type=ct, target_id=str(target.pk)).select_related("client")[:limit])


def activity_for_all(targets: list[models.Model], limit: int = 100) -> list[ActivityEvent]:
    """The trail of several things at once (a team member and its user's sign-ins), newest first."""
    condition = models.Q(pk__in=[])
    for target in targets:
        ct = ContentType.objects.get_for_model(target)
        condition |= models.Q(target_type=ct, target_id=str(target.pk))
    return list(ActivityEvent.objects.filter(condition).select_related("client")[:limit])


def activity_of_client(client: Client, limit: int = 100) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(client=client).select_related("client")[:limit])


def audit_log() -> QuerySet[ActivityEvent]:
    """Every activity with what the audit log shows of it (the client's name, the object type)."""
    return ActivityEvent.objects.select_related("target_type", "client").only(
        "id", "actor_id", "actor_label", "verb", "target_type__app_label", "target_type__model", "target_id",
        "target_label", "client__name", "client__slug", "client__timezone", "changes", "created_at",
    )  # fmt: skip


AUDITED_APPS = ("agency", "publishing", "portal", "generation")


def audit_object_types() -> list[str]:
    """The object types the audit log can filter by (our apps' models; no scan of the log itself)."""
    return sorted(ContentType.objects.filter(app_label__in=AUDITED_APPS).values_list("model", flat=True))
