"""Routing by host: each client's portal on its own subdomain, nothing of the staff app there."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client as HttpClient

from agency.models import Client
from hub.hosts import portal_slug

pytestmark = pytest.mark.django_db


def test_it_reads_the_client_slug_from_the_host(settings):
    settings.PORTAL_DOMAIN = "localbzz.app"
    assert portal_slug("joes.localbzz.app") == "joes"
    assert portal_slug("JOES.localbzz.app:443") == "joes"
    assert portal_slug("localbzz.app") is None
    assert portal_slug("www.localbzz.app") is None
    assert portal_slug("a.b.localbzz.app") is None
    assert portal_slug("joes.example.com") is None


def test_it_serves_the_portal_of_the_host_s_client(client_a, joe, portal_as):
    response = portal_as(client_a, joe).get("/")
    assert response.status_code == 200
    assert b"Joe&#x27;s Landscaping" in response.content or b"Joe's Landscaping" in response.content
    assert response.wsgi_request.portal_client == client_a


def test_an_unknown_slug_gets_a_plain_404_page(db):
    response = HttpClient(HTTP_HOST="nobody-here.localhost").get("/")
    assert response.status_code == 404
    assert b"There is no portal at this address" in response.content


def test_a_reserved_or_invalid_label_is_an_unknown_portal_too(db):
    for host in ("admin.localhost", "-joes.localhost"):
        response = HttpClient(HTTP_HOST=host).get("/")
        assert response.status_code == 404, host
        assert b"There is no portal at this address" in response.content


def test_a_database_outage_is_a_server_error_not_an_unknown_portal(client_a, monkeypatch):
    """The client lookup failing (database down) must not tell the client their portal does not exist."""

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Client.objects, "filter", down)
    response = HttpClient(HTTP_HOST=f"{client_a.slug}.localhost", raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert b"There is no portal at this address" not in response.content
    with pytest.raises(OperationalError):
        HttpClient(HTTP_HOST=f"{client_a.slug}.localhost").get("/")


def test_a_switched_off_portal_says_so(client_a, joe, portal_as):
    client_a.portal_enabled = False
    client_a.save()
    response = portal_as(client_a, joe).get("/")
    assert response.status_code == 403
    assert b"portal is switched off" in response.content


@pytest.mark.parametrize("path", ["/admin/", "/clients/", "/content/", "/library/", "/api/v1/clients", "/api/docs/"])
def test_nothing_of_the_staff_app_is_reachable_on_a_portal_host(client_a, joe, portal_as, path):
    assert portal_as(client_a, joe).get(path).status_code == 404


def test_the_staff_app_is_unchanged_on_its_own_host(owner, client):
    client.force_login(owner)
    assert client.get("/clients/").status_code == 200


def test_session_and_csrf_cookies_are_host_only(client_a, joe, settings):
    from conftest import PASSWORD

    assert settings.SESSION_COOKIE_DOMAIN is None and settings.CSRF_COOKIE_DOMAIN is None
    browser = HttpClient(HTTP_HOST="joes-landscaping-test.localhost")
    browser.get("/sign-in/")
    response = browser.post("/sign-in/", {"identifier": "joe@joes.example", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert not cookie["domain"], "a parent-domain cookie would be shared by every client's portal"
