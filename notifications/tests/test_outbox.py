"""Every email goes through the notifications app: emails to a given address are handed to
localbzz.outbox, checked against notifications.kinds.EMAILS and sent at once by notifications.mail,
with the same headers as the staff notifications; nothing else in the code sends mail."""

from __future__ import annotations

import ast
import logging
import re
import tomllib
from pathlib import Path

import pytest
from django.core import mail

from localbzz.outbox import send_email
from notifications.kinds import EMAILS

ROOT = Path(__file__).resolve().parents[2]
# Every package of ours: the import layers' list (pyproject.toml), so a new app is read too.
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def test_an_email_goes_out_at_once_with_its_kind_and_no_auto_replies():
    assert send_email(kind="webhook_disabled", to=["b@x.example", "a@x.example", "", "a@x.example"],
                      subject="Webhook disabled", text="It failed.", html="<p>It failed.</p>")  # fmt: skip
    (message,) = mail.outbox
    assert message.to == ["a@x.example", "b@x.example"]  # one message, each address once
    assert message.extra_headers == {"Auto-Submitted": "auto-generated", "X-LocalBzz-Kind": "webhook_disabled"}
    assert message.alternatives[0] == ("<p>It failed.</p>", "text/html")


def test_without_an_address_nothing_is_sent():
    assert send_email(kind="webhook_disabled", to=["", "  "], subject="s", text="t") is False
    assert mail.outbox == []


def test_a_kind_nobody_listed_is_refused():
    with pytest.raises(ValueError, match="add it to notifications.kinds.EMAILS"):
        send_email(kind="newsletter", to=["a@x.example"], subject="s", text="t")


def test_a_mail_server_failure_is_logged_not_raised(settings, caplog, monkeypatch):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with caplog.at_level(logging.ERROR, logger="notifications.mail"):
        assert send_email(kind="staff_invitation", to=["a@x.example"], subject="Invited", text="t") is False
    assert "Could not send the staff_invitation email “Invited” to a@x.example" in caplog.text


def test_every_kind_named_in_the_code_is_listed_and_every_listed_kind_is_sent_somewhere():
    used: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts:
                continue
            used |= set(re.findall(r'send_email\(\s*kind="(\w+)"', path.read_text()))
    assert used == set(EMAILS)


def test_only_notifications_mail_builds_or_sends_email():
    """No app sends mail itself (django.core.mail): it hands the email to localbzz.outbox."""
    senders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
                    senders.append(str(path.relative_to(ROOT)))
    assert sorted(set(senders)) == ["localbzz/mail.py", "notifications/mail.py", "notifications/services.py"]


@pytest.mark.django_db
def test_invitations_and_password_resets_go_out_through_the_outbox(
    client, owner, editor, django_capture_on_commit_callbacks
):
    from agency.models import Client
    from portal.services.people import client_user_invite

    assert client.post("/accounts/password/reset/", {"email": editor.email}).status_code == 302
    joes = Client.objects.create(name="Joe's", slug="joes-outbox")
    with django_capture_on_commit_callbacks(execute=True):
        client_user_invite(actor=owner, client=joes, email="sam@joes.example")
    client.force_login(owner)
    client.post("/settings/team/", {"email": "new@agency.example", "first_name": "New", "access_level": "editor"})
    sent = [(m.to, m.extra_headers["X-LocalBzz-Kind"]) for m in mail.outbox]
    assert sent == [
        ([editor.email], "password_reset"),
        (["sam@joes.example"], "portal_invitation"),
        (["new@agency.example"], "staff_invitation"),
    ]
