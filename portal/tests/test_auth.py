"""Signing in to a portal: email or business name, throttled; invitations; password reset."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client as HttpClient

from conftest import PASSWORD
from portal.auth import WRONG
from portal.services import people as portal_people

pytestmark = pytest.mark.django_db


def _sign_in(client, identifier, password=PASSWORD):
    browser = HttpClient(HTTP_HOST=f"{client.slug}.localhost")
    return browser, browser.post("/sign-in/", {"identifier": identifier, "password": password})


def test_it_signs_in_with_email(client_a, joe):
    browser, response = _sign_in(client_a, "JOE@joes.example")
    assert response.status_code == 302 and response["Location"] == "/"
    assert browser.get("/").status_code == 200


def test_it_signs_in_with_the_business_name(client_a, joe):
    browser, response = _sign_in(client_a, "joe's landscaping")
    assert response.status_code == 302
    assert browser.get("/").wsgi_request.user == joe.user


def test_a_person_of_another_client_cannot_sign_in_here(client_a, joe, client_b, bella):
    _, response = _sign_in(client_a, "bella@bella.example")
    assert response.status_code == 200
    assert WRONG in response.content.decode().replace("&#x27;", "'")
    _, response = _sign_in(client_a, "Bella Bakery")
    assert response.status_code == 200


def test_staff_cannot_sign_in_to_a_portal(client_a, owner):
    _, response = _sign_in(client_a, owner.email)
    assert response.status_code == 200 and b"Wrong email" in response.content


def test_a_wrong_password_is_refused_then_throttled(client_a, joe, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        _, response = _sign_in(client_a, "joe@joes.example", "nope")
        assert b"Wrong email" in response.content
    _, response = _sign_in(client_a, "joe@joes.example", "nope")
    assert b"Too many failed sign-in attempts" in response.content
    _, response = _sign_in(client_a, "joe@joes.example")  # even the right password waits now
    assert response.status_code == 429 and b"Too many failed sign-in attempts" in response.content
    assert int(response["Retry-After"]) > 0


def test_pages_ask_to_sign_in_first(client_a, portal_as):
    response = portal_as(client_a).get("/posts/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/?next=/posts/"


def test_sign_out_ends_the_session(client_a, joe, portal_as):
    browser = portal_as(client_a, joe)
    assert browser.post("/sign-out/").status_code == 302
    assert browser.get("/").status_code == 302


def test_an_invitation_sets_a_password_on_the_client_s_own_portal(client_a, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invited = portal_people.client_user_invite(
            actor=owner, client=client_a, email="Sam@Joes.example", role="member"
        )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@joes.example"]
    link = re.search(r"http://\S+/set-password/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith("http://joes-landscaping-test.localhost")
    path = link.split("localhost", 1)[1].split("/", 1)[1]
    browser = HttpClient(HTTP_HOST="joes-landscaping-test.localhost")
    form_page = browser.get("/" + path, follow=True)
    assert form_page.status_code == 200 and b"Choose your password" in form_page.content
    response = browser.post(
        form_page.redirect_chain[-1][0], {"new_password1": "a-long-new-pass-42", "new_password2": "a-long-new-pass-42"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    invited.user.refresh_from_db()
    assert invited.user.check_password("a-long-new-pass-42")
    assert browser.get("/").wsgi_request.user == invited.user
    # The link works once.
    assert b"This link no longer works" in browser.get("/" + path, follow=True).content


def test_an_invitation_link_does_nothing_on_another_client_s_portal(client_a, client_b, owner):
    invited = portal_people.client_user_invite(
        actor=owner, client=client_a, email="sam@joes.example", send_invite=False
    )
    path = urlparse(portal_people.set_password_link(invited)).path
    browser = HttpClient(HTTP_HOST="bella-bakery-test.localhost")
    page = browser.get(path, follow=True)
    assert b"This link no longer works" in page.content


def test_password_reset_mails_only_this_client_s_people(client_a, joe, client_b, bella):
    browser = HttpClient(HTTP_HOST="joes-landscaping-test.localhost")
    assert browser.post("/password/reset/", {"email": "bella@bella.example"}).status_code == 302
    assert mail.outbox == []
    assert browser.post("/password/reset/", {"email": "joe@joes.example"}).status_code == 302
    assert len(mail.outbox) == 1
    assert f"{client_a.portal_url}set-password/" in mail.outbox[0].body  # the portal's own address
    assert client_a.portal_url.startswith("http://joes-landscaping-test.localhost")


def test_an_email_already_in_use_cannot_be_invited_again(client_a, client_b, joe, owner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already has an account"):
        portal_people.client_user_invite(actor=owner, client=client_b, email="joe@joes.example")
    with pytest.raises(ValidationError, match="already has an account"):
        portal_people.client_user_invite(actor=owner, client=client_b, email=owner.email)
