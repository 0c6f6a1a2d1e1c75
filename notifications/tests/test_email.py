"""Notification emails: sent by the worker task after commit (never in the request), HTML and
text, once, with an absolute link; a mail server failure loses nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notification_email_send, notification_emails_retry
from notifications.tasks import notification_email_send as email_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.NOTIFICATIONS_BASE_URL = "https://app.localbzz.example"


def test_the_approver_gets_one_email_with_text_html_and_the_link(write_post, owner, editor, sync_tasks):
    post = write_post(editor)
    assert len(mail.outbox) == 1  # the owner (approvers get approvals by email); never the author
    message = mail.outbox[0]
    assert message.to == [owner.email] and message.subject == "Waiting for approval: Fresh sourdough this morning"
    link = f"https://app.localbzz.example/content/{post.pk}/"
    assert link in message.body and "What to do: Review it" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html and "Review the post" in html
    assert "https://app.localbzz.example/settings/notifications/" in message.body
    n = Notification.objects.get(recipient=owner)
    assert n.email_status == "sent" and n.emailed_at is not None

    assert email_task(str(n.pk)) == "sent"  # a repeated task sends nothing more
    assert len(mail.outbox) == 1


def test_no_email_is_sent_inside_the_request(write_post, owner, editor, sync_tasks, django_capture_on_commit_callbacks):
    from publishing.services import posts as post_services

    post = write_post(editor, submit=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_services.post_submit(actor=editor, post=post)
    assert mail.outbox == [] and not Notification.objects.exists()  # nothing until the commit
    for callback in callbacks:
        callback()
    assert Notification.objects.filter(recipient=owner).exists()


def test_email_switched_off_sends_none(client, write_post, owner, editor, sync_tasks):
    client.force_login(owner)
    form = {"approval_needed.in_app": "on"}  # email unticked
    assert client.post("/settings/notifications/", form).status_code == 302
    write_post(editor)
    assert mail.outbox == []
    assert Notification.objects.get(recipient=owner).email_status == ""


def test_a_mail_server_failure_keeps_the_email_pending_and_the_retry_sends_it_once(
    write_post, owner, editor, monkeypatch
):
    write_post(editor)
    n = Notification.objects.get(recipient=owner)
    assert n.email_status == "pending"

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(RuntimeError, match="not sent"):
        email_task(str(n.pk))
    n.refresh_from_db()
    assert n.email_status == "pending" and "smtp down" in n.email_error and n.email_attempts == 1
    monkeypatch.undo()

    assert notification_emails_retry(older_than=timedelta(minutes=2)) == 0  # too fresh: its own task may run
    assert notification_emails_retry(older_than=timedelta(0)) == 1
    assert notification_emails_retry(older_than=timedelta(0)) == 0
    assert notification_email_send(notification_id=str(n.pk)) == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    n.refresh_from_db()
    assert n.email_status == "sent" and n.email_error == "" and n.email_attempts == 2


def test_an_email_that_keeps_failing_is_marked_failed_after_the_limit(write_post, owner, editor, settings, monkeypatch):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 3
    write_post(editor)
    n = Notification.objects.get(recipient=owner)
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", lambda self, *a, **k: 1 / 0)
    for _ in range(5):
        notification_emails_retry(older_than=timedelta(0))
    n.refresh_from_db()
    assert n.email_status == "failed" and n.email_attempts == 3 and "ZeroDivisionError" in n.email_error
    assert n.read_at is None and n.in_app  # the in-app notification is still there


def test_the_retry_runs_on_the_scheduler():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="notifications.retry_emails")
    assert schedule.func == "notifications.tasks.retry_emails" and schedule.minutes == 5


def test_a_failure_email_names_the_account_the_platform_message_and_retry(
    write_post, editor, sync_tasks, django_capture_on_commit_callbacks
):
    from agency.services.activity import record_event

    post = write_post(editor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_event(None, "post.target_failed", post, {"account": "Bella (Facebook)", "reason": "(#324) Bad photo"})
    message = mail.outbox[0]
    assert message.to == [editor.email] and "Bella (Facebook)" in message.subject
    assert "(#324) Bad photo" in message.body and "press Retry" in message.body
    assert f"https://app.localbzz.example/content/{post.pk}/" in message.body
