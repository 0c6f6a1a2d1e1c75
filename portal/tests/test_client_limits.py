"""What clients cannot do (issue 7, item 9), each from the outside. Exceeding the monthly limit is
in test_submit.py; another client's anything in test_isolation.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import PASSWORD
from publishing.models import Post
from publishing.services import posts as post_services
from publishing.states import PostStatus as P
from publishing.tests.posting import accounts_for, approved_post

pytestmark = pytest.mark.django_db


def test_clients_cannot_publish_immediately(client_a, joe, joe_api, portal_as, owner):
    accounts = accounts_for(client_a, owner, platforms=("facebook",))
    post = approved_post(owner, client_a, accounts.values())
    assert joe_api.post(f"/api/v1/posts/{post.pk}/publish").status_code == 403
    assert portal_as(client_a, joe).post(f"/content/{post.pk}/publish-now").status_code == 404  # no such page
    post.refresh_from_db()
    assert post.status == P.APPROVED


def test_clients_cannot_approve_their_own_content_over_the_staff_api(client_a, joe, joe_api):
    post = post_services.post_create(actor=joe.user, client=client_a, caption="Mine", source="portal")
    assert joe_api.post(f"/api/v1/posts/{post.pk}/approve", {}, format="json").status_code == 403
    post.refresh_from_db()
    assert post.status == P.PENDING_APPROVAL


def test_clients_cannot_change_published_posts(client_a, joe, joe_api, portal_as, owner):
    post = Post.objects.create(
        client=client_a, caption="Went out", status=P.PUBLISHED, scheduled_at=timezone.now() - timedelta(days=1)
    )
    later = (timezone.now() + timedelta(days=2)).isoformat()
    response = joe_api.patch(
        f"/api/v1/client/content/{post.pk}/reschedule", {"new_scheduled_time": later}, format="json"
    )
    assert response.status_code == 409 and "published posts cannot be moved" in response.json()["error"]["message"]
    assert joe_api.patch(f"/api/v1/posts/{post.pk}", {"caption": "Edited"}, format="json").status_code == 403
    post.refresh_from_db()
    assert post.caption == "Went out" and post.status == P.PUBLISHED


def test_clients_cannot_reach_staff_pages_or_the_admin(client_a, joe):
    staff_site = HttpClient()  # the staff host, with a client's session
    staff_site.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    for path in ("/", "/clients/", "/content/", "/library/", f"/clients/{client_a.pk}/portal-users/"):
        assert staff_site.get(path).status_code == 403, path
    assert staff_site.get("/admin/", follow=True).status_code == 403
    refused = HttpClient().post("/accounts/login/", {"username": joe.user.email, "password": PASSWORD})
    assert b"This sign-in is for agency staff" in refused.content
