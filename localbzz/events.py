"""Domain events: what happened, said once, for whoever listens (webhooks, notifications).

Every state change people care about is recorded in the activity trail
(``agency.services.activity.record_event`` / ``save_events``). Each recorded activity is also
offered here: :func:`announce` maps it to the public event types below and, after the
transaction commits (never for a change that was rolled back), hands one :class:`Event` per type
to every listener. Listeners register in their app's ``ready()`` with :func:`listen`; they must be
quick (enqueue work, write a row) and must not raise — a failing listener is logged and the
others still run.

``EVENT_TYPES`` is the one list of public event types (the webhook event names) and the rule
that derives each from an activity verb and its changes. ``LIVE_TYPES`` are changes only the open
pages care about (a timer started, a photo's renditions made): no webhook or notification hears
them, only listeners registered with ``live=True`` (``hub.live``). A change that is no activity at
all (a generation job's progress, at most once a second) is offered with :func:`signal`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def _new(changes: dict, name: str) -> Any:
    """The new value of ``name`` in an activity's changes ({field: [old, new]} or {field: value})."""
    value = changes.get(name)
    return value[-1] if isinstance(value, list) and len(value) == 2 else value


def _status_change(prefix: str) -> Callable[[str, dict], bool]:
    return lambda verb, changes: verb.startswith(prefix) and not verb.endswith(".created") and "status" in changes


EVENT_TYPES: dict[str, Callable[[str, dict], bool]] = {
    "client.status_changed": _status_change("client."),
    "shoot.status_changed": _status_change("shoot."),
    "deliverable.status_changed": _status_change("deliverable."),
    "task.assigned": lambda verb, changes: verb.startswith("task.") and bool(_new(changes, "assignee")),
    "task.completed": lambda verb, changes: (
        verb.startswith("task.") and str(_new(changes, "status")).lower() == "completed"
    ),
    "lead.approved": lambda verb, changes: verb == "lead.approved",
    "portal_request.updated": lambda verb, changes: verb.startswith("request."),
    "post.approved": lambda verb, changes: verb in {"post.approved", "post.client_approved"},
    "post.scheduled": lambda verb, changes: (
        verb in {"post.scheduled", "post.rescheduled", "post.queued"}
        or (verb.startswith("post.") and _new(changes, "status") == "scheduled")
    ),
    "post.published": lambda verb, changes: (
        verb == "post.status_changed" and _new(changes, "status") in {"published", "partially_published"}
    ),
    "post.failed": lambda verb, changes: (
        verb == "post.target_failed" or (verb == "post.status_changed" and _new(changes, "status") == "failed")
    ),
    # Staff notifications (notifications/) listen to these too.
    "post.submitted": lambda verb, changes: (
        verb == "post.submitted"
        or (verb in {"post.created", "post.edited"} and _new(changes, "status") == "pending_approval")
    ),
    "post.changes_requested": lambda verb, changes: verb == "post.changes_requested",
    "post.missed_time": lambda verb, changes: verb == "post.missed_time",
    "social_account.needs_reconnect": lambda verb, changes: verb == "social_account.needs_reconnect",
    "lead.submitted": lambda verb, changes: verb == "lead.submitted",
    "deliverable.ready": lambda verb, changes: (
        verb in {"deliverable.created", "deliverable.updated", "deliverable.moved"}
        and _new(changes, "status") in {"Ready-To-Post", "Delivered"}
    ),
    # A file attached to (or removed from) a shoot, deliverable or request: the object is that thing.
    "attachment.added": lambda verb, changes: verb == "attachment.added",
    "attachment.removed": lambda verb, changes: verb == "attachment.removed",
    "report.ready": lambda verb, changes: verb == "report.ready",  # a client's monthly PDF is made (reports/)
}
EVENT_NAMES = tuple(EVENT_TYPES)

# Changes only the open pages hear (hub.live): never a webhook, never a notification.
TIMER_VERBS = frozenset({"task.timer_started", "task.timer_stopped", "task.time_logged", "task.time_removed"})
LIVE_TYPES: dict[str, Callable[[str, dict], bool]] = {
    "task.timer_changed": lambda verb, changes: verb in TIMER_VERBS,
    "media_asset.processed": lambda verb, changes: verb in {"media_asset.processed", "media_asset.processing_failed"},
}
JOB_PROGRESS = "generation_job.progress"  # a generation job moved (signal(): no activity)


@dataclass(frozen=True)
class Event:
    id: str  # unique per (activity, type): receivers use it to drop duplicates
    type: str
    created_at: datetime
    verb: str  # the activity verb it came from
    object_type: str  # e.g. "post", "client"
    object_id: str
    object_label: str
    client_id: str | None
    actor_id: Any
    actor_label: str
    changes: dict = field(default_factory=dict)

    def data(self) -> dict:
        """The ``data`` of a webhook body."""
        return {
            "object": {"type": self.object_type, "id": self.object_id, "label": self.object_label},
            "client_id": self.client_id,
            "actor": self.actor_label,
            "verb": self.verb,
            "changes": self.changes,
        }


_listeners: list[tuple[Callable, bool]] = []
_live_listeners: list[Callable] = []


def listen(listener: Callable, *, many: bool = False, live: bool = False) -> None:
    """Call ``listener(event)`` for every event from now on (idempotent). ``many=True``: call
    ``listener(events)`` once with all the events of a transaction instead (a batch of published
    posts reads its webhook endpoints and notification rules once, not once per post).
    ``live=True`` (implies ``many``): the live-only events too (``LIVE_TYPES``, :func:`signal`)."""
    if live:
        if listener not in _live_listeners:
            _live_listeners.append(listener)
    elif (listener, many) not in _listeners:
        _listeners.append((listener, many))


def events_of(activity, *, live: bool = False) -> list[Event]:
    """The public events an activity (an ``agency.models.ActivityEvent``, saved) stands for; with
    ``live``, its live-only events too."""
    changes = activity.changes or {}
    rules = {**EVENT_TYPES, **LIVE_TYPES} if live else EVENT_TYPES
    types = [name for name, rule in rules.items() if rule(activity.verb, changes)]
    return [
        Event(
            id=f"evt_{activity.pk}_{name}",
            type=name,
            created_at=activity.created_at,
            verb=activity.verb,
            object_type=activity.target_type.model if activity.target_type_id else "",
            object_id=str(activity.target_id),
            object_label=activity.target_label,
            client_id=str(activity.client_id) if activity.client_id else None,
            actor_id=activity.actor_id,
            actor_label=activity.actor_label,
            changes=changes,
        )
        for name in types
    ]


def announce(activities) -> None:
    """Offer saved activities to the listeners once the current transaction commits."""
    if not _listeners and not _live_listeners:
        return
    events = [event for activity in activities for event in events_of(activity, live=bool(_live_listeners))]
    if events:
        transaction.on_commit(lambda: _deliver(events))


def signal(type: str, *, object_type: str, object_id: Any, client_id: Any = None) -> None:
    """Tell the open pages (the ``live`` listeners only) that ``object_type:object_id`` changed, once
    the current transaction commits: for a change that is no activity (a job's progress). Says only
    *that* it changed; the pages re-read what they show."""
    if not _live_listeners:
        return
    event = live_event(type, object_type=object_type, object_id=object_id, client_id=client_id)
    transaction.on_commit(lambda: _deliver([event]))


def live_event(type: str, *, object_type: str, object_id: Any, client_id: Any = None, at=None) -> Event:
    """A live-only event that is no activity (:func:`signal`, and the relay that reads them back)."""
    return Event(
        id=f"sig_{object_type}_{object_id}", type=type, created_at=at or timezone.now(), verb=type,
        object_type=object_type, object_id=str(object_id), object_label="",
        client_id=str(client_id) if client_id else None, actor_id=None, actor_label="system",
    )  # fmt: skip


def _deliver(events: list[Event]) -> None:
    """The public events to every listener, then all of them to the live listeners (last: an
    event's notifications are written before the pages are told to re-read the bell)."""
    public = [event for event in events if event.type in EVENT_TYPES]
    calls = [(listener, many, public) for listener, many in list(_listeners) if public]
    calls += [(listener, True, events) for listener in list(_live_listeners)]
    for listener, many, given in calls:
        for batch in [given] if many else [[event] for event in given]:
            try:
                listener(batch if many else batch[0])
            except Exception:
                name = getattr(listener, "__name__", listener)
                logger.exception("Event listener %s failed on %s", name, ", ".join(e.id for e in batch))
