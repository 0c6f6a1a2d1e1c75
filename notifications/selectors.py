"""Reads: a person's notifications (only ever their own) and their channel choices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from agency import permissions
from agency.models import User
from agency.permissions import Level
from notifications.kinds import KINDS, Kind
from notifications.models import Notification, NotificationPreference, PushSubscription


def notifications_of(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """What ``user`` sees in the bell and on the notifications page, newest first."""
    qs = Notification.objects.filter(recipient=user, in_app=True).order_by("-created_at", "-pk")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def pending(notification_id: str, status_field: str) -> tuple[Notification | None, str]:
    """The notification with its recipient, locked for the rest of the transaction (one sender at
    a time), when its ``status_field`` (email_status, push_status) is pending; else None and why not."""
    found = Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
    if found is None:
        return None, "gone"
    status = getattr(found, status_field)
    if status != Notification.Email.PENDING:
        return None, status or "not wanted"
    return found, ""


def unread_count(user: User) -> int:
    return notifications_of(user, unread_only=True).count()


def latest(user: User, limit: int = 8) -> list[Notification]:
    return list(notifications_of(user)[:limit])


def is_client_user(user: User) -> bool:
    """A person of a client's portal (the portal app decides access; this only tells the audience)."""
    return User.objects.filter(pk=user.pk, client_user__isnull=False).exists()


def unread_since(user: User, since: datetime, limit: int = 3) -> list[Notification]:
    """The newest unread notifications made after ``since`` (the bell's toasts), newest first."""
    return list(notifications_of(user, unread_only=True).filter(created_at__gt=since)[:limit])


def preferences_of(user: User) -> dict[str, dict[str, bool]]:
    """{kind: {"in_app": bool, "email": bool, "push": bool}} for every kind offered to the person
    (the staff kinds of their access level, or a client's kinds for a portal user)."""
    level = permissions.staff_level(user)
    client_user = level is None and is_client_user(user)
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    choices = {}
    for key, kind in KINDS.items():
        if not kind.offered_to(level, client_user=client_user):
            continue
        choices[key] = _channels(saved.get(key), kind, level, client_user)
    return choices


def _channels(
    pref: NotificationPreference | None, kind: Kind, level: Level | None, client_user: bool
) -> dict[str, bool]:
    def default(channel: str) -> bool:
        return kind.default(level, channel, client_user=client_user)

    return {
        "in_app": pref.in_app if pref else default("in_app"),
        "email": pref.email if pref else default("email"),
        "push": pref.push if pref is not None and pref.push is not None else default("push"),
    }


def channels_for(users: Iterable[User], kind: Kind) -> dict[int, tuple[bool, bool, bool]]:
    """{user id: (in_app, email, push)} for ``kind``, for people it is offered to (three queries).
    Push counts only for people with a browser turned on."""
    people = list(users)
    ids = [u.pk for u in people]
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=ids, kind=kind.key)}
    browsers = set(PushSubscription.objects.filter(user__in=ids).values_list("user_id", flat=True).distinct())
    clients = (
        set(User.objects.filter(pk__in=ids, client_user__isnull=False).values_list("pk", flat=True))
        if kind.for_clients
        else set()
    )
    channels: dict[int, tuple[bool, bool, bool]] = {}
    for user in people:
        level = None if kind.for_clients else permissions.staff_level(user)
        client_user = user.pk in clients
        if not kind.offered_to(level, client_user=client_user):
            continue
        chosen = _channels(saved.get(user.pk), kind, level, client_user)
        channels[user.pk] = (chosen["in_app"], chosen["email"], chosen["push"] and user.pk in browsers)
    return channels


def push_subscriptions_of(user: User) -> QuerySet[PushSubscription]:
    """The browsers the person turned browser notifications on in, newest first."""
    return PushSubscription.objects.filter(user=user).order_by("-created", "-pk")
