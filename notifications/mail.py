"""Sending email: the one place a message is built and handed to the mail backend.

Staff notifications (``services.notification_email_send``) and the emails to a given address
(``localbzz.outbox.send_email``, registered as its sender in ``apps.ready``) both go through
:func:`message`, so every email carries the same sender and headers.
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives

from localbzz.outbox import Email
from notifications.kinds import EMAILS, KINDS

log = logging.getLogger(__name__)


def message(*, kind: str, to: list[str], subject: str, text: str, html: str = "") -> EmailMultiAlternatives:
    """One email of ``kind`` (a notification kind or an ``EMAILS`` kind), text and optional HTML."""
    if kind not in KINDS and kind not in EMAILS:
        raise ValueError(f"Unknown email kind {kind!r}: add it to notifications.kinds.EMAILS.")
    headers = {"Auto-Submitted": "auto-generated", "X-LocalBzz-Kind": kind}  # RFC 3834: no auto-replies
    email = EmailMultiAlternatives(subject, text, None, to, headers=headers)
    if html:
        email.attach_alternative(html, "text/html")
    return email


def deliver(email: Email) -> bool:
    """Send an email to a given address now; a mail-server failure is logged, not raised (the
    change the email is about has been made)."""
    built = message(kind=email.kind, to=list(email.to), subject=email.subject, text=email.text, html=email.html)
    for attachment in email.attachments:
        built.attach(attachment.filename, attachment.content, attachment.mimetype)
    try:
        built.send()
    except Exception:
        log.exception("Could not send the %s email “%s” to %s", email.kind, email.subject, ", ".join(email.to))
        return False
    return True
