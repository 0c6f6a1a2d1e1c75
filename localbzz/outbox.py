"""Every email leaves through here, and the notifications app sends it.

Two sorts of email exist. A staff *notification* (a post waits for approval, a post failed, …)
is raised by a domain event (``localbzz.events``) and the notifications app decides who gets it
on which channel. An email to a *given address* — an invitation with its one-time link, a
password reset, a client's approval request, the alert that a webhook was disabled — is written
by the app that knows the address and handed to :func:`send_email` here, with its ``kind``.

Apps below notifications in the layers (agency, publishing, portal, integrations) cannot import
it, so the notifications app registers its sender from ``ready()`` (:func:`register_sender`):
``notifications.mail`` checks the kind against ``notifications.kinds.EMAILS`` (the one list of
what we email), sets the headers every email carries, sends it at once (a sign-in link must
arrive promptly) and logs a failure without raising (the change the email is about is done).
Callers send after their transaction commits (``transaction.on_commit``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Email:
    kind: str  # a key of notifications.kinds.EMAILS
    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""
    attachments: tuple[Attachment, ...] = ()


Sender = Callable[[Email], bool]
_sender: list[Sender] = []


def register_sender(sender: Sender) -> None:
    """Called once by the notifications app's ``ready()``: ``sender(email)`` sends and answers
    whether the email went out."""
    _sender[:] = [sender]


def send_email(
    *, kind: str, to: Iterable[str], subject: str, text: str, html: str = "", attachments: Iterable[Attachment] = ()
) -> bool:
    """Send one email (one message to every address in ``to``); answers whether it went out.
    Empty addresses are dropped; with none left nothing is sent."""
    addresses = tuple(sorted({address.strip() for address in to if address and address.strip()}))
    if not addresses:
        return False
    if not _sender:
        raise ImproperlyConfigured("No email sender is registered: the notifications app must be installed.")
    email = Email(kind=kind, to=addresses, subject=subject, text=text, html=html, attachments=tuple(attachments))
    return _sender[0](email)
