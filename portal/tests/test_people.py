"""Who may use a portal: the client's owners manage their people; staff manage everyone's."""

from __future__ import annotations

import pytest
from django.core import mail

from portal.models import ClientUser
from portal.services.people import client_user_invite

pytestmark = pytest.mark.django_db


def test_an_owner_invites_and_removes_people(client_a, joe, portal_as, django_capture_on_commit_callbacks):
    browser = portal_as(client_a, joe)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/people/", {"email": "sam@joes.example", "first_name": "Sam", "role": "member"})
    assert response.status_code == 302
    sam = ClientUser.objects.get(user__email="sam@joes.example")
    assert (sam.client, sam.role, sam.invited_by) == (client_a, "member", joe.user)
    assert mail.outbox[0].to == ["sam@joes.example"] and "/set-password/" in mail.outbox[0].body
    assert "invitation sent" in browser.get("/people/").content.decode()
    browser.post(f"/people/{sam.pk}/remove")
    assert not ClientUser.objects.filter(pk=sam.pk).exists()


def test_an_owner_cannot_remove_themselves(client_a, joe, portal_as):
    response = portal_as(client_a, joe).post(f"/people/{joe.pk}/remove", follow=True)
    assert "You cannot remove yourself" in response.content.decode()
    assert ClientUser.objects.filter(pk=joe.pk).exists()


def test_members_do_not_manage_people(client_a, joe, portal_as):
    sam = client_user_invite(actor=None, client=client_a, email="sam@joes.example", password="a-long-pass-123",
                             send_invite=False)  # fmt: skip
    browser = portal_as(client_a, sam)
    assert browser.get("/people/").status_code == 404
    assert browser.post(f"/people/{joe.pk}/remove").status_code == 404
    assert "People" not in [a for a in browser.get("/").content.decode().split('class="nav"')[1].split("</ul>")[0]
                            .split(">") if a.strip().startswith("People")]  # fmt: skip


def test_staff_invite_make_links_and_remove(client, client_a, admin_user, viewer, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    path = f"/clients/{client_a.pk}/portal-users/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"email": "owner@joes.example", "role": "owner"})
    member = ClientUser.objects.get(user__email="owner@joes.example")
    assert member.role == "owner" and len(mail.outbox) == 1
    client.post(f"{path}{member.pk}/link")
    page = client.get(path).content.decode()
    assert "One-time link for owner@joes.example" in page and "joes-landscaping-test.localhost" in page
    assert "One-time link" not in client.get(path).content.decode()  # shown once
    client.force_login(viewer)
    assert client.get(path).status_code == 200
    assert client.post(path, {"email": "x@joes.example", "role": "member"}).status_code == 403
    assert client.post(f"{path}{member.pk}/remove").status_code == 403
    client.force_login(admin_user)
    client.post(f"{path}{member.pk}/remove")
    assert not ClientUser.objects.filter(pk=member.pk).exists()
