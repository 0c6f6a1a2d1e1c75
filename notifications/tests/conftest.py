"""Builders for notification tests: a client with a Facebook account and posts written by someone."""

from __future__ import annotations

import pytest

from agency.models import Client
from publishing.services import posts as post_services
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
