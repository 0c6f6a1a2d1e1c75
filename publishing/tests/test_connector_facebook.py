"""Facebook Pages and Meta's error/usage dialect, against the fake over HTTP."""

from __future__ import annotations

import json

import pytest
import requests

from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.facebook import FacebookConnector
from publishing.tests.conftest import make_account


def test_it_publishes_a_text_post_once_with_a_link_that_opens(fake_platforms, publish_request):
    result = FacebookConnector().publish(publish_request("facebook", target_id="t-fb"), {})

    [entry] = fake_platforms.ledger(platform="facebook")
    assert result.external_id == entry["external_id"] and result.external_id.startswith("10001_")
    assert entry["target_id"] == "t-fb"
    assert result.url == f"{fake_platforms.url}/facebook-web/{result.external_id}"
    assert "Fresh sourdough" in requests.get(result.url, timeout=5).text


def test_it_publishes_a_link_post(fake_platforms, publish_request):
    link = fake_platforms.media_url("menu.jpg")
    FacebookConnector().publish(publish_request("facebook", "Our menu", link=link), {})

    assert [e["text"] for e in fake_platforms.ledger(platform="facebook")] == ["Our menu"]


def test_it_publishes_one_photo(fake_platforms, publish_request, media):
    result = FacebookConnector().publish(publish_request("facebook", media=(media("a.jpg"),)), {})

    [entry] = fake_platforms.ledger(platform="facebook")
    assert (entry["external_id"], entry["kind"], entry["media_urls"]) == (
        result.external_id,
        "photo",
        [media("a.jpg").url],
    )


def test_it_publishes_several_photos_as_one_post_and_resumes_uploads(fake_platforms, publish_request, media):
    fake_platforms.fail("facebook", "http_500", "feed")
    saved: list[dict] = []
    request = publish_request("facebook", media=(media("a.jpg"), media("b.jpg")), on_checkpoint=saved.append)

    with pytest.raises(PlatformError) as caught:
        FacebookConnector().publish(request, {})
    assert caught.value.kind == ErrorKind.RETRYABLE
    assert len(caught.value.checkpoint["photo_ids"]) == 2 == len(saved[-1]["photo_ids"])

    result = FacebookConnector().publish(request, caught.value.checkpoint)

    assert len(fake_platforms.fake.objects("facebook")) == 2  # no photo uploaded twice
    [entry] = fake_platforms.ledger(platform="facebook")
    assert entry["external_id"] == result.external_id
    assert entry["media_urls"] == [media("a.jpg").url, media("b.jpg").url]


def test_it_publishes_a_video_through_the_video_host(fake_platforms, publish_request, media):
    result = FacebookConnector().publish(publish_request("facebook", media=(media("clip.mp4"),)), {})

    [entry] = fake_platforms.ledger(platform="facebook")
    assert (entry["kind"], entry["external_id"]) == ("video", result.external_id)
    assert FacebookConnector().verify(publish_request("facebook", media=(media("clip.mp4"),)), {}).external_id == (
        result.external_id
    )


def test_verify_finds_a_post_whose_answer_was_lost_and_none_otherwise(fake_platforms, publish_request, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.3
    fake_platforms.fail("facebook", "hang", "feed", seconds=2)
    request = publish_request("facebook")

    with pytest.raises(PlatformError) as caught:
        FacebookConnector().publish(request, {})
    assert caught.value.kind == ErrorKind.UNKNOWN_OUTCOME

    [entry] = fake_platforms.ledger(platform="facebook")
    assert FacebookConnector().verify(request, caught.value.checkpoint).external_id == entry["external_id"]
    assert FacebookConnector().verify(publish_request("facebook", "never sent"), {}) is None


def test_an_expired_token_is_auth_expired_in_a_400_body(fake_platforms, publish_request):
    fake_platforms.expire_token("demo-expired")

    with pytest.raises(PlatformError) as caught:
        FacebookConnector().publish(publish_request("facebook", token="demo-expired"), {})

    assert (caught.value.kind, caught.value.code, caught.value.http_status) == (ErrorKind.AUTH_EXPIRED, 190, 400)
    assert "reconnect" in caught.value.message


@pytest.mark.parametrize(
    "kind, params, expected_kind, expected",
    [
        ("http_500", {}, ErrorKind.RETRYABLE, "temporary"),
        ("token_expired", {}, ErrorKind.AUTH_EXPIRED, "reconnect the account"),
        ("duplicate", {}, ErrorKind.REJECTED, "duplicate"),
        ("error", {"code": 1}, ErrorKind.RETRYABLE, "temporary"),
        ("error", {"code": 102}, ErrorKind.AUTH_EXPIRED, "reconnect"),
        ("error", {"code": 10}, ErrorKind.REJECTED, "grant every permission"),
        ("error", {"code": 200}, ErrorKind.REJECTED, "pages_manage_posts"),
        ("error", {"code": 100, "message": "Invalid parameter"}, ErrorKind.REJECTED, "Invalid parameter"),
        ("error", {"code": 368}, ErrorKind.REJECTED, "policy"),
    ],
)
def test_meta_errors_are_classified(fake_platforms, publish_request, kind, params, expected_kind, expected):
    fake_platforms.fail("facebook", kind, "feed", **params)

    with pytest.raises(PlatformError) as caught:
        FacebookConnector().publish(publish_request("facebook"), {})

    assert caught.value.kind == expected_kind
    assert expected in caught.value.message
    assert fake_platforms.ledger(platform="facebook") == []


def test_a_link_facebook_cannot_read_is_rejected(fake_platforms, publish_request):
    link = fake_platforms.media_url("missing-page.jpg")

    with pytest.raises(PlatformError) as caught:
        FacebookConnector().publish(publish_request("facebook", link=link), {})

    assert caught.value.code == 1609005
    assert caught.value.message == f"Facebook could not read the link {link}: check that it opens publicly, then retry."


def test_throttling_honours_the_business_use_case_header(fake_platforms, publish_request):
    fake_platforms.fail("facebook", "rate_limit", "feed", code=80001, minutes=7)

    with pytest.raises(PlatformError) as caught:
        FacebookConnector().publish(publish_request("facebook"), {})

    assert (caught.value.kind, caught.value.retry_after, caught.value.scope) == (ErrorKind.RATE_LIMITED, 420, "account")


def test_app_throttling_applies_to_every_account(fake_platforms, publish_request):
    fake_platforms.fail("facebook", "rate_limit", "feed", code=4, minutes=2)

    with pytest.raises(PlatformError) as caught:
        FacebookConnector().publish(publish_request("facebook"), {})

    assert (caught.value.kind, caught.value.scope, caught.value.retry_after) == (ErrorKind.RATE_LIMITED, "app", 120)


def test_usage_headers_near_the_limit_ask_to_slow_down(fake_platforms, publish_request):
    fake_platforms.configure(**{"meta.app_usage": 95})
    app = FacebookConnector().publish(publish_request("facebook", "one"), {})
    fake_platforms.configure(**{"meta.app_usage": 10, "meta.buc_usage": 92, "meta.regain_minutes": 3})
    page = FacebookConnector().publish(publish_request("facebook", "two"), {})
    fake_platforms.configure(**{"meta.buc_usage": 20, "meta.regain_minutes": 0})
    calm = FacebookConnector().publish(publish_request("facebook", "three"), {})

    assert (app.slow_down, app.slow_down_scope) == (60.0, "app")
    assert (page.slow_down, page.slow_down_scope) == (180.0, "account")
    assert calm.slow_down is None


def test_the_fake_answers_usage_headers_on_every_meta_call(fake_platforms):
    answer = requests.get(
        f"{fake_platforms.url}/graph/v23.0/me", headers={"Authorization": "OAuth demo-token"}, timeout=5
    )
    assert json.loads(answer.headers["X-App-Usage"])["call_count"] == 1
    assert "10001" in json.loads(answer.headers["X-Business-Use-Case-Usage"])


def test_check_account_names_the_page(fake_platforms):
    fake_platforms.register_token("page-token-1", "facebook", subject="10001", kind="page")

    check = FacebookConnector().check_account(make_account("facebook", token="page-token-1"))

    assert (check.ok, check.message) == (True, "Token valid for Bella Bakery (page)")
