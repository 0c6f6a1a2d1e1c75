"""Small builders for tests: real rows through the real services."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from agency.models import Client, Shoot, TeamMember
from agency.services import clients, deliverables, shoots, tasks

_n = itertools.count(1)


def client(**fields) -> Client:
    n = next(_n)
    fields.setdefault("name", f"Client {n}")
    fields.setdefault("slug", f"client-{n}")
    return clients.client_create(actor=None, **fields)


def at(days: int = 1, hour: int = 10, minute: int = 0) -> datetime:
    base = timezone.now().replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days)


def form_time(value: datetime) -> str:
    """A datetime as a staff form's datetime-local input holds it (agency time zone)."""
    import zoneinfo

    from django.conf import settings

    return value.astimezone(zoneinfo.ZoneInfo(settings.AGENCY_TIME_ZONE)).strftime("%Y-%m-%dT%H:%M")


def shoot(*, client_: Client | None = None, start: datetime | None = None, minutes: int = 120,
          crew: Sequence[TeamMember] = (), **fields) -> Shoot:  # fmt: skip
    return shoots.shoot_create(
        actor=None,
        client=client_ or client(),
        title=fields.pop("title", f"Shoot {next(_n)}"),
        start=start or at(),
        duration_minutes=minutes,
        crew=list(crew),
        **fields,
    )


def deliverable(*, client_: Client | None = None, **fields):
    return deliverables.deliverable_create(
        actor=None, client=client_ or client(), title=fields.pop("title", f"Deliverable {next(_n)}"), **fields
    )


def task(**fields):
    return tasks.task_create(actor=None, name=fields.pop("name", f"Task {next(_n)}"), **fields)
