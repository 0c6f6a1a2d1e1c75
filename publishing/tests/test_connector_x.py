"""X, against the fake over HTTP."""

from __future__ import annotations

import time

import pytest
import requests

from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.x import XConnector
from publishing.tests.conftest import make_account


def test_x_publishes_text_once(fake_platforms, publish_request):
    result = XConnector().publish(publish_request("x", "Hello from the bakery", target_id="t-x"), {})

    [entry] = fake_platforms.ledger(platform="x")
    assert (entry["external_id"], entry["target_id"], entry["text"]) == (
        result.external_id,
        "t-x",
        "Hello from the bakery",
    )
    assert result.url == f"{fake_platforms.url}/x-web/i/web/status/{result.external_id}"
    assert requests.get(result.url, timeout=5).status_code == 200


def test_x_uploads_images_and_polls_their_processing(fake_platforms, publish_request, media):
    fake_platforms.configure(**{"x.media_polls": 2})
    saved: list[dict] = []

    XConnector().publish(publish_request("x", media=(media("a.jpg"), media("b.png")), on_checkpoint=saved.append), {})

    [entry] = fake_platforms.ledger(platform="x")
    assert len(entry["media_urls"]) == 2
    assert len(saved[-1]["media_ids"]) == 2
    assert all(u["polls_left"] == 0 for u in fake_platforms.fake.objects("x").values())


def test_x_rate_limit_waits_until_the_reset_header(fake_platforms, publish_request):
    fake_platforms.fail("x", "rate_limit", "tweets", seconds=120)

    with pytest.raises(PlatformError) as caught:
        XConnector().publish(publish_request("x"), {})

    assert caught.value.kind == ErrorKind.RATE_LIMITED
    assert 115 <= caught.value.retry_after <= 121


def test_x_asks_to_slow_down_when_its_window_is_nearly_spent(fake_platforms, publish_request):
    fake_platforms.configure(**{"x.rate_limit": 3})
    results = [XConnector().publish(publish_request("x", f"post {n}"), {}) for n in range(3)]

    assert results[0].slow_down is None
    assert results[2].slow_down and results[2].slow_down <= 15 * 60 + 1
    with pytest.raises(PlatformError) as caught:
        XConnector().publish(publish_request("x", "post 4"), {})
    assert caught.value.kind == ErrorKind.RATE_LIMITED
    assert caught.value.retry_after <= 15 * 60 and caught.value.retry_after >= (15 * 60) - (time.time() % 900) - 2


@pytest.mark.parametrize(
    "fault, kind, words",
    [
        ("token_expired", ErrorKind.AUTH_EXPIRED, "reconnect"),
        ("duplicate", ErrorKind.REJECTED, "duplicate content"),
        ("http_500", ErrorKind.RETRYABLE, "temporary"),
    ],
)
def test_x_faults_are_classified(fake_platforms, publish_request, fault, kind, words):
    fake_platforms.fail("x", fault, "tweets")

    with pytest.raises(PlatformError) as caught:
        XConnector().publish(publish_request("x"), {})

    assert caught.value.kind == kind and words in caught.value.message


def test_x_verify_and_check_account(fake_platforms, publish_request, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.3
    fake_platforms.fail("x", "hang", "tweets", seconds=2)
    request = publish_request("x", "A lost answer")
    with pytest.raises(PlatformError) as caught:
        XConnector().publish(request, {})

    assert caught.value.kind == ErrorKind.UNKNOWN_OUTCOME
    assert XConnector().verify(request, {}).external_id == fake_platforms.ledger(platform="x")[0]["external_id"]
    assert XConnector().verify(publish_request("x", "never sent"), {}) is None
    assert XConnector().check_account(make_account("x")).message == "Token valid for @bellabakery"
