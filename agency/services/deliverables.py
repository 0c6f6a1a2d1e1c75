"""Writes about deliverables and their pipeline (To Do → … → Delivered)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency.models import Campaign, Client, Deliverable, Shoot
from agency.services.activity import diff, record_event
from agency.types import Actor

DELIVERABLE_FIELDS = [
    "title", "kind", "due_date", "assignee", "file_link", "caption", "posting_instructions", "shoot", "campaign",
    "client_feedback",
]  # fmt: skip


def _check_links(client_id: UUID, shoot: Shoot | None, campaign: Campaign | None) -> None:
    if shoot is not None and shoot.client_id != client_id:
        raise ValidationError({"shoot": "That shoot belongs to another client."})
    if campaign is not None and campaign.client_id != client_id:
        raise ValidationError({"campaign": "That campaign belongs to another client."})


@transaction.atomic
def deliverable_create(
    *, actor: Actor, client: Client, title: str, status: str = Deliverable.Status.TO_DO, **fields: Any
) -> Deliverable:
    _check_links(client.pk, fields.get("shoot"), fields.get("campaign"))
    deliverable = Deliverable(client=client, title=title.strip(), status=status, **fields)
    if status == Deliverable.Status.DELIVERED:
        deliverable.delivered_at = timezone.now()
    deliverable.full_clean()
    deliverable.save()
    record_event(actor, "deliverable.created", deliverable, {"status": status})
    return deliverable


@transaction.atomic
def deliverable_update(
    *, actor: Actor, deliverable: Deliverable, status: str | None = None, **changes: Any
) -> Deliverable:
    unknown = set(changes) - set(DELIVERABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown deliverable fields: {', '.join(sorted(unknown))}")
    _check_links(deliverable.client_id, changes.get("shoot"), changes.get("campaign"))
    changed = diff(deliverable, DELIVERABLE_FIELDS, changes)
    for name, value in changes.items():
        setattr(deliverable, name, value)
    deliverable.full_clean()
    deliverable.save()
    if changed:
        record_event(actor, "deliverable.updated", deliverable, changed)
    if status is not None and status != deliverable.status:
        deliverable_move(actor=actor, deliverable=deliverable, status=status)
    return deliverable


@transaction.atomic
def deliverable_move(*, actor: Actor, deliverable: Deliverable, status: str) -> Deliverable:
    """Move a deliverable to another pipeline column (any column: work sometimes goes back)."""
    if status not in Deliverable.Status.values:
        raise ValidationError({"status": f"Unknown status “{status}”; use one of {', '.join(Deliverable.PIPELINE)}."})
    old = deliverable.status
    if old == status:
        return deliverable
    deliverable.status = status
    deliverable.delivered_at = timezone.now() if status == Deliverable.Status.DELIVERED else None
    deliverable.save(update_fields=["status", "delivered_at", "updated_at"])
    record_event(actor, "deliverable.moved", deliverable, {"status": [old, status]})
    return deliverable


@transaction.atomic
def deliverable_delete(*, actor: Actor, deliverable: Deliverable) -> None:
    record_event(actor, "deliverable.deleted", deliverable, {"status": deliverable.status})
    deliverable.delete()
