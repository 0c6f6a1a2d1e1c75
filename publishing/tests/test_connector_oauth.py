"""OAuth round trips (Meta, LinkedIn and X with PKCE) against the fake over HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from publishing.connectors import oauth
from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.facebook import FacebookConnector
from publishing.connectors.x import XConnector
from publishing.tests.conftest import make_account

CALLBACK = "http://localhost:8000/social-accounts/callback/"


def follow(authorize: oauth.AuthorizeRequest) -> dict[str, str]:
    """The person agrees on the (fake) authorize page; answer the callback's query."""
    answer = requests.get(authorize.url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_meta_round_trip_gives_pages_with_tokens_and_instagram(fake_platforms, publish_request):
    authorize = oauth.meta_authorize_url(CALLBACK)
    query = parse_qs(urlsplit(authorize.url).query)
    assert set(query["scope"][0].split(",")) == set(oauth.META_SCOPES)

    back = follow(authorize)
    assert back["state"] == authorize.state
    short = oauth.meta_exchange_code(back["code"], CALLBACK)
    long = oauth.meta_long_lived(short.access_token)
    pages = oauth.meta_pages(long.access_token)

    assert long.expires_at > short.expires_at
    assert [(p.name, p.can_post) for p in pages] == [("Bella Bakery", True), ("Bella Catering", True)]
    assert pages[0].instagram.username == "bellabakery" and pages[1].instagram is None
    assert oauth.meta_instagram_account(pages[0].id, pages[0].access_token).id == pages[0].instagram.id
    # The page token it handed out publishes.
    account = make_account("facebook", token=pages[0].access_token, external_id=pages[0].id)
    FacebookConnector().publish(publish_request("facebook", account=account), {})
    assert len(fake_platforms.ledger(platform="facebook", account=pages[0].id)) == 1


def test_meta_refuses_a_used_code(fake_platforms):
    back = follow(oauth.meta_authorize_url(CALLBACK))
    oauth.meta_exchange_code(back["code"], CALLBACK)

    with pytest.raises(PlatformError) as caught:
        oauth.meta_exchange_code(back["code"], CALLBACK)

    assert caught.value.kind == ErrorKind.REJECTED


def test_linkedin_round_trip_with_pkce_refresh_and_identity(fake_platforms):
    authorize = oauth.linkedin_authorize_url(CALLBACK, state="s-1")
    query = parse_qs(urlsplit(authorize.url).query)
    assert query["code_challenge_method"] == ["S256"] and authorize.code_verifier

    back = follow(authorize)
    tokens = oauth.linkedin_exchange_code(back["code"], CALLBACK, authorize.code_verifier)
    refreshed = oauth.linkedin_refresh(tokens.refresh_token)
    me = oauth.linkedin_identity(refreshed.access_token)

    assert back["state"] == "s-1"
    assert tokens.access_token != refreshed.access_token and tokens.refresh_token
    assert me.person_urn == "urn:li:person:mZ3demo"
    assert [(o.urn, o.name) for o in me.organizations] == [("urn:li:organization:5550001", "Bella Bakery")]
    assert "access_token" not in repr(tokens) and tokens.access_token not in repr(tokens)


def test_linkedin_refuses_a_wrong_code_verifier(fake_platforms):
    back = follow(oauth.linkedin_authorize_url(CALLBACK))

    with pytest.raises(PlatformError) as caught:
        oauth.linkedin_exchange_code(back["code"], CALLBACK, "not-the-verifier")

    assert caught.value.kind == ErrorKind.REJECTED and caught.value.http_status == 400


def test_x_round_trip_with_pkce_and_users_me(fake_platforms, publish_request):
    authorize = oauth.x_authorize_url(CALLBACK)
    back = follow(authorize)

    tokens = oauth.x_exchange_code(back["code"], CALLBACK, authorize.code_verifier)
    user = oauth.x_me(tokens.access_token)
    refreshed = oauth.x_refresh(tokens.refresh_token)

    assert (user.username, refreshed.access_token != tokens.access_token) == ("bellabakery", True)
    account = make_account("x", token=refreshed.access_token, external_id=user.id)
    XConnector().publish(publish_request("x", account=account), {})
    assert fake_platforms.ledger(platform="x")[0]["account"] == user.id


def test_x_token_endpoint_needs_the_client_secret(fake_platforms, settings):
    settings.X_CLIENT_SECRET = ""
    authorize = oauth.x_authorize_url(CALLBACK)
    back = follow(authorize)

    with pytest.raises(PlatformError) as caught:
        oauth.x_exchange_code(back["code"], CALLBACK, authorize.code_verifier)

    assert caught.value.kind == ErrorKind.AUTH_EXPIRED and caught.value.http_status == 401
