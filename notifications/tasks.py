"""django-q2 tasks of the notifications app (enqueued with localbzz.queue.enqueue, after commit)."""

from __future__ import annotations

from notifications.services import notification_email_send as _send


def notification_email_send(notification_id: str) -> str:
    return _send(notification_id=notification_id)
