"""Emails the publishing engine sends. Sent after the change commits; failures are logged, never raised."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from agency.models import TeamMember
from publishing.approval_links import make_token

log = logging.getLogger(__name__)


def _app_url(path: str) -> str:
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{settings.APP_HOST}{path}"


def _send(subject: str, body: str, to: list[str]) -> None:
    to = [address for address in to if address]
    if not to:
        return
    try:
        send_mail(subject, body, None, to)
    except Exception:  # email trouble must not undo a publishing decision
        log.exception("Could not send %r", subject)


def client_approval_requested(post) -> None:
    link = _app_url(reverse("post-approval-link", args=[make_token(post)]))
    days = getattr(settings, "APPROVAL_LINK_DAYS", 7)
    when = f" for {post.scheduled_at:%a %d %b %H:%M} UTC" if post.scheduled_at else ""
    body = (
        f"Hello {post.client.primary_contact_name or post.client.name},\n\n"
        f"A new post{when} is ready for your approval:\n\n{post.text_for()[:500]}\n\n"
        f"Approve it or tell us what to change here (no sign-in needed; the link works for {days} days):\n{link}\n"
    )
    recipients = [post.client.primary_contact_email]
    if hasattr(post.client, "portal_users"):
        recipients += [u.user.email for u in post.client.portal_users.select_related("user")]
    _send(f"Please approve a post for {post.client.name}", body, sorted(set(recipients)))


def account_needs_reconnect(account, reason: str) -> None:
    staff = TeamMember.objects.select_related("user").filter(is_active=True, access_level__in=["owner", "admin"])
    body = (
        f"{account.get_platform_display()} stopped accepting our access to {account.name} "
        f"({account.client.name}): {reason}\n\nPosts to this account will fail until it is reconnected. "
        f"Reconnect it here: {_app_url(reverse('social-accounts'))}\n"
    )
    _send(f"Reconnect {account} for {account.client.name}", body, [m.user.email for m in staff])
