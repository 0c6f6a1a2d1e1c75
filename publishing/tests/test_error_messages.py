"""The message a person finally reads, for every classification (issue 12, item 5): each case goes
through the engine against the fake platforms and reads the target's ``last_error`` — never
"…; trying again." on a post that gave up, never "reconnect" twice, never a video message about a
photo or "convert" a JPEG to JPEG. Instagram's subcodes are read through ``errors.classify``."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from publishing.connectors import errors
from publishing.connectors.base import ErrorKind, MediaItem, PlatformError
from publishing.models import PostTarget
from publishing.services import scheduling
from publishing.tests.posting import accounts_for, approved_post, make_due_now, publer_account, run_due, schedule_due

pytestmark = pytest.mark.django_db
PLATFORMS = ["facebook", "linkedin", "x", "google_business", "publer"]


def assert_actionable(message: str, status: str) -> None:
    low = message.lower()
    assert message and "{" not in message and ".." not in message, message
    assert low.count("reconnect") <= 1, message
    if status == "failed":
        assert "trying again" not in low and "again shortly" not in low, message
        actions = ("retry", "change", "check", "grant", "reconnect", "export", "crop", "keep", "add", "pick", "paste")
        assert any(action in low for action in actions), message


@pytest.fixture
def attempt(fake_platforms, owner, client_a, settings):
    """``attempt(platform, kind, operation="*", **params)`` → the target after one engine run with that fault."""
    settings.PUBLISH_MAX_ATTEMPTS = 1
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0.01

    def run(platform: str, kind: str, operation: str = "*", caption: str = "Fresh mulch, delivered", **params):
        if platform == "publer":
            account = publer_account(client_a, owner, "facebook", "pub-messages")
            post = approved_post(owner, client_a, [account], caption=caption)
            scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=2))
        else:
            account = accounts_for(client_a, owner, platforms=(platform,))[platform]
            post = schedule_due(owner, approved_post(owner, client_a, [account], caption=caption))
        fake_platforms.fail(platform, kind, operation, **params)
        run_due()
        target = post.targets.get()
        assert_actionable(target.last_error, target.status)
        return target

    return run


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_platform_that_keeps_failing_ends_with_what_to_do_not_trying_again(attempt, platform):
    target = attempt(platform, "http_500", times=5)
    name = errors.NAMES[platform]
    assert target.status == "failed"
    assert target.last_error.startswith(f"Gave up after 1 attempt. The last one: {name} had a temporary error (")
    assert target.last_error.endswith(f"When {name} works again (check its status page), press Retry.")


@pytest.mark.parametrize("platform", ["facebook", "linkedin", "x", "google_business"])
def test_an_expired_token_says_reconnect_once(attempt, platform):
    target = attempt(platform, "token_expired")
    name = errors.NAMES[platform]
    assert target.status == "failed"
    assert target.last_error.startswith(f"{name} no longer accepts this account's connection (")
    assert target.last_error.endswith("): reconnect the account under Social accounts, then press Retry.")


def test_a_refused_publer_key_says_where_to_paste_a_new_one(attempt):
    target = attempt("publer", "token_expired")
    assert target.status == "failed"
    assert "paste a current API key and workspace id in the client's Publer settings, then press Retry." in (
        target.last_error
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_rate_limit_waits_and_says_so(attempt, platform):
    target = attempt(platform, "rate_limit", seconds=30, minutes=1)
    assert target.status == "scheduled" and target.last_error.startswith("Rate limited: ")
    assert "rate limit" in target.last_error.lower() or "throttling" in target.last_error


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("facebook", "Facebook refused a duplicate: this exact text was just posted there. Change the text."),
        ("x", "X refuses posting the same text twice."),
        ("linkedin", "LinkedIn refused a duplicate: this text is already posted on this page. Change the text."),
        ("publer", "Publer refused the post: This post is a duplicate"),
    ],
)
def test_a_duplicate_says_to_change_the_text(attempt, platform, expected):
    target = attempt(platform, "duplicate")
    assert target.status == "failed" and target.error_kind == "rejected" and expected in target.last_error


@pytest.mark.parametrize(
    ("platform", "params", "expected"),
    [
        ("facebook", {"code": 10, "message": "Permission denied"}, "grant every permission LocalBzz asks for"),
        ("facebook", {"code": 200, "message": "Requires pages_manage_posts"}, "as a person with full control"),
        ("facebook", {"code": 368, "message": "Blocked"}, "check the account's quality notices"),
        ("facebook", {"code": 1609005, "message": "Link"}, "Facebook could not read the link"),
        (
            "facebook",
            {"code": 100, "message": "Invalid parameter."},
            "Facebook refused the post: Invalid parameter. Change what it points out",
        ),  # fmt: skip
        ("x", {"status": 400, "message": "Text is invalid."}, "X refused the post: Text is invalid."),
        ("linkedin", {"status": 403, "message": "Not enough permissions"}, "reconnect as an administrator"),
        ("linkedin", {"status": 422, "message": "Commentary too long"}, "LinkedIn refused the post: Commentary"),
        ("google_business", {"message": "Summary is invalid"}, "Google Business Profile refused the post: Summary"),
        ("publer", {"status": 422, "message": "Text is empty"}, "Publer refused the post: Text is empty."),
    ],
)
def test_a_refusal_quotes_the_platform_and_says_what_to_do(attempt, platform, params, expected):
    target = attempt(platform, "error", **params)
    assert target.status == "failed" and target.error_kind == "rejected"
    assert expected in target.last_error


def test_a_verification_that_never_gets_an_answer_says_to_check_the_account(fake_platforms, attempt, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.5
    settings.PUBLISH_MAX_VERIFY_ATTEMPTS = 1
    target = attempt("x", "hang", "tweets", seconds=1.5)
    assert target.status == "unconfirmed"
    fake_platforms.fail("x", "http_500", "read", times=3)
    make_due_now(target.post)
    assert run_due() == ["gave up verifying"]
    target = PostTarget.objects.get(pk=target.pk)
    assert target.status == "failed"
    assert target.last_error == (
        "We could not confirm whether this went out on X (the last check: X had a temporary error (Service "
        "Unavailable)). Look at the account on X; if the post is not there, press Retry."
    )
    assert_actionable(target.last_error, "failed")


# Instagram subcodes ---------------------------------------------------------------------------------

JPEG = MediaItem(kind="image", url="https://m/x.jpg", mime="image/jpeg", bytes=700, filename="tart.jpg")
HEIC = MediaItem(kind="image", url="https://m/x.heic", mime="image/heic", bytes=700, filename="IMG_2231.HEIC")
MP4 = MediaItem(kind="video", url="https://m/x.mp4", mime="video/mp4", bytes=700, filename="clip.mp4")


def _instagram(code: int, subcode: int, media) -> PlatformError:
    response = requests.Response()
    response.status_code = 400
    body = {"error": {"message": "x", "type": "OAuthException", "code": code, "error_subcode": subcode}}
    response._content = json.dumps(body).encode()
    return errors.classify("instagram", response, media=media)


def test_2207026_on_a_photo_does_not_talk_about_video():
    error = _instagram(352, 2207026, [JPEG])
    assert error.kind == ErrorKind.REJECTED and "tart.jpg" in error.message
    assert "video" not in error.message.lower() and "MP4" not in error.message
    assert "video" not in errors.instagram_container_error("Error: bad format (2207026)", [JPEG]).message.lower()
    assert "clip.mp4" in _instagram(352, 2207026, [MP4]).message and "MP4" in _instagram(352, 2207026, [MP4]).message


def test_2207005_never_asks_to_convert_a_jpeg_to_jpeg():
    on_jpeg = _instagram(36001, 2207005, [JPEG]).message
    assert "convert" not in on_jpeg.lower() and "tart.jpg" in on_jpeg and "CMYK" in on_jpeg
    assert _instagram(36001, 2207005, [JPEG, HEIC]).message == (
        "Instagram needs JPEG images: convert IMG_2231.HEIC or pick another photo."
    )


@pytest.mark.parametrize("subcode", sorted(errors.IG_SUBCODES))
def test_every_instagram_subcode_reads_well_where_a_person_sees_it(subcode):
    error = _instagram(1, subcode, [JPEG])
    final = errors.gave_up(6, error) if error.kind == ErrorKind.RETRYABLE else error.message
    assert_actionable(final, "failed" if error.kind != ErrorKind.RATE_LIMITED else "scheduled")
    if error.kind == ErrorKind.REJECTED and "{files}" in errors.IG_SUBCODES[subcode][1]:
        assert "tart.jpg" in final  # names the file concerned
