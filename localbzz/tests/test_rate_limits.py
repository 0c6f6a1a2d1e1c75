"""Rate limits: failed sign-ins, sign-in attempts, the lead form, uploads and the API in general
answer 429 with Retry-After (the error envelope in the API, a page on pages), per user or address."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone
from rest_framework.test import APIClient

from agency.models import Client
from conftest import PASSWORD
from portal.services.people import client_user_invite


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def joe(db):
    client = Client.objects.create(name="Joe's Landscaping", slug="joes-limits")
    return client_user_invite(
        actor=None, client=client, email="joe@joes.example", first_name="Joe", role="owner", password=PASSWORD,
        send_invite=False,
    )  # fmt: skip


def assert_429_page(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")


def assert_429_envelope(response, message_part: str = "try again in"):
    assert response.status_code == 429
    body = response.json()["error"]
    assert body["code"] == "rate_limited"
    assert message_part.lower() in body["message"].lower()
    assert int(response["Retry-After"]) > 0
    assert body["details"]["retry_after_seconds"] == int(response["Retry-After"])


# Twenty failed sign-ins in a row, then the owner after the window -------------------------------


def test_it_refuses_twenty_failed_staff_sign_ins_then_lets_the_owner_in_after_the_window(clock, owner, settings):
    browser = HttpClient()
    answers = [browser.post("/accounts/login/", {"username": owner.email, "password": "wrong"}) for _ in range(20)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    for answer in answers[4:]:
        assert_429_page(answer)
    assert "Too many failed sign-in attempts" in answers[-1].content.decode()
    refused = browser.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert refused.status_code == 429  # the right password waits for the window too

    clock.shift(dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    signed_in = browser.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    assert browser.get("/").status_code == 200


def test_it_refuses_twenty_failed_token_requests_then_issues_tokens_after_the_window(clock, owner, settings):
    api = APIClient()
    answers = [api.post("/api/v1/auth/token/", {"email": owner.email, "password": "wrong"}) for _ in range(20)]
    assert [a.status_code for a in answers[:4]] == [401] * 4
    for answer in answers[4:]:
        assert_429_envelope(answer, "Too many failed sign-in attempts")
    assert answers[-1].json()["error"]["message"].endswith("reset your password if you have forgotten it.")

    clock.shift(dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    tokens = api.post("/api/v1/auth/token/", {"email": owner.email, "password": PASSWORD})
    assert tokens.status_code == 200 and set(tokens.json()) == {"access", "refresh"}


def test_it_refuses_twenty_failed_portal_sign_ins_then_lets_the_client_in_after_the_window(clock, joe, settings):
    browser = HttpClient(HTTP_HOST="joes-limits.localhost")
    answers = [browser.post("/sign-in/", {"identifier": "joe@joes.example", "password": "no"}) for _ in range(20)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    for answer in answers[4:]:
        assert_429_page(answer)

    clock.shift(dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    signed_in = browser.post("/sign-in/", {"identifier": "joe@joes.example", "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_it_refuses_twenty_failed_client_api_sign_ins(clock, joe, settings):
    api = APIClient()
    answers = [api.post("/api/v1/client/login", {"email": "joe@joes.example", "password": "no"}) for _ in range(20)]
    assert [a.status_code for a in answers[:4]] == [401] * 4
    for answer in answers[4:]:
        assert_429_envelope(answer, "Too many failed sign-in attempts")
    clock.shift(dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    assert api.post("/api/v1/client/login", {"email": "joe@joes.example", "password": PASSWORD}).status_code == 200


# Sign-in attempts per address, whatever the account ------------------------------------------


def test_it_caps_sign_in_attempts_per_address_on_the_page(clock, owner, settings):
    settings.RATE_LIMIT_LOGIN = "3/minute"
    browser = HttpClient(REMOTE_ADDR="203.0.113.7")
    for i in range(3):
        assert browser.post("/accounts/login/", {"username": f"x{i}@test.local", "password": "x"}).status_code == 200
    limited = browser.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert_429_page(limited)
    assert 1 <= int(limited["Retry-After"]) <= 60
    page = limited.content.decode()
    assert "Too many requests" in page and "try again in" in page and 'class="error-page' in page
    assert browser.get("/accounts/login/").status_code == 200  # showing the form is not an attempt
    other_address = HttpClient(REMOTE_ADDR="203.0.113.8")
    assert other_address.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302

    clock.shift(dt.timedelta(seconds=61))
    assert browser.post("/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code == 302


def test_it_caps_token_refreshes_per_address(clock, settings):
    settings.RATE_LIMIT_LOGIN = "2/minute"
    api = APIClient()
    for _ in range(2):
        assert api.post("/api/v1/auth/token/refresh/", {"refresh": "nonsense"}).status_code == 401
    assert_429_envelope(api.post("/api/v1/auth/token/refresh/", {"refresh": "nonsense"}))


# The lead form --------------------------------------------------------------------------------


def test_the_lead_form_answers_429_with_retry_after_on_the_page_and_the_api(clock, db, settings):
    settings.INTAKE_RATE_PER_HOUR = 1
    form = {"business_name": "Oak Hill Dental", "contact_name": "Dr. Lee", "email": "lee@oakhill.example"}
    assert HttpClient().post("/forms/intake/", form).status_code == 200
    page = HttpClient().post("/forms/intake/", form)
    assert_429_page(page)
    assert "Too many submissions from your network this hour." in page.content.decode()
    assert_429_envelope(APIClient().post("/api/v1/form-submissions", form), "Too many submissions")

    clock.shift(dt.timedelta(hours=1, seconds=1))
    assert APIClient().post("/api/v1/form-submissions", form).status_code == 201


# Uploads --------------------------------------------------------------------------------------


def _png() -> SimpleUploadedFile:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()  # a new picture each time (a repeated one would be answered as a duplicate)
    Image.new("RGB", (40, 30), tuple(random.randrange(256) for _ in range(3))).save(buffer, "PNG")
    return SimpleUploadedFile("patio.png", buffer.getvalue(), content_type="image/png")


def test_it_limits_staff_uploads_per_user_but_not_reading_the_library(clock, api_as, editor, make_staff, settings):
    settings.RATE_LIMIT_UPLOAD = "1/hour"
    client = Client.objects.create(name="Bella Bakery", slug="bella-limits")
    api = api_as(editor)
    first = api.post("/api/v1/media", {"client_id": str(client.pk), "files": [_png()]}, format="multipart")
    assert first.status_code == 201, first.json()
    second = api.post("/api/v1/media", {"client_id": str(client.pk), "files": [_png()]}, format="multipart")
    assert_429_envelope(second)
    assert api.get("/api/v1/media").status_code == 200
    other = APIClient()
    other.force_authenticate(make_staff("editor"))
    assert (
        other.post("/api/v1/media", {"client_id": str(client.pk), "files": [_png()]}, format="multipart").status_code
        == 201
    )


def test_it_limits_portal_uploads_on_the_page_and_the_client_api(clock, joe, settings):
    settings.RATE_LIMIT_UPLOAD = "1/hour"
    browser = HttpClient(HTTP_HOST="joes-limits.localhost")
    browser.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    assert browser.post("/media/upload", {"files": [_png()]}).status_code == 201
    limited = browser.post("/media/upload", {"files": [_png()]})
    assert_429_envelope(limited)  # the upload box reads the envelope

    assert_429_envelope(_joe_api().post("/api/v1/client/media/upload", {"files": [_png()]}, format="multipart"))
    clock.shift(dt.timedelta(hours=1, seconds=1))
    uploaded = _joe_api().post("/api/v1/client/media/upload", {"files": [_png()]}, format="multipart")
    assert uploaded.status_code == 201


def _joe_api() -> APIClient:
    token = APIClient().post("/api/v1/client/login", {"email": "joe@joes.example", "password": PASSWORD})
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")
    return api


# The API in general ---------------------------------------------------------------------------


def test_it_limits_the_api_per_user(clock, api_as, owner, editor, settings):
    settings.RATE_LIMIT_API_USER = "3/minute"
    api = api_as(owner)
    assert [api.get("/api/v1/clients").status_code for _ in range(3)] == [200] * 3
    limited = api.get("/api/v1/clients")
    assert_429_envelope(limited)
    assert limited.json()["error"]["message"].startswith("Too many requests: try again in ")
    other = APIClient()
    other.force_authenticate(editor)
    assert other.get("/api/v1/clients").status_code == 200  # per user, not per address
    clock.shift(dt.timedelta(seconds=61))
    assert api.get("/api/v1/clients").status_code == 200


def test_it_limits_anonymous_api_calls_per_address(clock, db, settings):
    # Public endpoints (here the schema) count anonymous calls; the others refuse them first (401).
    settings.RATE_LIMIT_API_ANON = "2/minute"
    here, there = APIClient(REMOTE_ADDR="198.51.100.1"), APIClient(REMOTE_ADDR="198.51.100.2")
    assert [here.get("/api/v1/schema").status_code for _ in range(2)] == [200, 200]
    assert_429_envelope(here.get("/api/v1/schema", HTTP_ACCEPT="application/json"))
    assert there.get("/api/v1/schema").status_code == 200


def test_limits_can_be_switched_off(db, api_as, owner, settings):
    settings.RATE_LIMIT_ENABLED = False
    settings.RATE_LIMIT_API_USER = "1/minute"
    api = api_as(owner)
    assert [api.get("/api/v1/clients").status_code for _ in range(3)] == [200] * 3


def test_behind_a_load_balancer_it_counts_the_forwarded_address(clock, db, settings):
    settings.RATE_LIMIT_API_ANON = "1/minute"
    settings.USE_X_FORWARDED_FOR = True
    balancer = "10.0.0.2"
    first = APIClient(REMOTE_ADDR=balancer, HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.2")
    second = APIClient(REMOTE_ADDR=balancer, HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert first.get("/api/v1/schema").status_code == 200
    assert second.get("/api/v1/schema").status_code == 200  # another person behind the same balancer
    assert_429_envelope(first.get("/api/v1/schema", HTTP_ACCEPT="application/json"))
