"""Writes about shoots: booking, rescheduling, crew, and crew double-booking detection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agency.models import Campaign, Client, Shoot, TeamMember
from agency.services.activity import diff, record_event
from agency.types import Actor
from localbzz import zones

SHOOT_FIELDS = [
    "title", "start", "duration_minutes", "status", "location", "calendar_link", "drive_folder_link", "notes",
    "campaign",
]  # fmt: skip


@dataclass(frozen=True)
class Clash:
    """``member`` is already booked on ``shoot`` at an overlapping time."""

    member: TeamMember
    shoot: Shoot

    def __str__(self) -> str:
        when = zones.span(self.shoot.start, self.shoot.end, self.shoot.client)
        return f"{self.member.name} is already on “{self.shoot.title}” for {self.shoot.client.name}, {when}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "member_id": str(self.member.pk),
            "member": self.member.name,
            "shoot_id": str(self.shoot.pk),
            "shoot": self.shoot.title,
            "client": self.shoot.client.name,
            "start": self.shoot.start.isoformat(),
            "end": self.shoot.end.isoformat(),
            "message": str(self),
        }


class CrewDoubleBooked(Exception):
    def __init__(self, clashes: list[Clash]):
        self.clashes = clashes
        super().__init__("; ".join(str(c) for c in clashes))


def shoot_timing(
    start: datetime, *, duration_minutes: int | None = None, end: datetime | None = None
) -> tuple[int, datetime]:
    """Start plus either a duration or an end: answers (duration_minutes, end), always consistent."""
    if end is not None and duration_minutes is None:
        if end <= start:
            raise ValidationError({"end": "The shoot must end after it starts."})
        duration_minutes = round((end - start).total_seconds() / 60)
    if not duration_minutes or duration_minutes <= 0:
        raise ValidationError({"duration_minutes": "A shoot lasts at least one minute."})
    if duration_minutes > 24 * 60 * 7:
        raise ValidationError({"duration_minutes": "A shoot can last at most a week."})
    return duration_minutes, start + timedelta(minutes=duration_minutes)


def crew_clashes(
    *, start: datetime, end: datetime, crew: Iterable[TeamMember], exclude: Shoot | None = None
) -> list[Clash]:
    """Overlapping active shoots of any of ``crew`` (touching end-to-start is not a clash)."""
    crew = list(crew)
    if not crew:
        return []
    others = (
        Shoot.objects.filter(status__in=Shoot.ACTIVE, start__lt=end, end__gt=start, crew__in=crew)
        .exclude(pk__in=[exclude.pk] if exclude else [])
        .select_related("client")
        .prefetch_related("crew__user")
        .distinct()
        .order_by("start")
    )
    wanted = {m.pk for m in crew}
    return [Clash(member, other) for other in others for member in other.crew.all() if member.pk in wanted]


def _lock_crew(crew: list[TeamMember]) -> None:
    # Serialise bookings that involve the same people, so two at once cannot both pass the check.
    list(TeamMember.objects.select_for_update().filter(pk__in=[m.pk for m in crew]).order_by("pk"))


@transaction.atomic
def shoot_create(
    *,
    actor: Actor,
    client: Client,
    title: str,
    start: datetime,
    duration_minutes: int | None = None,
    end: datetime | None = None,
    crew: Iterable[TeamMember] = (),
    allow_conflict: bool = False,
    campaign: Campaign | None = None,
    **fields: Any,
) -> Shoot:
    """Book a shoot. Raises CrewDoubleBooked unless ``allow_conflict`` when crew overlap."""
    crew = list(crew)
    duration_minutes, end = shoot_timing(start, duration_minutes=duration_minutes, end=end)
    if campaign is not None and campaign.client_id != client.pk:
        raise ValidationError({"campaign": "That campaign belongs to another client."})
    shoot = Shoot(client=client, title=title.strip(), start=start, duration_minutes=duration_minutes, end=end,
                  campaign=campaign, **fields)  # fmt: skip
    shoot.full_clean(exclude=["end"])
    _lock_crew(crew)
    if shoot.is_active and not allow_conflict:
        clashes = crew_clashes(start=start, end=end, crew=crew)
        if clashes:
            raise CrewDoubleBooked(clashes)
    shoot.save()
    shoot.crew.set(crew)
    record_event(actor, "shoot.created", shoot, {"start": start, "crew": sorted(m.name for m in crew)})
    return shoot


@transaction.atomic
def shoot_update(
    *,
    actor: Actor,
    shoot: Shoot,
    crew: Iterable[TeamMember] | None = None,
    end: datetime | None = None,
    allow_conflict: bool = False,
    **changes: Any,
) -> Shoot:
    """Change a shoot; start, duration and end stay consistent (give a duration or an end)."""
    unknown = set(changes) - set(SHOOT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown shoot fields: {', '.join(sorted(unknown))}")
    start = changes.get("start", shoot.start)
    duration = changes.get("duration_minutes")
    if end is not None or duration is not None or "start" in changes:
        duration, end = shoot_timing(
            start, duration_minutes=duration if duration is not None else (None if end else shoot.duration_minutes),
            end=end,
        )  # fmt: skip
        changes["duration_minutes"] = duration
    new_crew = list(crew) if crew is not None else list(shoot.crew.all())
    if "campaign" in changes and changes["campaign"] is not None and changes["campaign"].client_id != shoot.client_id:
        raise ValidationError({"campaign": "That campaign belongs to another client."})
    changed = diff(shoot, SHOOT_FIELDS, changes)
    old_crew = sorted(m.name for m in shoot.crew.all())
    if crew is not None and sorted(m.name for m in new_crew) != old_crew:
        changed["crew"] = [old_crew, sorted(m.name for m in new_crew)]
    for name, value in changes.items():
        setattr(shoot, name, value)
    shoot.end = shoot.start + timedelta(minutes=shoot.duration_minutes)
    shoot.full_clean(exclude=["end"])
    _lock_crew(new_crew)
    if shoot.is_active and not allow_conflict:
        clashes = crew_clashes(start=shoot.start, end=shoot.end, crew=new_crew, exclude=shoot)
        if clashes:
            raise CrewDoubleBooked(clashes)
    shoot.save()
    if crew is not None:
        shoot.crew.set(new_crew)
    if changed:
        verb = "shoot.status_changed" if set(changed) == {"status"} else "shoot.updated"
        record_event(actor, verb, shoot, changed)
    return shoot


@transaction.atomic
def shoot_delete(*, actor: Actor, shoot: Shoot) -> None:
    record_event(actor, "shoot.deleted", shoot, {"start": shoot.start})
    shoot.delete()
