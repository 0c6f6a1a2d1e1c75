"""Staff sign-in page: success, failures, lockout, non-staff, password reset, argon2."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import override_settings

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_staff_signs_in_and_lands_on_the_dashboard(client, editor):
    response = sign_in(client, editor.email)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_says_so(client, editor):
    html = sign_in(client, editor.email, "nope").content.decode()
    assert "Wrong email or password" in html


def test_client_users_are_sent_to_their_portal(client, outsider):
    html = sign_in(client, outsider.email).content.decode()
    assert "This sign-in is for agency staff" in html
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_SECONDS=600)
def test_repeated_failures_lock_out_with_a_clear_message(client, editor):
    for _ in range(2):
        sign_in(client, editor.email, "wrong")
    html = sign_in(client, editor.email, "wrong").content.decode()
    assert "Too many failed sign-in attempts. Try again in 10 minutes" in html
    # The right password does not get through while locked.
    html = sign_in(client, editor.email).content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_success_resets_the_failure_count(client, editor):
    sign_in(client, editor.email, "wrong")
    sign_in(client, editor.email, "wrong")
    assert sign_in(client, editor.email).status_code == 302
    client.post("/accounts/logout/")
    sign_in(client, editor.email, "wrong")
    sign_in(client, editor.email, "wrong")
    assert sign_in(client, editor.email).status_code == 302


def test_sign_out_needs_post_and_ends_the_session(client, editor):
    client.force_login(editor)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_password_reset_emails_a_link_that_sets_a_new_password(client, editor):
    response = client.post("/accounts/password/reset/", {"email": editor.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    done = client.post(form_url, {"new_password1": "a-brand-new-pass-42", "new_password2": "a-brand-new-pass-42"})
    assert done.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password("a-brand-new-pass-42")


def test_passwords_are_hashed_with_argon2(settings):
    from django.conf import settings as real

    assert real.PASSWORD_HASHERS  # the suite swaps hashers; the project setting is read from source:
    from localbzz import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_password("secret-enough").startswith("argon2$argon2id$")
