"""Secret-token iCalendar feed URLs: created on first ask, regenerated on demand."""

from __future__ import annotations

import secrets

from django.db import transaction

from agency.models import CalendarFeed, Client, TeamMember
from agency.services.activity import record_event
from agency.types import Actor, acting_user


@transaction.atomic
def feed_get_or_create(
    *,
    actor: Actor,
    scope: str,
    member: TeamMember | None = None,
    client: Client | None = None,
    kind: str = CalendarFeed.Kind.SHOOTS,
) -> CalendarFeed:
    """The feed of this kind and scope, made with a fresh secret token on first ask.

    Post feeds have no member scope; a client portal's feed is always of its one client.
    """
    if kind != CalendarFeed.Kind.SHOOTS and scope == CalendarFeed.Scope.MEMBER:
        raise ValueError("Post feeds are per client or for all clients, not per team member.")
    if kind == CalendarFeed.Kind.PORTAL_POSTS and (scope != CalendarFeed.Scope.CLIENT or client is None):
        raise ValueError("A portal's post feed belongs to one client.")
    feed, created = CalendarFeed.objects.get_or_create(
        kind=kind,
        scope=scope,
        member=member if scope == CalendarFeed.Scope.MEMBER else None,
        client=client if scope == CalendarFeed.Scope.CLIENT else None,
        defaults={"token": secrets.token_urlsafe(32), "created_by": acting_user(actor)},
    )
    return feed


@transaction.atomic
def feed_regenerate(*, actor: Actor, feed: CalendarFeed) -> CalendarFeed:
    """A new secret URL; the old one stops working at once (e.g. after it leaked)."""
    feed.token = secrets.token_urlsafe(32)
    feed.created_by = acting_user(actor)
    feed.save(update_fields=["token", "created_by"])
    record_event(actor, "calendar_feed.regenerated", feed, {"scope": feed.scope, "kind": feed.kind})
    return feed
