"""Browser push, end to end over real HTTP: a notification reaches the person's subscribed
browsers through the fake push service, which verifies our VAPID signature and decrypts the
payload with the browser's key (notifications/fakes/push.py). Opt-out respected; 410 forgets the
browser; 429 and 5xx retried a bounded number of times; a push failure never touches the bell or
the email; nothing secret in the payload or the logs."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agency.services.activity import record_event
from notifications.models import Notification, PushSubscription
from notifications.push import push_subscribe
from publishing.tests.posting import approved_post, run_due, schedule_due

pytestmark = pytest.mark.django_db


def subscribe(fake_push, user) -> dict:
    """A browser of ``user``: minted by the fake push service, handed to us as push.js does."""
    sub = fake_push.new_browser()
    push_subscribe(user=user, subscription=sub, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
    return sub


def fail_target(post, django_capture_on_commit_callbacks, reason: str = "Caption too long") -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():  # as publishing.engine does
        record_event(None, "post.target_failed", post, {"account": "Bella (Facebook)", "reason": reason})
        record_event(None, "post.status_changed", post, {"status": ["publishing", "failed"]})


def test_a_failed_publish_reaches_the_authors_browser_signed_and_encrypted(
    fake_push, fake_platforms, bakery, account, editor, owner, sync_tasks, django_capture_on_commit_callbacks
):
    sub = subscribe(fake_push, editor)
    post = approved_post(editor, bakery, [account], caption="Sourdough is back on Saturday")
    fake_platforms.fail("facebook", "http_500", times=99)  # the platform keeps failing: the post fails
    with django_capture_on_commit_callbacks(execute=True):
        schedule_due(owner, post)
    for _ in range(8):  # the engine retries a 500 a few times, then gives up on the target
        with django_capture_on_commit_callbacks(execute=True):
            run_due()
        if Notification.objects.filter(recipient=editor, kind="post_failed").exists():
            break
        from publishing.tests.posting import make_due_now

        make_due_now(post)
    notification = Notification.objects.get(recipient=editor, kind="post_failed")
    [message] = fake_push.messages(sub["endpoint"])  # the fake checked VAPID (ES256, aud, exp) and decrypted it
    assert message["payload"] == {
        "title": notification.title,
        "body": notification.body[:240] + ("…" if len(notification.body) > 240 else ""),
        "url": f"https://app.localbzz.example/content/{post.pk}/",
        "tag": f"post_failed:{post.pk}",
    }
    assert notification.title.startswith("Failed on ")
    assert message["claims"]["sub"] == "mailto:ops@localbzz.example"
    assert message["claims"]["aud"] == fake_push.url
    assert time.time() < message["claims"]["exp"] <= time.time() + 24 * 3600
    assert message["urgency"] == "high" and message["ttl"] == 24 * 3600
    notification.refresh_from_db()
    assert notification.push_status == "sent" and notification.in_app  # the bell has it too
    assert PushSubscription.objects.get().last_success is not None
    assert fake_push.refusals() == []
    from notifications.tasks import notification_push_send

    assert notification_push_send(str(notification.pk)) == "sent"  # a repeated task sends nothing more
    assert len(fake_push.messages(sub["endpoint"])) == 1


def test_the_payload_carries_no_secret(fake_push, write_post, editor, owner, sync_tasks, settings):
    sub = subscribe(fake_push, owner)
    write_post(editor)  # waiting for approval: the owner is told
    [message] = fake_push.messages(sub["endpoint"])
    assert message["payload"]["title"] == "Waiting for approval: Fresh sourdough this morning"
    raw = json.dumps(message["payload"])
    token = sub["endpoint"].rsplit("/", 1)[-1]
    for secret in (token, sub["keys"]["p256dh"], sub["keys"]["auth"], settings.VAPID_PRIVATE_KEY, settings.SECRET_KEY):
        assert secret not in raw
    assert set(message["payload"]) == {"title", "body", "url", "tag"}


def test_a_person_who_turned_the_kind_off_gets_no_push(
    client, fake_push, editor, owner, sync_tasks, django_capture_on_commit_callbacks, write_post
):
    post = write_post(editor)
    sub = subscribe(fake_push, editor)
    client.force_login(editor)
    form = {"post_failed.in_app": "on", "post_failed.email": "on"}  # "In this browser" unticked
    assert client.post("/settings/notifications/", form).status_code == 302
    fail_target(post, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(recipient=editor, kind="post_failed")
    assert notification.push_status == "" and notification.in_app
    assert fake_push.messages(sub["endpoint"]) == [] and fake_push.fake.calls("push") == 0


def test_without_a_browser_nothing_is_queued_for_push(
    fake_push, write_post, editor, sync_tasks, django_capture_on_commit_callbacks
):
    post = write_post(editor)
    fail_target(post, django_capture_on_commit_callbacks)
    assert Notification.objects.get(recipient=editor, kind="post_failed").push_status == ""
    assert fake_push.fake.calls("push") == 0


def test_a_browser_that_unsubscribed_410_is_forgotten_and_the_others_still_get_it(
    fake_push, write_post, editor, sync_tasks, django_capture_on_commit_callbacks
):
    post = write_post(editor)
    gone, kept = subscribe(fake_push, editor), subscribe(fake_push, editor)
    fake_push.fake.unsubscribe(gone["endpoint"].rsplit("/", 1)[-1])  # the browser dropped it: the service says 410
    fail_target(post, django_capture_on_commit_callbacks)
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept["endpoint"]]
    assert len(fake_push.messages(kept["endpoint"])) == 1
    assert Notification.objects.get(recipient=editor, kind="post_failed").push_status == "sent"
    assert [r["status"] for r in fake_push.refusals()] == [410]


@pytest.mark.parametrize("kind", ["gone", "not_found"])
def test_404_and_410_delete_the_subscription(
    fake_push, write_post, editor, sync_tasks, django_capture_on_commit_callbacks, kind
):
    post = write_post(editor)
    subscribe(fake_push, editor)
    fake_push.control({"faults": [{"operation": "push", "kind": kind}]})
    fail_target(post, django_capture_on_commit_callbacks)
    assert not PushSubscription.objects.exists()
    assert fake_push.fake.calls("push") == 1  # never retried
    assert Notification.objects.get(recipient=editor, kind="post_failed").push_status == ""


def test_a_busy_push_service_429_is_retried_until_it_takes_it(
    fake_push, write_post, editor, sync_tasks, django_capture_on_commit_callbacks
):
    post = write_post(editor)
    sub = subscribe(fake_push, editor)
    fake_push.control({"faults": [{"operation": "push", "kind": "rate_limit", "times": 2, "retry_after": 0}]})
    fail_target(post, django_capture_on_commit_callbacks)
    assert fake_push.fake.calls("push") == 3 and len(fake_push.messages(sub["endpoint"])) == 1
    assert Notification.objects.get(recipient=editor, kind="post_failed").push_status == "sent"
    assert PushSubscription.objects.get().failures == 0


def test_a_failing_push_service_is_tried_a_bounded_number_of_times_and_the_email_still_goes(
    fake_push, write_post, editor, sync_tasks, django_capture_on_commit_callbacks, settings
):
    settings.PUSH_MAX_ATTEMPTS = 3
    post = write_post(editor)
    subscribe(fake_push, editor)
    fake_push.control({"faults": [{"operation": "push", "kind": "server_error", "times": 10}]})
    mail.outbox.clear()
    fail_target(post, django_capture_on_commit_callbacks)
    assert fake_push.fake.calls("push") == 3
    notification = Notification.objects.get(recipient=editor, kind="post_failed")
    assert notification.push_status == "failed" and notification.email_status == "sent" and notification.in_app
    assert len(mail.outbox) == 1
    assert PushSubscription.objects.get().failures == 1  # kept: it may come back


def test_the_fake_refuses_a_signature_by_another_key(fake_push, write_post, editor, owner, sync_tasks, settings):
    """The fake really checks: a JWT signed with a key other than the one in k= is refused (401)."""
    from py_vapid import Vapid02

    sub = subscribe(fake_push, owner)
    other = Vapid02()
    other.generate_keys()
    real = Vapid02.from_string(settings.VAPID_PRIVATE_KEY)
    forged = other.sign({"sub": "mailto:x@example.com", "aud": fake_push.url, "exp": int(time.time()) + 600})
    genuine = real.sign({"sub": "mailto:x@example.com", "aud": fake_push.url, "exp": int(time.time()) + 600})
    mixed = forged["Authorization"].split(",")[0] + "," + genuine["Authorization"].split(",")[1]
    import requests

    answer = requests.post(sub["endpoint"], data=b"x", headers={"Authorization": mixed, "TTL": "60"}, timeout=5)
    assert answer.status_code == 401 and "VAPID JWT not valid" in answer.json()["error"]
    wrong_aud = real.sign(
        {"sub": "mailto:x@example.com", "aud": "https://fcm.googleapis.com", "exp": int(time.time()) + 600}
    )
    answer = requests.post(sub["endpoint"], data=b"x", headers={**wrong_aud, "TTL": "60"}, timeout=5)
    assert answer.status_code == 401 and "InvalidAudience" in answer.json()["error"]


def test_logs_name_the_host_only(
    fake_push, write_post, editor, sync_tasks, django_capture_on_commit_callbacks, caplog, settings
):
    post = write_post(editor)
    sub = subscribe(fake_push, editor)
    fake_push.control({"faults": [{"operation": "push", "kind": "server_error", "times": 1}]})
    with caplog.at_level(logging.DEBUG):
        fail_target(post, django_capture_on_commit_callbacks)
    ours = [r for r in caplog.records if r.name != "localbzz.fakekit"]  # the fake push service logs its own paths
    logged = "\n".join(r.getMessage() for r in ours)
    assert any(r.name == "urllib3.connectionpool" for r in ours)  # urllib3's line is there, without the path
    assert "web-push POST 127.0.0.1" in logged
    token = sub["endpoint"].rsplit("/", 1)[-1]
    for secret in (token, sub["keys"]["p256dh"], sub["keys"]["auth"], settings.VAPID_PRIVATE_KEY):
        assert secret not in logged


# A client's portal users ------------------------------------------------------------------------


def test_a_post_waiting_for_the_client_reaches_their_browser_with_a_portal_link(
    fake_push, portal_people, owner, editor, sync_tasks, django_capture_on_commit_callbacks
):
    from publishing.services import posts as post_services
    from publishing.tests.posting import accounts_for

    joe, bella = portal_people["joes-push"], portal_people["bella-push"]
    joes = joe.client
    joes.requires_client_approval = True
    joes.save(update_fields=["requires_client_approval"])
    account = accounts_for(joes, owner, platforms=("facebook",))["facebook"]
    joe_sub, bella_sub = subscribe(fake_push, joe.user), subscribe(fake_push, bella.user)
    staff_sub = subscribe(fake_push, owner)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_services.post_create(actor=editor, client=joes, caption="Spring cleanup deals", accounts=[account])
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_approve(actor=owner, post=post)
    [message] = fake_push.messages(joe_sub["endpoint"])
    assert message["payload"]["title"] == "A post is waiting for your approval"
    assert "//joes-push.localhost" in message["payload"]["url"]
    assert message["payload"]["url"].endswith(f"/posts/{post.pk}/")
    assert "Spring cleanup deals" in message["payload"]["body"]
    assert fake_push.messages(bella_sub["endpoint"]) == []  # another client's person hears nothing
    assert all("your approval" not in m["payload"]["title"] for m in fake_push.messages(staff_sub["endpoint"]))
    assert not Notification.objects.filter(recipient=joe.user, in_app=True).exists()  # no staff bell for clients


def test_an_agency_answer_to_a_request_reaches_the_client_not_their_own_message(
    fake_push, portal_people, editor, sync_tasks, django_capture_on_commit_callbacks
):
    from agency.services import inbox
    from portal.services import inbox as portal_inbox

    joe = portal_people["joes-push"]
    sub = subscribe(fake_push, joe.user)
    with django_capture_on_commit_callbacks(execute=True):
        request = portal_inbox.request_create(
            client_user=joe, content="Can you post our new hours?", kind="Request", topic="Content", priority="Normal"
        )
    assert fake_push.messages(sub["endpoint"]) == []  # their own request is no news to them
    with django_capture_on_commit_callbacks(execute=True):
        inbox.request_reply(actor=editor, request=request, body="Yes, tomorrow at 9.")
    [message] = fake_push.messages(sub["endpoint"])  # one: "Working", which follows the answer, is not pushed
    assert "answered your request" in message["payload"]["title"]
    assert "Yes, tomorrow at 9." in message["payload"]["body"]
    assert message["payload"]["url"].endswith(f"/requests/{request.pk}/")


def test_a_client_who_turned_it_off_gets_nothing(
    fake_push, portal_people, editor, sync_tasks, django_capture_on_commit_callbacks
):
    from agency.services import inbox
    from notifications.services import preferences_save
    from portal.services import inbox as portal_inbox

    joe = portal_people["joes-push"]
    sub = subscribe(fake_push, joe.user)
    preferences_save(user=joe.user, choices={"client_request_update": {"push": False}})
    with django_capture_on_commit_callbacks(execute=True):
        request = portal_inbox.request_create(
            client_user=joe, content="New logo?", kind="Request", topic="Content", priority="Normal"
        )
    with django_capture_on_commit_callbacks(execute=True):
        inbox.request_reply(actor=editor, request=request, body="On it.")
    assert fake_push.messages(sub["endpoint"]) == []


def test_a_ready_report_reaches_whoever_asked_and_the_clients_people(
    fake_push, portal_people, owner, editor, sync_tasks, django_capture_on_commit_callbacks
):
    """``report.ready`` as reports.services records it: the staff member who asked (a staff kind)
    and the client's portal users (a client kind) — two kinds of one event."""
    from datetime import date

    from reports.models import Report

    joe = portal_people["joes-push"]
    report = Report.objects.create(client=joe.client, month=date(2026, 10, 1), requested_by=editor, status="ready")
    staff_sub, joe_sub = subscribe(fake_push, editor), subscribe(fake_push, joe.user)
    owner_sub = subscribe(fake_push, owner)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_event(None, "report.ready", report, {"month": "2026-10", "bytes": 1234}, by="LocalBzz")
    [for_staff] = fake_push.messages(staff_sub["endpoint"])
    assert for_staff["payload"]["title"] == "Report ready: Joe's Landscaping, October 2026"
    assert for_staff["payload"]["url"] == (f"https://app.localbzz.example/clients/{joe.client.pk}/reports/2026-10.pdf")
    [for_joe] = fake_push.messages(joe_sub["endpoint"])
    assert for_joe["payload"]["title"] == "Your October report is ready"
    assert "//joes-push.localhost" in for_joe["payload"]["url"] and for_joe["payload"]["url"].endswith("/results/")
    assert fake_push.messages(owner_sub["endpoint"]) == []  # someone asked for it: the others are not told
    assert Notification.objects.get(recipient=editor).in_app and not Notification.objects.get(recipient=joe.user).in_app


def test_choosing_the_channels_costs_the_same_queries_for_one_person_or_many(
    make_staff, fake_push, django_assert_num_queries
):
    from notifications.kinds import KINDS
    from notifications.selectors import channels_for

    people = [make_staff("admin") for _ in range(6)]
    for person in people[:3]:
        subscribe(fake_push, person)
    for kind in ("approval_needed", "client_approval"):
        # as the rules hand them over (agency.permissions.staff_who_can: the team member read with the user)
        fresh = [type(p).objects.select_related("team_member").get(pk=p.pk) for p in people]
        with CaptureQueriesContext(connection) as one:
            channels_for(fresh[:1], KINDS[kind])
        fresh = [type(p).objects.select_related("team_member").get(pk=p.pk) for p in people]
        with django_assert_num_queries(len(one.captured_queries)):
            chosen = channels_for(fresh, KINDS[kind])
        assert len(one.captured_queries) <= 4
    assert chosen == {}  # a client kind is never a team member's
    assert [channels_for(people, KINDS["approval_needed"])[p.pk][2] for p in people] == [True] * 3 + [False] * 3


def test_send_a_test_reaches_each_of_your_browsers_only(
    client, fake_push, editor, owner, portal_people, sync_tasks, django_capture_on_commit_callbacks
):
    mine = [subscribe(fake_push, editor), subscribe(fake_push, editor)]
    theirs = subscribe(fake_push, owner)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/settings/notifications/browsers/test/", follow=True)
    assert "A test notification is on its way to your 2 browsers." in answer.content.decode()
    for sub in mine:
        [message] = fake_push.messages(sub["endpoint"])
        assert message["payload"] == {
            "title": "Test notification",
            "body": "Browser notifications work here. Click to open your notification settings.",
            "url": "http://testserver/settings/notifications/",
            "tag": "test",
        }
    assert fake_push.messages(theirs["endpoint"]) == []

    joe = portal_people["joes-push"]
    joe_sub = subscribe(fake_push, joe.user)
    from django.test import Client as HttpClient

    portal = HttpClient(HTTP_HOST="joes-push.localhost")
    portal.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    with django_capture_on_commit_callbacks(execute=True):
        answer = portal.post("/settings/notifications/browsers/test/", follow=True)
    assert "on its way to your browser." in answer.content.decode()
    [message] = fake_push.messages(joe_sub["endpoint"])
    assert message["payload"]["url"] == "http://joes-push.localhost/settings/notifications/"


def test_send_a_test_without_a_browser_says_what_to_do(client, fake_push, editor, sync_tasks):
    client.force_login(editor)
    answer = client.post("/settings/notifications/browsers/test/", follow=True)
    assert "No browser gets notifications yet: turn them on in this browser first." in answer.content.decode()
    assert fake_push.fake.calls("push") == 0
