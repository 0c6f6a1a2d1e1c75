"""The client API (JWT): sign-in, upload, scheduled posts, reschedule, stats, requests and
deliverables by subdomain; and the staff endpoints about portal access."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from agency.models import Deliverable
from conftest import PASSWORD
from portal.models import ClientUser
from portal.tests.conftest import bearer
from publishing.services import scheduling
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for, approved_post

pytestmark = pytest.mark.django_db


def _login(**body: Any) -> Any:
    response = APIClient().post("/api/v1/client/login", body, format="json")
    return response


def test_login_by_email_or_business_name_answers_bearer_tokens(client_a, joe):
    for body in ({"email": "joe@joes.example"}, {"business_name": "Joe's Landscaping"}):
        response = _login(password=PASSWORD, **body)
        assert response.status_code == 200
        data = response.json()
        assert data["token_type"] == "bearer" and data["access_token"] and data["refresh_token"]
        assert data["client"]["subdomain"] == client_a.slug


def test_wrong_credentials_get_401_in_the_error_envelope(client_a, joe):
    response = _login(email="joe@joes.example", password="nope")
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("Wrong email")
    assert _login(password=PASSWORD).status_code == 400  # neither email nor business name


def test_staff_cannot_use_the_client_login(owner):
    assert _login(email=owner.email, password=PASSWORD).status_code == 401


def test_a_client_token_cannot_use_the_staff_api(client_a, joe):
    api = bearer(joe)
    for path in ("/api/v1/clients", "/api/v1/posts", "/api/v1/media", f"/api/v1/clients/{client_a.pk}"):
        assert api.get(path).status_code == 403, path
    assert api.post(f"/api/v1/clients/{client_a.pk}/set-password", {"password": "x" * 12}).status_code == 403


def test_a_staff_token_cannot_use_the_client_api(api_as, owner, client_a):
    api = api_as(owner)
    assert api.get("/api/v1/client/stats").status_code == 403
    assert api.get(f"/api/v1/client-portal/{client_a.slug}/requests").status_code == 403


def test_anonymous_gets_401(client_a):
    assert APIClient().get("/api/v1/client/stats").status_code == 401


def test_upload_answers_the_stored_urls_and_ids(client_a, joe):
    files = [SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes(photo(seed=i)), content_type="image/jpeg") for i in (1, 2)]
    response = bearer(joe).post("/api/v1/client/media/upload", {"files": files}, format="multipart")
    assert response.status_code == 201
    data = response.json()
    assert len(data["media_ids"]) == 2 and len(data["media_urls"]) == 2
    assert {i["name"] for i in data["items"]} == {"p1.jpg", "p2.jpg"}
    assert all("/library/files/" in u for u in data["media_urls"])


def test_scheduled_posts_stats_and_reschedule(client_a, joe, owner):
    client_a.timezone = "Europe/Berlin"
    client_a.save()
    accounts = accounts_for(client_a, owner, platforms=("facebook", "x"))
    post = approved_post(owner, client_a, accounts.values(), caption="Sunday brunch")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(days=1))
    api = bearer(joe)
    listed = api.get("/api/v1/client/scheduled-posts").json()
    assert listed["total"] == 1 and listed["usage"]["limit"] == 8
    item = listed["items"][0]
    assert item["can_reschedule"] is True and item["platforms"] == ["facebook", "x"]
    assert item["scheduled_at"].endswith(("+01:00", "+02:00"))  # the client's zone

    day = timezone.localdate(timezone=client_a.tz) + timedelta(days=20)
    wanted = datetime(day.year, day.month, day.day, 10, 30, tzinfo=client_a.tz)
    response = api.patch(  # no offset: read in the client's zone
        f"/api/v1/client/content/{post.pk}/reschedule", {"new_scheduled_time": f"{day}T10:30:00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    post.refresh_from_db()
    assert post.scheduled_at == wanted
    assert response.json()["scheduled_at"] == wanted.isoformat()

    stats = api.get("/api/v1/client/stats").json()
    assert stats["scheduled"] == 1 and stats["monthly_limit"] == 8
    assert [p["platform"] for p in stats["connected_platforms"]] == ["facebook", "x"]


def test_reschedule_refusals_are_409_or_400_with_reasons(client_a, joe, owner):
    accounts = accounts_for(client_a, owner, platforms=("facebook",))
    pending = approved_post(owner, client_a, accounts.values(), caption="Not yet scheduled")
    api = bearer(joe)
    response = api.patch(
        f"/api/v1/client/content/{pending.pk}/reschedule",
        {"new_scheduled_time": (timezone.now() + timedelta(days=3)).isoformat()},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_reschedulable"
    assert "only posts the agency has scheduled can be moved" in response.json()["error"]["message"]
    scheduling.post_schedule(actor=owner, post=pending, scheduled_at=timezone.now() + timedelta(days=1))
    response = api.patch(
        f"/api/v1/client/content/{pending.pk}/reschedule", {"new_scheduled_time": "2001-01-01T10:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "new_scheduled_time" in response.json()["error"]["details"]
    assert api.patch(f"/api/v1/client/content/{pending.pk}/reschedule", {}, format="json").status_code == 400


def test_requests_and_deliverables_by_subdomain(client_a, joe):
    api = bearer(joe)
    created = api.post(
        f"/api/v1/client-portal/{client_a.slug}/requests",
        {"content": "Shoot the new storefront", "request_type": "Request", "priority": "Urgent"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["priority"] == "Urgent"
    listed = api.get(f"/api/v1/client-portal/{client_a.slug}/requests").json()
    assert [r["content"] for r in listed["items"]] == ["Shoot the new storefront"]
    Deliverable.objects.create(client=client_a, title="Hero photo", status="Delivered")
    Deliverable.objects.create(client=client_a, title="Draft", status="To Do")
    delivered = api.get(f"/api/v1/client-portal/{client_a.slug}/deliverables").json()
    assert [d["title"] for d in delivered["items"]] == ["Hero photo"]
    bad = api.post(f"/api/v1/client-portal/{client_a.slug}/requests", {"content": ""}, format="json")
    assert bad.status_code == 400 and "content" in bad.json()["error"]["details"]


def test_set_password_for_the_client_owner(client_a, api_as, admin_user, editor):
    client_a.primary_contact_email = "joe@joes.example"
    client_a.primary_contact_name = "Joe Green"
    client_a.save()
    path = f"/api/v1/clients/{client_a.pk}/set-password"
    assert api_as(editor).post(path, {"password": "SecurePassword123"}, format="json").status_code == 403
    weak = api_as(admin_user).post(path, {"password": "123"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()["error"]["message"].lower()
    response = api_as(admin_user).post(path, {"password": "SecurePassword123"}, format="json")
    assert response.status_code == 200 and response.json()["email"] == "joe@joes.example"
    assert response.json()["role"] == "owner"
    assert _login(business_name="Joe's Landscaping", password="SecurePassword123").status_code == 200
    again = api_as(admin_user).post(path, {"password": "AnotherSecret456"}, format="json")
    assert again.status_code == 200 and ClientUser.objects.filter(client=client_a).count() == 1
    assert _login(email="joe@joes.example", password="AnotherSecret456").status_code == 200


def test_staff_invite_people_over_the_api(client_a, api_as, admin_user, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(admin_user).post(
            f"/api/v1/clients/{client_a.pk}/portal-users", {"email": "sam@joes.example"}, format="json"
        )
    assert response.status_code == 201 and response.json()["has_password"] is False
    assert mail.outbox[0].to == ["sam@joes.example"]
    listed = api_as(admin_user).get(f"/api/v1/clients/{client_a.pk}/portal-users").json()
    assert [u["email"] for u in listed["items"]] == ["sam@joes.example"]


def test_the_portal_people_list_answers_what_the_schema_says(client_a, joe, owner):
    """Found by the API fuzz test: documented as a bare array, answered as {"items": [...]}."""
    from localbzz.tests.openapi import conforms, staff_token

    response = conforms("GET", "/api/v1/clients/{client_id}/portal-users", token=staff_token(owner, PASSWORD),
                        path_parameters={"client_id": str(client_a.pk)})  # fmt: skip
    assert response.status_code == 200
    assert [person["email"] for person in response.json()["items"]] == ["joe@joes.example"]


def test_uploading_a_file_the_library_already_has_answers_a_documented_200(client_a, joe):
    """Found by the API fuzz test: the same photo sent again answered 200 (nothing new stored), which
    the schema did not document."""
    from localbzz.tests.openapi import conforms
    from publishing.tests.media_files import jpeg_bytes, photo

    token = APIClient().post("/api/v1/client/login", {"email": joe.user.email, "password": PASSWORD}).json()
    data = jpeg_bytes(photo((64, 48)))
    upload = {"token": token["access_token"], "body": {"files": [data]}, "media_type": "multipart/form-data"}
    first = conforms("POST", "/api/v1/client/media/upload", **upload)
    assert first.status_code == 201, first.text
    again = conforms("POST", "/api/v1/client/media/upload", **upload)
    assert again.status_code == 200 and again.json()["media_ids"] == first.json()["media_ids"]


def test_stats_by_status_is_keyed_by_code_with_every_status(client_a, joe):
    """Seed 002: by_status keyed by status code, every status present (zeros included)."""
    by_status = bearer(joe).get("/api/v1/client/stats").json()["by_status"]
    assert by_status["scheduled"] == 0 and by_status["pending_approval"] == 0
    assert "Scheduled" not in by_status and len(by_status) == 11
