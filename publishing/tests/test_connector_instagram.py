"""Instagram: containers, polling, quota, checkpoints and verify, against the fake over HTTP."""

from __future__ import annotations

import pytest
import requests

from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.instagram import InstagramConnector


def containers(fake_platforms) -> dict:
    return fake_platforms.fake.objects("instagram")


def test_it_publishes_an_image_once_with_a_permalink_that_opens(fake_platforms, publish_request, media):
    request = publish_request("instagram", media=(media("IMG_1.jpg", alt_text="A loaf"),), target_id="t-ig-1")

    result = InstagramConnector().publish(request, {})

    [entry] = fake_platforms.ledger(platform="instagram")
    assert result.state == "published"
    assert result.external_id == entry["external_id"]
    assert entry["target_id"] == "t-ig-1"
    assert entry["text"] == request.text
    assert entry["media_urls"] == [media("IMG_1.jpg").url]
    assert result.checkpoint["media_id"] == result.external_id and result.checkpoint["container_id"]
    page = requests.get(result.url, timeout=5)
    assert page.status_code == 200 and "Fresh sourdough" in page.text


def test_it_publishes_a_carousel_from_its_children(fake_platforms, publish_request, media):
    items = (media("a.jpg"), media("b.jpg"), media("c.jpg"))
    saved: list[dict] = []

    result = InstagramConnector().publish(publish_request("instagram", media=items, on_checkpoint=saved.append), {})

    [entry] = fake_platforms.ledger(platform="instagram")
    assert entry["external_id"] == result.external_id
    assert entry["media_urls"] == [m.url for m in items]
    assert entry["kind"] == "CAROUSEL"
    assert len(saved[-1]["children"]) == 3 and saved[-1]["container_id"]
    assert len(containers(fake_platforms)) == 4  # three children, one parent


@pytest.mark.parametrize("placement, kind", [("reel", "REELS"), ("story", "STORIES")])
def test_it_publishes_reels_and_stories(fake_platforms, publish_request, media, placement, kind):
    item = media("clip.mp4") if placement == "reel" else media("story.jpg")

    result = InstagramConnector().publish(publish_request("instagram", media=(item,), placement=placement), {})

    [entry] = fake_platforms.ledger(platform="instagram")
    assert (entry["kind"], entry["external_id"]) == (kind, result.external_id)


def test_it_polls_an_unfinished_container_until_it_is_finished(fake_platforms, publish_request, media):
    fake_platforms.configure(**{"instagram.image_polls": 3})

    result = InstagramConnector().publish(publish_request("instagram", media=(media("a.jpg"),)), {})

    assert result.state == "published"
    [container] = containers(fake_platforms).values()
    assert container["polls_left"] == 0  # three IN_PROGRESS reads happened before publishing


def test_a_container_still_in_progress_is_retryable_and_the_retry_reuses_it(
    fake_platforms, publish_request, media, settings
):
    fake_platforms.configure(**{"instagram.image_polls": 1000})
    settings.PLATFORM_POLL_TIMEOUT = 0.05
    request = publish_request("instagram", media=(media("a.jpg"),))

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(request, {})
    assert caught.value.kind == ErrorKind.RETRYABLE
    container_id = caught.value.checkpoint["container_id"]

    containers(fake_platforms)[container_id]["polls_left"] = 0
    result = InstagramConnector().publish(request, caught.value.checkpoint)

    assert result.state == "published"
    assert list(containers(fake_platforms)) == [container_id]
    assert len(fake_platforms.ledger(platform="instagram")) == 1


def test_a_container_in_error_fails_with_its_reason_and_is_dropped(fake_platforms, publish_request, media):
    fake_platforms.fail("instagram", "container_error", "media", subcode=2207026)
    request = publish_request("instagram", media=(media("IMG_9.mp4"),), placement="reel")

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(request, {})

    error = caught.value
    assert error.kind == ErrorKind.REJECTED
    assert error.subcode == 2207026
    assert "Instagram cannot use the video IMG_9.mp4" in error.message
    assert "container_id" not in error.checkpoint
    assert fake_platforms.ledger(platform="instagram") == []


def test_a_used_up_quota_refuses_before_creating_a_container(fake_platforms, publish_request, media):
    fake_platforms.configure(**{"instagram.quota_total": 1})
    InstagramConnector().publish(publish_request("instagram", "first", media=(media("a.jpg"),)), {})

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(publish_request("instagram", "second", media=(media("b.jpg"),)), {})

    assert caught.value.kind == ErrorKind.RATE_LIMITED
    assert caught.value.retry_after and caught.value.retry_after > 0
    assert "used its 1 posts" in caught.value.message
    assert len(containers(fake_platforms)) == 1  # only the first post's
    assert InstagramConnector().quota(publish_request("instagram").account).remaining == 0


def test_a_retry_after_a_crash_reuses_the_checkpointed_container(fake_platforms, publish_request, media):
    fake_platforms.fail("instagram", "http_500", "media_publish")
    saved: list[dict] = []
    request = publish_request("instagram", media=(media("a.jpg"),), on_checkpoint=saved.append)

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(request, {})
    assert caught.value.kind == ErrorKind.RETRYABLE
    # The engine stored what on_checkpoint handed it before the failing call; a crash would leave the same.
    assert saved[-1]["container_id"] == caught.value.checkpoint["container_id"]

    result = InstagramConnector().publish(request, saved[-1])

    assert len(containers(fake_platforms)) == 1
    [entry] = fake_platforms.ledger(platform="instagram")
    assert entry["external_id"] == result.external_id


def test_verify_after_a_timeout_answers_the_published_post(fake_platforms, publish_request, media, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.3
    fake_platforms.fail("instagram", "hang", "media_publish", seconds=2)
    request = publish_request("instagram", media=(media("a.jpg"),))

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(request, {})
    assert caught.value.kind == ErrorKind.UNKNOWN_OUTCOME

    found = InstagramConnector().verify(request, caught.value.checkpoint)

    [entry] = fake_platforms.ledger(platform="instagram")
    assert found is not None and found.external_id == entry["external_id"] and found.url == entry["url"]
    # Publishing again with that checkpoint answers the same post and sends nothing.
    again = InstagramConnector().publish(request, caught.value.checkpoint)
    assert again.external_id == entry["external_id"]
    assert len(fake_platforms.ledger(platform="instagram")) == 1


def test_verify_answers_none_when_nothing_was_published(fake_platforms, publish_request, media):
    fake_platforms.fail("instagram", "http_500", "media_publish")
    request = publish_request("instagram", media=(media("a.jpg"),))
    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(request, {})

    assert InstagramConnector().verify(request, caught.value.checkpoint) is None
    assert InstagramConnector().verify(request, {}) is None


def test_a_heic_photo_is_rejected_with_a_message_a_person_can_act_on(fake_platforms, publish_request, media):
    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(publish_request("instagram", media=(media("IMG_2231.HEIC"),)), {})

    assert caught.value.kind == ErrorKind.REJECTED
    assert caught.value.message == "Instagram needs JPEG images: convert IMG_2231.HEIC or pick another photo."


def test_a_url_instagram_cannot_fetch_is_rejected(fake_platforms, publish_request, media):
    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(publish_request("instagram", media=(media("missing-1.jpg"),)), {})

    assert (caught.value.kind, caught.value.subcode) == (ErrorKind.REJECTED, 2207052)
    assert "could not download missing-1.jpg" in caught.value.message


def test_an_expired_container_at_publish_time_is_retried_with_a_new_one(fake_platforms, publish_request, media):
    fake_platforms.fail("instagram", "error", "media_publish", code=-2, subcode=2207020, message="expired")
    request = publish_request("instagram", media=(media("a.jpg"),))

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(request, {})
    assert caught.value.kind == ErrorKind.RETRYABLE
    assert "container_id" not in caught.value.checkpoint

    InstagramConnector().publish(request, caught.value.checkpoint)
    assert len(containers(fake_platforms)) == 2
    assert len(fake_platforms.ledger(platform="instagram")) == 1


@pytest.mark.parametrize(
    "code, subcode, kind, words",
    [
        (-2, 2207003, ErrorKind.RETRYABLE, "timed out downloading"),
        (-1, 2207001, ErrorKind.RETRYABLE, "server error"),
        (-1, 2207032, ErrorKind.RETRYABLE, "could not create"),
        (24, 2207008, ErrorKind.RETRYABLE, "temporarily unavailable"),
        (9, 2207042, ErrorKind.RATE_LIMITED, "daily publishing limit"),
        (4, 2207051, ErrorKind.REJECTED, "spam"),
        (25, 2207050, ErrorKind.REJECTED, "restricted"),
        (36000, 2207004, ErrorKind.REJECTED, "up to 8 MB: export a.jpg smaller"),
        (36003, 2207009, ErrorKind.REJECTED, "crop a.jpg"),
        (36004, 2207010, ErrorKind.REJECTED, "2,200 characters"),
        (100, 2207028, ErrorKind.REJECTED, "2 to 10"),
        (9004, 2207052, ErrorKind.REJECTED, "could not download a.jpg"),
        (352, 2207026, ErrorKind.REJECTED, "could not process a.jpg (unsupported format)"),  # a photo: no "video"
    ],
)
def test_instagram_error_codes_are_classified(fake_platforms, publish_request, media, code, subcode, kind, words):
    fake_platforms.fail("instagram", "error", "media", code=code, subcode=subcode, message="from Instagram")

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(publish_request("instagram", media=(media("a.jpg"),)), {})

    assert caught.value.kind == kind
    assert words in caught.value.message
    if kind == ErrorKind.RATE_LIMITED:
        assert caught.value.retry_after == 3600


def test_check_account_reads_the_username_and_notices_a_dead_token(fake_platforms):
    from publishing.tests.conftest import make_account

    assert InstagramConnector().check_account(make_account("instagram")).message == "Token valid for @bellabakery"
    fake_platforms.expire_token("demo-dead")
    check = InstagramConnector().check_account(make_account("instagram", token="demo-dead"))
    assert not check.ok and "reconnect" in check.message


def test_a_checkpointed_container_instagram_no_longer_knows_is_replaced(fake_platforms, publish_request, media):
    request = publish_request("instagram", media=(media("a.jpg"),))

    with pytest.raises(PlatformError) as caught:
        InstagramConnector().publish(request, {"container_id": "17890000000999"})

    assert caught.value.kind == ErrorKind.RETRYABLE and "container_id" not in caught.value.checkpoint
    assert InstagramConnector().publish(request, caught.value.checkpoint).state == "published"
