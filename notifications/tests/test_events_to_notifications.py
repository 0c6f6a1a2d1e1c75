"""Domain events become notifications for the people they concern — never the actor, once per
event, only on the channels each person wants."""

from __future__ import annotations

import pytest
from django.db import transaction

from agency.models import ActivityEvent, Client
from agency.services import deliverables as deliverable_services
from agency.services import inbox as inbox_services
from agency.services import tasks as task_services
from agency.services.activity import record_event
from localbzz import events
from notifications.models import Notification, NotificationPreference
from notifications.services import notify_event
from portal.models import ClientUser
from publishing import delivery
from publishing.services import posts as post_services

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_post_sent_for_approval_tells_the_approvers_but_not_the_author(write_post, owner, admin_user, editor, viewer):
    post = write_post(editor)
    for approver in (owner, admin_user):
        n = Notification.objects.get(recipient=approver)
        assert n.kind == "approval_needed" and n.link == f"/content/{post.pk}/" and n.read_at is None
        assert "Bella Bakery" in n.body and "Editor Tester" in n.body and n.in_app
    assert kinds_of(editor) == [] and kinds_of(viewer) == []


def test_the_approver_who_acts_is_never_told_about_it(write_post, owner, admin_user):
    write_post(owner)  # an owner writing a post: the other approver hears, the owner does not
    assert kinds_of(owner) == [] and kinds_of(admin_user) == ["approval_needed"]


def test_a_draft_tells_nobody_and_submitting_it_later_does(
    write_post, owner, editor, django_capture_on_commit_callbacks
):
    post = write_post(editor, submit=False)
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_submit(actor=editor, post=post)
    assert kinds_of(owner) == ["approval_needed"]


def test_content_a_client_submits_in_the_portal_waits_for_approval(
    bakery, account, owner, editor, django_capture_on_commit_callbacks
):
    from portal.services.people import client_user_invite

    member = client_user_invite(actor=owner, client=bakery, email="sam@bella.example", password="x-Long-pass-123")
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_create(
            actor=member.user, client=bakery, caption="Our new rye", accounts=[account], source="portal"
        )
    n = Notification.objects.get(recipient=owner)
    assert n.kind == "approval_needed" and "Bella Bakery (client portal)" in n.body
    assert kinds_of(editor) == [] and kinds_of(member.user) == []


def test_changes_requested_go_to_the_author_with_the_comment(
    write_post, owner, editor, django_capture_on_commit_callbacks
):
    post = write_post(editor)
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_request_changes(actor=owner, post=post, comment="Mention the Saturday market")
    n = Notification.objects.get(recipient=editor)
    assert n.kind == "changes_requested" and "Mention the Saturday market" in n.body
    assert "send it for approval again" in n.action
    assert kinds_of(owner) == ["approval_needed"]  # from the submission; not about their own request


def test_a_failed_target_tells_the_author_what_failed_and_what_to_do(
    write_post, editor, owner, django_capture_on_commit_callbacks
):
    post = write_post(editor)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():  # as publishing.engine does
        record_event(None, "post.target_failed", post, {"account": "Bella (Facebook)", "reason": "Caption too long"})
        record_event(None, "post.status_changed", post, {"status": ["publishing", "failed"]})
    n = Notification.objects.get(recipient=editor)  # one, though two events say "failed"
    assert n.kind == "post_failed" and "Bella (Facebook)" in n.title and "Caption too long" in n.body
    assert "Retry" in n.action and n.link == f"/content/{post.pk}/"
    assert kinds_of(owner) == []  # the author is told; approvers only when nobody on the team wrote it


def test_a_failure_of_a_post_nobody_on_the_team_wrote_goes_to_the_approvers(
    bakery, account, owner, editor, django_capture_on_commit_callbacks
):
    post = post_services.post_create(actor=None, client=bakery, caption="From the API", accounts=[account])
    with django_capture_on_commit_callbacks(execute=True):
        record_event(None, "post.target_failed", post, {"account": "Bella (Facebook)", "reason": "Token expired"})
    assert kinds_of(owner) == ["post_failed"] and kinds_of(editor) == []


def test_a_dead_token_asks_admins_and_owners_to_reconnect(
    account, owner, admin_user, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.mark_needs_reconnect(account, "The session has been invalidated")
    for person in (owner, admin_user):
        n = Notification.objects.get(recipient=person)
        assert n.kind == "account_reconnect" and "invalidated" in n.body and n.link == "/social-accounts/"
    assert kinds_of(editor) == []


def test_a_new_lead_from_the_public_form_tells_editors_and_up(
    client, owner, editor, viewer, django_capture_on_commit_callbacks
):
    form = {"contact_name": "Priya Shah", "email": "priya@example.com", "business_name": "Sunrise Yoga",
            "industry": "fitness", "location": "Austin, TX", "message": "Spring campaign please"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/forms/intake/", form).status_code == 200
    n = Notification.objects.get(recipient=editor)
    assert n.kind == "new_lead" and n.title == "New lead: Sunrise Yoga" and n.link.startswith("/leads/")
    assert n.email_status == ""  # editors: in the app; admins and owners also by email
    assert Notification.objects.get(recipient=owner).email_status == "pending"
    assert kinds_of(viewer) == []


def test_a_client_request_and_its_messages_tell_the_team(bakery, owner, editor, django_capture_on_commit_callbacks):
    client_user = ClientUser.objects.create(
        user=Client.objects.model._meta.apps.get_model("agency", "User").objects.create_user(
            email="sam@bella.example", password="x"
        ),
        client=bakery,
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = inbox_services.portal_request_create(
            actor=client_user.user, client=bakery, content="Can we post about the new bagels?"
        )
    assert kinds_of(owner) == ["client_request"] and kinds_of(editor) == ["client_request"]
    assert "bagels" in Notification.objects.get(recipient=editor).body
    with django_capture_on_commit_callbacks(execute=True):
        inbox_services.request_reply(actor=editor, request=request, body="Yes, drafting it now")
    assert kinds_of(owner).count("client_request") >= 2  # the reply (and the status it starts)
    assert kinds_of(editor) == ["client_request"]  # not about the editor's own reply


def test_a_deliverable_ready_to_post_tells_its_assignee(bakery, owner, make_staff, django_capture_on_commit_callbacks):
    crew = make_staff("viewer", "crew@test.local")
    deliverable = deliverable_services.deliverable_create(
        actor=owner, client=bakery, title="Spring reel", assignee=crew.team_member
    )
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_services.deliverable_move(actor=owner, deliverable=deliverable, status="Ready-To-Post")
    n = Notification.objects.get(recipient=crew)
    assert n.kind == "deliverable_ready" and n.title == "Ready to post: Spring reel"
    assert n.link == f"/deliverables/{deliverable.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_services.deliverable_move(actor=owner, deliverable=deliverable, status="In Progress")
    assert Notification.objects.filter(recipient=crew).count() == 1


def test_a_task_assigned_tells_the_assignee(owner, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = task_services.task_create(actor=owner, name="Edit the reel", assignee=editor.team_member)
    n = Notification.objects.get(recipient=editor)
    assert n.kind == "task_assigned" and n.link == f"/tasks/{task.pk}/"


def test_one_notification_per_person_and_event_even_if_delivered_twice(write_post, owner, editor):
    write_post(editor)
    activity = ActivityEvent.objects.get(verb="post.created")
    for event in events.events_of(activity):
        notify_event(event)
        notify_event(event)
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_switching_a_kind_off_stops_it(write_post, owner, admin_user, editor):
    NotificationPreference.objects.create(user=owner, kind="approval_needed", in_app=False, email=False)
    NotificationPreference.objects.create(user=admin_user, kind="approval_needed", in_app=False, email=True)
    write_post(editor)
    assert kinds_of(owner) == []
    email_only = Notification.objects.get(recipient=admin_user)
    assert not email_only.in_app and email_only.email_status == "pending"


def test_a_change_that_rolls_back_notifies_nobody(bakery, account, owner, editor):
    with pytest.raises(RuntimeError), transaction.atomic():
        post_services.post_create(actor=editor, client=bakery, caption="Never", accounts=[account])
        raise RuntimeError("rolled back")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("verb", "changes", "new_types"),
    [
        ("post.submitted", {"status": ["draft", "pending_approval"]}, ["post.submitted"]),
        ("post.created", {"status": "pending_approval"}, ["post.submitted"]),
        ("post.created", {"status": "draft"}, []),
        ("post.changes_requested", {"status": ["pending_approval", "changes_requested"]}, ["post.changes_requested"]),
        ("social_account.needs_reconnect", {"reason": "expired"}, ["social_account.needs_reconnect"]),
        ("lead.submitted", {"source": "website"}, ["lead.submitted"]),
        ("deliverable.moved", {"status": ["In Progress", "Ready-To-Post"]}, ["deliverable.ready"]),
        ("deliverable.moved", {"status": ["Ready-To-Post", "Delivered"]}, ["deliverable.ready"]),
        ("deliverable.deleted", {"status": "Delivered"}, []),
    ],
)
def test_the_new_event_types_come_from_verbs(verb, changes, new_types):
    added = list(events.EVENT_TYPES)[list(events.EVENT_TYPES).index("post.submitted") :]
    assert [n for n in added if events.EVENT_TYPES[n](verb, changes)] == new_types
