"""Google Business Profile local posts, against the fake over HTTP."""

from __future__ import annotations

import pytest

from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.google_business import GoogleBusinessConnector
from publishing.tests.conftest import make_account


def test_it_publishes_a_post_with_a_photo_and_a_call_to_action(fake_platforms, publish_request, media):
    request = publish_request(
        "google_business", media=(media("a.jpg"),), cta={"action_type": "BOOK", "url": "https://bella.example/book"}
    )

    result = GoogleBusinessConnector().publish(request, {})

    [entry] = fake_platforms.ledger(platform="google_business")
    assert (result.state, result.external_id, entry["external_id"]) == (
        "published",
        entry["external_id"],
        result.external_id,
    )
    assert entry["state"] == "LIVE" and entry["media_urls"] == [media("a.jpg").url]
    post = fake_platforms.fake.objects("google_business")[result.external_id]
    assert post["callToAction"] == {"actionType": "BOOK", "url": "https://bella.example/book"}
    assert result.checkpoint["name"] == result.external_id


def test_a_call_action_goes_without_a_url(fake_platforms, publish_request):
    result = GoogleBusinessConnector().publish(publish_request("google_business", cta={"action_type": "CALL"}), {})

    assert fake_platforms.fake.objects("google_business")[result.external_id]["callToAction"] == {"actionType": "CALL"}


def test_a_post_still_processing_answers_processing_and_verify_reads_it_again(fake_platforms, publish_request):
    fake_platforms.configure(**{"google_business.processing_reads": 1000})
    request = publish_request("google_business")

    result = GoogleBusinessConnector().publish(request, {})

    assert result.state == "processing" and result.checkpoint["name"] == result.external_id
    fake_platforms.fake.objects("google_business")[result.external_id]["_reads_left"] = 1
    later = GoogleBusinessConnector().verify(request, result.checkpoint)
    assert later.state == "published"
    assert len(fake_platforms.ledger(platform="google_business")) == 1


def test_a_post_google_rejects_fails_with_a_reason(fake_platforms, publish_request):
    fake_platforms.fail("google_business", "rejected", "local_posts")

    with pytest.raises(PlatformError) as caught:
        GoogleBusinessConnector().publish(publish_request("google_business"), {})

    assert caught.value.kind == ErrorKind.REJECTED and "content policy" in caught.value.message


def test_a_bad_request_names_the_field(fake_platforms, publish_request):
    with pytest.raises(PlatformError) as caught:
        GoogleBusinessConnector().publish(publish_request("google_business", "x" * 1600), {})

    assert caught.value.kind == ErrorKind.REJECTED
    assert "summary: Summary is required and at most 1500 characters." in caught.value.message


@pytest.mark.parametrize(
    "fault, kind",
    [
        ("token_expired", ErrorKind.AUTH_EXPIRED),
        ("rate_limit", ErrorKind.RATE_LIMITED),
        ("http_500", ErrorKind.RETRYABLE),
    ],
)
def test_faults_are_classified(fake_platforms, publish_request, fault, kind):
    fake_platforms.fail("google_business", fault, "local_posts")

    with pytest.raises(PlatformError) as caught:
        GoogleBusinessConnector().publish(publish_request("google_business"), {})

    assert caught.value.kind == kind


def test_verify_without_a_checkpoint_finds_the_post_by_its_text(fake_platforms, publish_request, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.3
    fake_platforms.fail("google_business", "hang", "local_posts", seconds=2)
    request = publish_request("google_business")
    with pytest.raises(PlatformError) as caught:
        GoogleBusinessConnector().publish(request, {})

    assert caught.value.kind == ErrorKind.UNKNOWN_OUTCOME
    assert GoogleBusinessConnector().verify(request, {}).state == "published"
    assert GoogleBusinessConnector().verify(publish_request("google_business", "never sent"), {}) is None
    assert GoogleBusinessConnector().check_account(make_account("google_business")).ok
