from __future__ import annotations

import pytest

from agency.models import Client
from integrations.tests.receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def shop(db):
    return Client.objects.create(name="Joe's Landscaping", slug="joes-landscaping-int")


@pytest.fixture
def register(api_as, admin_user, receiver):
    """Register ``receiver`` as a webhook over the API; the receiver learns the answered secret."""

    def make(**body):
        response = api_as(admin_user).post(
            "/api/v1/webhooks", {"url": receiver.url, "events": ["client.status_changed"], **body}, format="json"
        )
        assert response.status_code == 201, response.json()
        receiver.secret = response.json()["secret"]
        return response.json()

    return make
