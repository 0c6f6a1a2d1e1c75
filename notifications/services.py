"""Writes: notifications from domain events, read marks, preferences, and the email of one
notification (run by the ``notifications.tasks`` worker task, never inside a request)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agency.models import User
from localbzz.app_urls import app_url, staff_urlconf
from localbzz.events import Event
from localbzz.queue import enqueue
from notifications import mail, selectors
from notifications.kinds import CHANNELS, KINDS, KINDS_BY_EVENT, Kind
from notifications.models import Notification, NotificationPreference
from notifications.rules import RULES, Draft, posts_preloaded

log = logging.getLogger(__name__)

EMAIL_TASK = "notifications.tasks.notification_email_send"
PUSH_TASK = "notifications.tasks.notification_push_send"


def notify_events(events: list[Event]) -> None:
    """The ``localbzz.events`` listener (``many``): the notifications each event calls for, the
    posts concerned read once for all (a batch of published posts)."""
    wanted = [e for e in events if e.type in KINDS_BY_EVENT]
    if not wanted:
        return
    with posts_preloaded(wanted):
        for event in wanted:
            try:
                notify_event(event)
            except Exception:  # one event's failure keeps the others' notifications
                log.exception("Notifying %s failed", event.id)


def notify_event(event: Event) -> None:
    """The notifications an event calls for, for whom it concerns (a staff kind and a client kind
    may both come of one event)."""
    for kind in KINDS_BY_EVENT.get(event.type, ()):
        with staff_urlconf():  # links go to the staff app, also for events raised on a client's portal
            draft = RULES[kind.key](event)
        if draft is not None and draft.recipients:
            notifications_create(kind=kind, event=event, draft=draft)


@transaction.atomic
def notifications_create(*, kind: Kind, event: Event, draft: Draft) -> list[Notification]:
    """One notification per recipient for ``event`` — never for the person who acted, never twice
    for the same event, and only on the channels the person wants. Emails and browser pushes go
    out after commit, on the worker."""
    people = {u.pk: u for u in draft.recipients if u.pk != event.actor_id}
    channels = selectors.channels_for(list(people.values()), kind)
    already = set(
        Notification.objects.filter(event_id=event.id, recipient_id__in=list(channels)).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(
            recipient=people[user_id],
            kind=kind.key,
            event_id=event.id,
            title=draft.title[:200],
            body=draft.body,
            action=draft.action[:300],
            link=draft.link[:300],
            link_label=draft.link_label[:60],
            object_type=event.object_type[:40],
            object_id=event.object_id[:64],
            in_app=in_app,
            email_status=Notification.Email.PENDING if email else Notification.Email.NONE,
            push_status=Notification.Email.PENDING if push else Notification.Email.NONE,
        )
        for user_id, (in_app, email, push) in channels.items()
        if (in_app or email or push) and user_id not in already
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent delivery wins, once
    for row in rows:
        if row.email_status == Notification.Email.PENDING:
            enqueue(EMAIL_TASK, str(row.pk), group="notifications")
        if row.push_status == Notification.Email.PENDING:
            enqueue(PUSH_TASK, str(row.pk), group="notifications")
    return rows


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:  # views look notifications up by recipient; this is the backstop
        raise ValidationError("That notification is someone else's.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    return selectors.notifications_of(user, unread_only=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, user: User, choices: dict[str, dict[str, bool]]) -> None:
    """Save the person's channels for every kind offered to them (``choices``: kind → channel → on)."""
    offered = selectors.preferences_of(user)
    unknown = set(choices) - set(KINDS)
    if unknown:
        raise ValidationError(f"Unknown notification kinds: {', '.join(sorted(unknown))}.")
    for key in offered:
        wanted = choices.get(key, {})
        NotificationPreference.objects.update_or_create(
            user=user, kind=key, defaults={channel: bool(wanted.get(channel)) for channel in CHANNELS}
        )


def notification_email_send(*, notification_id: str) -> str:
    """Send one notification's email (HTML and text), at most once.

    The row is locked while sending, so two workers never both send it. If the mail server fails,
    the row stays pending with the error (retried by :func:`notification_emails_retry`; failed after
    NOTIFICATIONS_EMAIL_MAX_ATTEMPTS) and the error is raised for django-q2 to record.
    """
    with transaction.atomic():
        notification, why_not = selectors.pending(notification_id, "email_status")
        if notification is None:
            return why_not
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            notification.email_status = Notification.Email.NONE
            notification.save(update_fields=["email_status"])
            return "no address"
        notification.email_attempts += 1
        try:
            with staff_urlconf():  # in-process (sync tasks) it may run inside a portal request
                _message(notification).send()
        except Exception as exc:
            notification.email_error = f"{type(exc).__name__}: {str(exc)[:200]}"
            if notification.email_attempts >= settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS:
                notification.email_status = Notification.Email.FAILED
        else:
            notification.email_status, notification.emailed_at = Notification.Email.SENT, timezone.now()
            notification.email_error = ""
        notification.save(update_fields=["email_status", "emailed_at", "email_error", "email_attempts"])
    if notification.email_status == Notification.Email.SENT:
        return "sent"
    log.warning("Notification email %s not sent (attempt %s)", notification_id, notification.email_attempts)
    raise RuntimeError(f"Notification email {notification_id} not sent: {notification.email_error}")


def notification_emails_retry(*, older_than: timedelta = timedelta(minutes=2), limit: int = 200) -> int:
    """Send the emails still pending a while after their notification (a mail-server failure, or a
    lost task); run every few minutes by django-q2's scheduler. Answers how many went out."""
    due = Notification.objects.filter(
        email_status=Notification.Email.PENDING, created_at__lt=timezone.now() - older_than
    ).order_by("created_at")
    sent = 0
    for pk in due.values_list("pk", flat=True)[:limit]:
        try:
            sent += notification_email_send(notification_id=str(pk)) == "sent"
        except RuntimeError:
            continue  # recorded on the row; tried again next time, up to the limit
    return sent


def _message(notification: Notification) -> EmailMultiAlternatives:
    context = {
        "n": notification,
        "name": notification.recipient.first_name or notification.recipient.email,
        "link": app_url(notification.link, base=settings.NOTIFICATIONS_BASE_URL) if notification.link else "",
        "preferences": app_url(reverse("notification-preferences"), base=settings.NOTIFICATIONS_BASE_URL),
    }
    return mail.message(
        kind=notification.kind,
        to=[notification.recipient.email],
        subject=notification.title,
        text=render_to_string("notifications/email/notification.txt", context),
        html=render_to_string("notifications/email/notification.html", context),
    )
