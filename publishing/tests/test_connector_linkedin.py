"""LinkedIn, against the fake over HTTP."""

from __future__ import annotations

import pytest
import requests

from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.linkedin import LinkedInConnector, escape_commentary
from publishing.tests.conftest import make_account


def test_linkedin_takes_the_post_id_from_the_header(fake_platforms, publish_request):
    text = "Open (finally) on Sundays: 8-2 @ Main St *fresh* #bakery #local_food"

    result = LinkedInConnector().publish(publish_request("linkedin", text, target_id="t-li"), {})

    [entry] = fake_platforms.ledger(platform="linkedin")
    assert result.external_id == entry["external_id"] and result.external_id.startswith("urn:li:share:")
    assert entry["target_id"] == "t-li"
    assert entry["text"] == text  # the fake reads the escaped commentary back to what people will see
    assert entry["commentary"] == escape_commentary(text)
    assert "Open (finally)" in requests.get(result.url, timeout=5).text


def test_linkedin_commentary_escapes_reserved_characters_and_keeps_hashtags():
    assert escape_commentary(r"a\b|c{d}e@f[g]h(i)j<k>l*m_n~o") == r"a\\b\|c\{d\}e\@f\[g\]h\(i\)j\<k\>l\*m\_n\~o"
    assert escape_commentary("Hi #fresh_bread! #1") == r"Hi {hashtag|\#|fresh\_bread}! {hashtag|\#|1}"
    assert escape_commentary("no#tag") == r"no\#tag"


def test_linkedin_uploads_an_image_then_posts_it(fake_platforms, publish_request, media):
    saved: list[dict] = []
    result = LinkedInConnector().publish(
        publish_request("linkedin", media=(media("a.jpg", alt_text="Loaf"),), on_checkpoint=saved.append), {}
    )

    [entry] = fake_platforms.ledger(platform="linkedin")
    assert entry["external_id"] == result.external_id
    assert len(entry["media_urls"]) == 1
    assert saved[-1]["images"][0].startswith("urn:li:image:")


def test_linkedin_duplicate_is_rejected(fake_platforms, publish_request):
    LinkedInConnector().publish(publish_request("linkedin", "Same words"), {})

    with pytest.raises(PlatformError) as caught:
        LinkedInConnector().publish(publish_request("linkedin", "Same words"), {})

    assert (caught.value.kind, caught.value.http_status) == (ErrorKind.REJECTED, 422)
    assert "duplicate" in caught.value.message and "Change the text" in caught.value.message


@pytest.mark.parametrize(
    "fault, kind",
    [
        ("token_expired", ErrorKind.AUTH_EXPIRED),
        ("rate_limit", ErrorKind.RATE_LIMITED),
        ("http_500", ErrorKind.RETRYABLE),
    ],
)
def test_linkedin_faults_are_classified(fake_platforms, publish_request, fault, kind):
    fake_platforms.fail("linkedin", fault, "posts")

    with pytest.raises(PlatformError) as caught:
        LinkedInConnector().publish(publish_request("linkedin"), {})

    assert caught.value.kind == kind
    if kind == ErrorKind.RATE_LIMITED:
        assert caught.value.retry_after == 60  # LinkedIn says no time: the default wait


def test_linkedin_verify_after_a_lost_answer(fake_platforms, publish_request, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.3
    fake_platforms.fail("linkedin", "hang", "posts", seconds=2)
    request = publish_request("linkedin", "Lost #answer (really)")

    with pytest.raises(PlatformError) as caught:
        LinkedInConnector().publish(request, {})

    assert caught.value.kind == ErrorKind.UNKNOWN_OUTCOME
    [entry] = fake_platforms.ledger(platform="linkedin")
    assert LinkedInConnector().verify(request, {}).external_id == entry["external_id"]
    assert LinkedInConnector().verify(publish_request("linkedin", "never sent"), {}) is None


def test_the_fake_linkedin_requires_its_version_headers(fake_platforms):
    url = f"{fake_platforms.url}/linkedin/rest/posts"
    body = {"author": "urn:li:organization:1", "commentary": "x", "visibility": "PUBLIC", "lifecycleState": "PUBLISHED"}
    auth = {"Authorization": "Bearer demo-token"}

    no_version = requests.post(url, json=body, headers={**auth, "X-Restli-Protocol-Version": "2.0.0"}, timeout=5)
    no_restli = requests.post(url, json=body, headers={**auth, "LinkedIn-Version": "202506"}, timeout=5)

    assert (no_version.status_code, no_version.json()["code"]) == (400, "VERSION_MISSING")
    assert no_restli.status_code == 400
    assert fake_platforms.ledger() == []


def test_linkedin_check_account_names_the_organization(fake_platforms):
    assert LinkedInConnector().check_account(make_account("linkedin")).message == "Token valid for Bella Bakery"
