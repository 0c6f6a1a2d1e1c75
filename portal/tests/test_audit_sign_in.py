"""Portal sign-ins (page and JWT) reach the audit log; passwords never do."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from agency.models import ActivityEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_portal_page_sign_ins_and_failures_are_recorded(client_a, joe, client_b, bella):
    browser = HttpClient(HTTP_HOST=f"{client_a.slug}.localhost", HTTP_USER_AGENT="PortalUA/1.0")
    browser.post("/sign-in/", {"identifier": "joe@joes.example", "password": "Portal-Wrong-1"})
    browser.post("/sign-in/", {"identifier": "No Such Business", "password": "Portal-Wrong-2"})
    browser.post("/sign-in/", {"identifier": "bella@bella.example", "password": PASSWORD})  # another client's
    assert browser.post("/sign-in/", {"identifier": "joe@joes.example", "password": PASSWORD}).status_code == 302

    failed = ActivityEvent.objects.filter(verb="auth.sign_in_failed").order_by("created_at", "id")
    assert [e.changes["identifier"] for e in failed] == ["joe@joes.example", "No Such Business", "bella@bella.example"]
    assert all(e.changes["surface"] == "portal" and e.changes["user_agent"] == "PortalUA/1.0" for e in failed)
    signed_in = ActivityEvent.objects.get(verb="auth.signed_in")
    assert signed_in.actor == joe.user and signed_in.changes["surface"] == "portal"
    assert not ActivityEvent.objects.filter(changes__icontains="Portal-Wrong").exists()
    assert not ActivityEvent.objects.filter(changes__icontains=PASSWORD).exists()


def test_the_client_api_login_is_recorded(client_a, joe):
    api = APIClient()
    assert api.post("/api/v1/client/login", {"email": joe.user.email, "password": "Api-Wrong-3"}).status_code == 401
    assert api.post("/api/v1/client/login", {"email": joe.user.email, "password": PASSWORD}).status_code == 200
    assert ActivityEvent.objects.filter(verb="auth.sign_in_failed", target_id=str(joe.user.pk)).count() == 1
    assert ActivityEvent.objects.get(verb="auth.signed_in").changes["surface"] == "api"
    assert not ActivityEvent.objects.filter(changes__icontains="Api-Wrong").exists()
