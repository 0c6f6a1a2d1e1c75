"""Reads: a person's notifications (only ever their own) and their channel choices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from agency import permissions
from agency.models import User
from notifications.kinds import KINDS, Kind
from notifications.models import Notification, NotificationPreference


def notifications_of(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """What ``user`` sees in the bell and on the notifications page, newest first."""
    qs = Notification.objects.filter(recipient=user, in_app=True).order_by("-created_at", "-pk")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: User) -> int:
    return notifications_of(user, unread_only=True).count()


def latest(user: User, limit: int = 8) -> list[Notification]:
    return list(notifications_of(user)[:limit])


def unread_since(user: User, since: datetime, limit: int = 3) -> list[Notification]:
    """The newest unread notifications made after ``since`` (the bell's toasts), newest first."""
    return list(notifications_of(user, unread_only=True).filter(created_at__gt=since)[:limit])


def preferences_of(user: User) -> dict[str, dict[str, bool]]:
    """{kind: {"in_app": bool, "email": bool}} for every kind offered to the user's access level."""
    level = permissions.staff_level(user)
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    choices = {}
    for key, kind in KINDS.items():
        if not kind.offered_to(level):
            continue
        pref = saved.get(key)
        choices[key] = {
            "in_app": pref.in_app if pref else kind.default(level, "in_app"),
            "email": pref.email if pref else kind.default(level, "email"),
        }
    return choices


def channels_for(users: Iterable[User], kind: Kind) -> dict[int, tuple[bool, bool]]:
    """{user id: (in_app, email)} for ``kind``, for people it is offered to (one query)."""
    saved = {
        p.user_id: (p.in_app, p.email)
        for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind.key)
    }
    channels: dict[int, tuple[bool, bool]] = {}
    for user in users:
        level = permissions.staff_level(user)
        if not kind.offered_to(level):
            continue
        channels[user.pk] = saved.get(user.pk) or (kind.default(level, "in_app"), kind.default(level, "email"))
    return channels
