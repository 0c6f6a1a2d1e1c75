"""Builders for notification tests: a client with a Facebook account and posts written by someone."""

from __future__ import annotations

import os

import pytest
import requests
from cryptography.hazmat.primitives import serialization

from agency.models import Client
from conftest import PASSWORD
from portal.services.people import client_user_invite
from publishing.services import posts as post_services
from publishing.tests.conftest import _fake_platform_server, fake_platforms  # noqa: F401  (shared fixtures)
from publishing.tests.posting import accounts_for


@pytest.fixture
def bakery(db):
    return Client.objects.create(name="Bella Bakery", slug="bella-bakery-notify")


@pytest.fixture
def account(bakery, owner):
    return accounts_for(bakery, owner, platforms=("facebook",))["facebook"]


@pytest.fixture
def write_post(bakery, account, django_capture_on_commit_callbacks):
    """``write_post(author, submit=True)``: a post by ``author``, sent for approval, after commit."""

    def write(author, *, submit: bool = True, caption: str = "Fresh sourdough this morning"):
        with django_capture_on_commit_callbacks(execute=True):
            return post_services.post_create(
                actor=author, client=bakery, caption=caption, accounts=[account], submit=submit
            )

    return write


# Browser push: the fake push service over real HTTP, and browsers subscribed through our endpoints --


class FakePushHandle:
    """What a test gets: ``url``, the ``fake`` state, ``new_browser()`` (a subscription the fake
    minted, as a browser hands it to us) and ``messages()`` (what the service received, decrypted)."""

    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.fake = server.fake

    def new_browser(self) -> dict:
        response = requests.post(f"{self.url}/_fake/push/subscriptions", timeout=5)
        assert response.status_code == 201
        return response.json()

    def messages(self, endpoint: str = "") -> list[dict]:
        answer = requests.get(f"{self.url}/_fake/push/messages", params={"endpoint": endpoint}, timeout=5).json()
        return answer["messages"]

    def refusals(self) -> list[dict]:
        return requests.get(f"{self.url}/_fake/push/messages", timeout=5).json()["refusals"]

    def control(self, body: dict) -> dict:
        return requests.post(f"{self.url}/_fake/control", json=body, timeout=5).json()


@pytest.fixture(scope="session")
def _fake_push_server():
    from localbzz.fakekit import start_free
    from notifications.fakes.push import FakePushServer

    server = start_free(lambda port: FakePushServer("127.0.0.1", port), os.environ.get("FAKE_PUSH_PORT_RANGE", ""))
    yield server
    server.stop()


@pytest.fixture
def fake_push(_fake_push_server, settings):
    """The fake push service, reset; VAPID keys of this test; plain http to loopback allowed (the
    fake), private targets allowed for 127.0.0.1 only; fast retries."""
    from py_vapid import Vapid02

    from notifications.fakes.push import b64

    vapid = Vapid02()
    vapid.generate_keys()
    settings.VAPID_PRIVATE_KEY = b64(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))
    settings.VAPID_PUBLIC_KEY = b64(
        vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    settings.VAPID_SUBJECT = "mailto:ops@localbzz.example"
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    settings.OUTBOUND_ALLOW_PRIVATE = False
    settings.OUTBOUND_PRIVATE_ALLOWLIST = ["127.0.0.1"]
    settings.PUSH_RETRY_BACKOFF = 0.01
    settings.NOTIFICATIONS_BASE_URL = "https://app.localbzz.example"
    _fake_push_server.fake.reset()
    yield FakePushHandle(_fake_push_server)
    _fake_push_server.fake.reset()


@pytest.fixture
def portal_people(db):
    """Owners of two clients' portals: {slug: ClientUser} for joes-push and bella-push."""
    joes = Client.objects.create(name="Joe's Landscaping", slug="joes-push")
    bella = Client.objects.create(name="Bella Bakery", slug="bella-push")
    people = {}
    for client, email in ((joes, "joe@joes.example"), (bella, "bella@bella.example")):
        member = client_user_invite(
            actor=None, client=client, email=email, first_name=email.split("@")[0].title(), role="owner",
            password=PASSWORD, send_invite=False,
        )  # fmt: skip
        people[client.slug] = member
    return people
