"""Portal fixtures: a portal user for each of two clients, and browsers (test clients) on each
client's own host. The publishing fixtures (client_a, client_b, fake_platforms) are reused."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from rest_framework.test import APIClient

from conftest import PASSWORD
from portal.models import ClientUser
from portal.services.people import client_user_invite
from publishing.tests.conftest import (  # noqa: F401  (fixtures shared with publishing's tests)
    _fake_platform_server,
    client_a,
    client_b,
    fake_platforms,
)


def host_of(client) -> str:
    return f"{client.slug}.localhost"


@pytest.fixture
def joe(client_a) -> ClientUser:
    """The owner of client A's portal (Joe's Landscaping)."""
    return client_user_invite(
        actor=None, client=client_a, email="joe@joes.example", first_name="Joe", role="owner", password=PASSWORD,
        send_invite=False,
    )  # fmt: skip


@pytest.fixture
def bella(client_b) -> ClientUser:
    """The owner of client B's portal (Bella Bakery)."""
    return client_user_invite(
        actor=None, client=client_b, email="bella@bella.example", first_name="Bella", role="owner",
        password=PASSWORD, send_invite=False,
    )  # fmt: skip


def bearer(person: ClientUser) -> APIClient:
    """An API client holding ``person``'s access token from POST /api/v1/client/login."""
    response = APIClient().post("/api/v1/client/login", {"email": person.user.email, "password": PASSWORD})
    assert response.status_code == 200, response.json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return api


@pytest.fixture
def joe_api(joe) -> APIClient:
    return bearer(joe)


@pytest.fixture
def portal_as():
    """A browser on ``client``'s portal host, signed in as ``person`` (or anonymous)."""

    def make(client, person: ClientUser | None = None) -> HttpClient:
        browser = HttpClient(HTTP_HOST=host_of(client))
        if person is not None:
            browser.force_login(person.user, backend="agency.auth_backends.StaffBackend")
        return browser

    return make
