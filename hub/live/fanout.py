"""Who receives which live event: the groups of the channel layer and the messages sent to them.

A live message says only *that* something changed (event type and topics such as ``post`` and
``post:12``), never what: the page then re-reads its own region with the viewer's session, so the
views' own permission checks decide what anyone sees. Still, each event goes only where it may:

* staff sockets join ``live.staff.<level>``; an event goes to the levels allowed its audience
  action (``agency.permissions``), so a viewer never hears of what a viewer may not see;
* a portal socket joins ``live.client.<id>`` of its own client only, and gets only the event types
  a client's portal shows (``PORTAL_TYPES``);
* a person's socket also joins ``live.user.<id>`` (messages for one person).

The live-only events (``localbzz.events.LIVE_TYPES`` and signals such as a generation job's
progress) go the same way: default audience ``view``, and to a portal only when listed.

An event that may raise notifications (``notifications.kinds``) also carries the topic
``notifications``: the bells re-read their own count.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from agency.permissions import ACTIONS, LEVEL_BY_NAME, Level, levels_allowed
from localbzz.events import Event
from notifications.kinds import KIND_BY_EVENT

logger = logging.getLogger(__name__)

Message = tuple[str, dict]  # (group, channel-layer message)

# The permission action a staff member needs to hear of an event (default "view": every level).
AUDIENCE: dict[str, str] = {
    "social_account.needs_reconnect": "manage_accounts",
    "lead.submitted": "edit_content",
    "lead.approved": "edit_content",
    "portal_request.updated": "edit_content",
}
# What a client's portal shows (posts, approvals, requests, deliverables, shoots); nothing internal
# (tasks, leads, account tokens, the client's own status in the agency's pipeline).
PORTAL_TYPES = frozenset(
    {
        "post.approved",
        "post.scheduled",
        "post.published",
        "post.failed",
        "post.submitted",
        "post.changes_requested",
        "portal_request.updated",
        "deliverable.status_changed",
        "deliverable.ready",
        "shoot.status_changed",
        "report.ready",
        "media_asset.processed",  # the client's own library: a photo's sizes are made
    }
)


def staff_group(level: Level | int) -> str:
    return f"live.staff.{int(level)}"


def client_group(client_id) -> str:
    return f"live.client.{client_id}"


def user_group(user_id) -> str:
    return f"live.user.{user_id}"


def topics_of(event: Event) -> list[str]:
    topics = [event.object_type, f"{event.object_type}:{event.object_id}"] if event.object_type else []
    if event.client_id:
        topics.append(f"client:{event.client_id}")
    if event.type == "task.timer_changed" and event.actor_id:
        topics.append(f"timer:{event.actor_id}")  # the person's own running timer (sidebar, tasks)
    return topics


def audience_of(event_type: str) -> str:
    action = AUDIENCE.get(event_type, "view")
    assert action in ACTIONS, action
    return action


def messages_for(events: Iterable[Event]) -> list[Message]:
    """The (group, message) pairs that carry ``events`` to the sockets that may hear of them."""
    out: list[Message] = []
    for event in events:
        topics = topics_of(event)
        message = {"type": "live.signal", "event": event.type, "topics": topics}
        staff_message = message
        if event.type in KIND_BY_EVENT:  # it may raise notifications: the bells re-read their count
            staff_message = {**message, "topics": [*topics, "notifications"]}
        for name in levels_allowed(audience_of(event.type)):
            out.append((staff_group(LEVEL_BY_NAME[name]), staff_message))
        if event.client_id and event.type in PORTAL_TYPES:
            out.append((client_group(event.client_id), message))
    return out


async def send_async(messages: list[Message], layer=None) -> None:
    layer = layer or get_channel_layer()
    for group, message in messages:
        await layer.group_send(group, message)


def send(messages: list[Message]) -> None:
    """Send from synchronous code (a listener after commit, a signal); never raises: live updates
    are a convenience, the pages still show the truth on their next read (and poll without us)."""
    if not messages:
        return
    try:
        async_to_sync(send_async)(messages)
    except Exception:
        logger.exception("Sending %d live update(s) failed", len(messages))


def on_events(events: list[Event]) -> None:
    """The ``localbzz.events`` listener (``many``) when this process hands its events to the layer."""
    if settings.LIVE_RELAY == "layer":
        send(messages_for(events))
