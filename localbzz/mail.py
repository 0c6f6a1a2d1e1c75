"""The development email backend: each message is written in full to a file under ``var/mail/``
and announced with one line in the log (who, subject, which file), so the demo's terminal is not
flooded with whole emails (``make run`` printed ~1,500 lines in its first minutes) and the links
in them are one ``cat`` away. Production sends with SMTP (``EMAIL_BACKEND``)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

logger = logging.getLogger("localbzz.mail")


class SummaryFileBackend(FileEmailBackend):
    _fname: str | None  # the file being written, set by FileEmailBackend (django-stubs leave it out)

    def write_message(self, message: EmailMessage) -> None:
        super().write_message(message)
        self.stream.flush()
        logger.info("Email to %s: “%s” (in full: %s)", ", ".join(message.recipients()), message.subject, self._fname)
