"""Emails the publishing engine sends to clients, handed to ``localbzz.outbox`` (the notifications
app sends them). Sent after the change commits; failures are logged, never raised.

Staff emails (an account to reconnect, posts waiting for approval, failures, ...) are not sent
here: they are notifications (``notifications/``), raised by domain events, per each person's
preferences.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from localbzz import zones
from localbzz.app_urls import app_url
from localbzz.outbox import send_email
from localbzz.text import counted
from publishing.approval_links import make_token
from publishing.models import Post


def client_approval_requested(post: Post) -> None:
    link = app_url(reverse("post-approval-link", args=[make_token(post)]))
    days = getattr(settings, "APPROVAL_LINK_DAYS", 7)
    when = f" for {zones.when(post.scheduled_at, post.client)} ({post.client.timezone})" if post.scheduled_at else ""
    body = (
        f"Hello {post.client.primary_contact_name or post.client.name},\n\n"
        f"A new post{when} is ready for your approval:\n\n{post.text_for()[:500]}\n\n"
        f"Approve it or tell us what to change here (no sign-in needed; the link works for "
        f"{counted(days, 'day')}):\n{link}\n"
    )
    recipients = [post.client.primary_contact_email]
    if hasattr(post.client, "portal_users"):
        recipients += [u.user.email for u in post.client.portal_users.select_related("user")]
    send_email(
        kind="client_approval_request",
        to=recipients,
        subject=f"Please approve a post for {post.client.name}",
        text=body,
    )
