"""Portal requests (inbox, replies, status) and team management."""

from __future__ import annotations

import pytest
from django.core import mail

from agency.models import ActivityEvent, PortalRequest, RequestMessage, TeamMember
from agency.services import inbox
from agency.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests_():
    a, b = factories.client(name="Alpha"), factories.client(name="Beta")
    urgent = inbox.portal_request_create(
        actor=None, client=a, content="Move Friday post", priority="Urgent", topic="Content"
    )
    normal = inbox.portal_request_create(actor=None, client=b, content="New opening hours", topic="Business Update")
    return urgent, normal


def test_inbox_filters_by_status_priority_topic_and_client(api_as, client, viewer, requests_):
    urgent, normal = requests_
    api = api_as(viewer)
    assert [r["id"] for r in api.get("/api/v1/portal-requests?priority=Urgent").json()["items"]] == [str(urgent.pk)]
    assert [r["id"] for r in api.get("/api/v1/portal-requests?topic=Business Update").json()["items"]] == [
        str(normal.pk)
    ]
    assert [r["id"] for r in api.get(f"/api/v1/portal-requests?client_id={normal.client_id}").json()["items"]] == [
        str(normal.pk)
    ]
    client.force_login(viewer)
    html = client.get("/requests/?priority=Urgent").content.decode()
    assert "Move Friday post" in html and "New opening hours" not in html


def test_a_staff_reply_starts_work_and_is_recorded(client, editor, requests_):
    urgent, _ = requests_
    client.force_login(editor)
    client.post(f"/requests/{urgent.pk}/reply/", {"body": "On it — moving it to Friday 9am."})
    urgent.refresh_from_db()
    assert urgent.status == "Working"
    message = RequestMessage.objects.get()
    assert message.from_staff and message.author == editor
    assert ActivityEvent.objects.filter(verb="request.replied", target_id=str(urgent.pk)).exists()
    assert "On it — moving it to Friday 9am." in client.get(f"/requests/{urgent.pk}/").content.decode()


def test_status_changes_via_api_and_messages(api_as, editor, requests_):
    urgent, _ = requests_
    api = api_as(editor)
    assert (
        api.patch(f"/api/v1/portal-requests/{urgent.pk}", {"status": "Done"}, format="json").json()["status"] == "Done"
    )
    posted = api.post(f"/api/v1/portal-requests/{urgent.pk}/messages", {"body": "Done and dusted"}, format="json")
    assert posted.status_code == 201
    assert [m["body"] for m in api.get(f"/api/v1/portal-requests/{urgent.pk}/messages").json()] == ["Done and dusted"]
    event = ActivityEvent.objects.get(verb="request.status_changed", target_id=str(urgent.pk))
    assert event.changes == {"status": ["New", "Done"]}


def test_an_empty_reply_is_refused(api_as, editor, requests_):
    urgent, _ = requests_
    response = api_as(editor).post(f"/api/v1/portal-requests/{urgent.pk}/messages", {"body": ""}, format="json")
    assert response.status_code == 400
    assert PortalRequest.objects.get(pk=urgent.pk).status == "New"


# Team -----------------------------------------------------------------------------------------


def test_admins_add_people_and_an_invitation_is_sent(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/settings/team/",
        {"email": "new@test.local", "first_name": "Nia", "access_level": "editor", "is_content_creator": "on"},
    )
    assert response.status_code == 302
    member = TeamMember.objects.get(user__email="new@test.local")
    assert member.is_content_creator and not member.user.has_usable_password()
    assert len(mail.outbox) == 1 and "/accounts/password/reset/" in mail.outbox[0].body


def test_editors_cannot_add_people(client, editor):
    client.force_login(editor)
    assert (
        client.post(
            "/settings/team/", {"email": "x@test.local", "first_name": "X", "access_level": "editor"}
        ).status_code
        == 403
    )
    assert not TeamMember.objects.filter(user__email="x@test.local").exists()


def test_only_owners_make_owners(api_as, admin_user, owner, editor):
    member = editor.team_member
    refused = api_as(admin_user).patch(f"/api/v1/team-members/{member.pk}", {"access_level": "owner"}, format="json")
    assert refused.status_code == 403
    allowed = api_as(owner).patch(f"/api/v1/team-members/{member.pk}", {"access_level": "owner"}, format="json")
    assert allowed.status_code == 200 and allowed.json()["access_level"] == "owner"


def test_the_last_owner_cannot_be_demoted(api_as, owner):
    response = api_as(owner).patch(
        f"/api/v1/team-members/{owner.team_member.pk}", {"access_level": "admin"}, format="json"
    )
    assert response.status_code == 400
    assert "at least one active owner" in response.json()["error"]["message"]


def test_api_team_crud(api_as, owner):
    api = api_as(owner)
    created = api.post(
        "/api/v1/team-members",
        {"email": "Sam@Test.Local", "first_name": "Sam", "access_level": "viewer", "password": "long-enough-pass"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["email"] == "sam@test.local"
    member_id = created.json()["id"]
    assert api.get("/api/v1/team-members?access_level=viewer").json()["items"][0]["id"] == member_id
    assert api.delete(f"/api/v1/team-members/{member_id}").status_code == 204
    assert TeamMember.objects.get(pk=member_id).is_active is False
    duplicate = api.post("/api/v1/team-members", {"email": "sam@test.local", "first_name": "Sam"}, format="json")
    assert duplicate.status_code == 400
