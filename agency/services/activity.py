"""The activity trail: every state change of a thing people care about is recorded here, and
offered to the event listeners (webhooks, notifications: ``localbzz.events``) once it commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from agency.models import ActivityEvent, User
from agency.types import Actor
from localbzz.events import announce


def actor_label(actor: Actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "display_name", None) or str(actor)


def activity_event(
    actor: Actor,
    verb: str,
    target: models.Model | None,
    changes: dict[str, Any] | None = None,
    *,
    client_scoped: bool = True,
    by: str = "",
) -> ActivityEvent:
    """An unsaved event (for code that writes several at once with :func:`save_events`).

    ``by``: who did it, in words, when no signed-in person did (a website form's sender, a client
    without a sign-in) — shown instead of "system"."""
    return ActivityEvent(
        actor=actor if isinstance(actor, User) and actor.pk else None,
        client_id=_client_id_of(target) if client_scoped and target is not None else None,
        actor_label=(by if actor is None and by else actor_label(actor))[:200],
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        changes=changes or {},
    )


def save_events(events: list[ActivityEvent]) -> None:
    if events:
        ActivityEvent.objects.bulk_create(events)
        announce(events)


def record_event(
    actor: Actor,
    verb: str,
    target: models.Model | None,
    changes: dict[str, Any] | None = None,
    *,
    client_scoped: bool = True,
    by: str = "",
) -> ActivityEvent:
    """Record that ``actor`` (a user, or None for the system) did ``verb`` to ``target``.

    ``changes`` maps a field to ``[old, new]`` or to a value (e.g. ``{"comment": "..."}``).
    Called inside the service's transaction, so the event exists exactly when the change does.
    ``client_scoped=False`` keeps the event out of the client's own trail (e.g. its deletion).
    ``target`` is None only for what concerns no stored thing (a failed sign-in of an unknown email).
    """
    event = activity_event(actor, verb, target, changes, client_scoped=client_scoped, by=by)
    event.save()
    announce([event])
    return event


def _client_id_of(target: models.Model) -> Any:
    """The client a target belongs to: itself if it is a Client, else its ``client`` field."""
    if target._meta.label == "agency.Client":
        return target.pk
    return getattr(target, "client_id", None)


def diff(instance: models.Model, fields: Iterable[str], new_values: dict[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for the fields whose value ``new_values`` changes."""
    changes = {}
    for field in fields:
        if field not in new_values:
            continue
        old, new = getattr(instance, field), new_values[field]
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple, set)) and value and isinstance(next(iter(value)), models.Model):
        return sorted(str(v) for v in value)
    return value
