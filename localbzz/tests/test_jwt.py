"""JWT for staff: obtain, rotating refresh, logout that revokes, throttled failures."""

from __future__ import annotations

import pytest
from django.test import override_settings

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def obtain(api, email, password=PASSWORD):
    return api.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


def test_it_issues_tokens_that_open_the_api(api, owner):
    tokens = obtain(api, owner.email).json()
    assert set(tokens) == {"access", "refresh"}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get("/api/v1/activity").status_code == 200


def test_email_is_case_insensitive(api, owner):
    assert obtain(api, "OWNER@Test.Local").status_code == 200


def test_wrong_password_is_401_in_the_envelope(api, owner):
    response = obtain(api, owner.email, "nope")
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("Wrong email or password")


def test_client_users_cannot_get_a_staff_token(api, outsider):
    response = obtain(api, outsider.email)
    assert response.status_code == 403
    assert "/api/v1/client/login" in response.json()["error"]["message"]


def test_refresh_rotates_and_the_old_refresh_is_revoked(api, owner):
    first = obtain(api, owner.email).json()
    rotated = api.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first["refresh"]
    again = api.post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "token_not_valid"


def test_refresh_revoked_at_logout_answers_401_in_the_envelope(api, owner):
    tokens = obtain(api, owner.email).json()
    out = api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert out.status_code == 200
    response = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_not_valid"
    assert "blacklisted" in error["message"].lower()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_with_a_clear_message(api, owner):
    for _ in range(2):
        assert obtain(api, owner.email, "wrong").status_code == 401
    locked = obtain(api, owner.email, "wrong")
    assert locked.status_code == 429
    error = locked.json()["error"]
    assert "Too many failed sign-in attempts" in error["message"]
    assert error["details"]["retry_after_seconds"] > 0
    # Even the right password waits for the window to pass.
    assert obtain(api, owner.email).status_code == 429
