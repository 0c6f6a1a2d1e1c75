"""Seed 000 (client portal self-service) as written: its curl commands, in order, at its paths —
a client created by business name, its password set without any email, sign-in by business name,
upload, submit, scheduled posts, reschedule and stats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from agency.models import Client
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


def test_seed_000_flow_as_written(api_as, owner):
    staff = api_as(owner)
    made = staff.post("/api/v1/clients/", {"business_name": "Joe's Landscaping",
                                           "publer_workspace_id": "workspace_123"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    client_id = made.json()["id"]
    accounts_for(Client.objects.get(pk=client_id), owner, platforms=("facebook", "instagram"))

    # No email anywhere: the client signs in with its business name.
    response = staff.post(f"/api/v1/clients/{client_id}/set-password", {"password": "SecurePassword123"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["role"] == "owner" and response.json()["has_password"]

    login = APIClient().post("/api/v1/client/login", {"business_name": "Joe's Landscaping",
                                                      "password": "SecurePassword123"}, format="json")  # fmt: skip
    assert login.status_code == 200, login.json()
    assert login.json()["token_type"] == "bearer"
    joe = APIClient()
    joe.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access_token']}")

    assert joe.get("/api/v1/client/stats").json()["monthly_limit"] >= 1
    image = SimpleUploadedFile("test_image.jpg", jpeg_bytes(photo(seed=5)), content_type="image/jpeg")
    uploaded = joe.post("/api/v1/client/media/upload", {"files": [image]}, format="multipart")
    assert uploaded.status_code == 201
    submitted = joe.post("/api/v1/client/content/submit", {"media_urls": uploaded.json()["media_urls"]},
                         format="json")  # fmt: skip
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["status"] == "pending_approval"

    post_id = submitted.json()["id"]
    when = (timezone.now() + timedelta(days=2)).isoformat()
    approved = staff.post(f"/api/v1/posts/{post_id}/approve", {"scheduled_at": when}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "scheduled"
    scheduled = joe.get("/api/v1/client/scheduled-posts").json()
    assert scheduled["total"] == 1 and scheduled["items"][0]["can_reschedule"] and scheduled["usage"]["used"] == 1

    later = (timezone.localdate() + timedelta(days=10)).isoformat() + "T12:00:00"
    moved = joe.patch(f"/api/v1/client/content/{post_id}/reschedule", {"new_scheduled_time": later}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["scheduled_at"].startswith(later)
