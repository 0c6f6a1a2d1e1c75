"""django-q2 tasks of the notifications app (enqueued with localbzz.queue.enqueue, after commit)."""

from __future__ import annotations

from notifications.push import notification_push_send as _push
from notifications.push import push_test_send
from notifications.services import notification_email_send as _send
from notifications.services import notification_emails_retry


def notification_email_send(notification_id: str) -> str:
    return _send(notification_id=notification_id)


def retry_emails() -> int:
    """Scheduled every 5 minutes (migration 0002): pending emails whose first try failed or got lost."""
    return notification_emails_retry()


def notification_push_send(notification_id: str) -> str:
    """One notification to its recipient's browsers (notifications.push)."""
    return _push(notification_id=notification_id)


def push_test(user_id: int, url: str) -> str:
    """ "Send a test" of the notification settings: one notification to each of the person's browsers."""
    return push_test_send(user_id=user_id, url=url)
