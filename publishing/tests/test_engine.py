"""The engine against the fake platforms over real HTTP: claims, retries, rate limits, dead
tokens, unknown outcomes, the sweeper — one process (the multi-process guarantees are in
test_guarantees.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from publishing import engine
from publishing.models import PlatformPause, Post, PostTarget, SocialAccount
from publishing.services.scheduling import PostNotReady
from publishing.tests.posting import accounts_for, approved_post, make_due_now, publer_account, run_due, schedule_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fake_platforms, owner, client_a, settings):
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0.01
    return {"accounts": accounts_for(client_a, owner), "client": client_a, "owner": owner, "fake": fake_platforms}


def _post(world, platforms=("facebook", "linkedin", "x"), **kw):
    accounts = [world["accounts"][p] for p in platforms]
    return schedule_due(world["owner"], approved_post(world["owner"], world["client"], accounts, **kw))


def test_a_due_post_goes_out_once_on_every_account(world):
    post = _post(world)
    assert sorted(run_due()) == ["published"] * 3
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.published_at
    for target in post.targets.all():
        assert target.status == "published" and target.url.startswith(world["fake"].url)
        assert len(world["fake"].ledger(target_id=str(target.pk))) == 1
    assert run_due() == []  # nothing left to do


def test_a_claim_is_taken_by_one_dispatcher_only(world):
    _post(world)
    first = engine.claim_due(owner="a")
    second = engine.claim_due(owner="b")
    assert len(first) == 3 and second == []
    assert all(engine.publish(c.target_id, c.token) == "published" for c in first)
    # A stale duplicate task (e.g. redelivered) does nothing.
    assert engine.publish(first[0].target_id, first[0].token) == "stale claim"


def test_server_errors_are_retried_with_backoff_then_succeed(world):
    post = _post(world, platforms=("facebook",))
    world["fake"].fail("facebook", "http_500", times=2)
    for expected in ("error: retryable", "error: retryable"):
        assert run_due() == [expected]
        target = post.targets.get()
        assert target.status == "scheduled" and target.next_attempt_at > timezone.now() - timedelta(seconds=1)
        assert "Will retry" in target.last_error
        make_due_now(post)
    assert run_due() == ["published"]
    target = post.targets.get()
    assert target.attempts == 3 and len(world["fake"].ledger(target_id=str(target.pk))) == 1


def test_retries_are_bounded(world, settings):
    settings.PUBLISH_MAX_ATTEMPTS = 2
    post = _post(world, platforms=("x",))
    world["fake"].fail("x", "http_500", times=5)
    run_due()
    make_due_now(post)
    run_due()
    target = post.targets.get()
    assert target.status == "failed" and target.last_error.startswith("Gave up after 2 attempts")
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED


def test_rate_limits_wait_without_using_attempts_and_pause_the_account(world):
    post = _post(world, platforms=("x",))
    world["fake"].fail("x", "rate_limit")
    assert run_due() == ["error: rate_limited"]
    target = post.targets.get()
    account = SocialAccount.objects.get(pk=target.account_id)
    assert target.status == "scheduled" and target.attempts == 0
    assert target.next_attempt_at > timezone.now() and account.paused_until > timezone.now()
    make_due_now(post)
    assert run_due() == []  # the paused account is left alone
    SocialAccount.objects.filter(pk=account.pk).update(paused_until=None)
    assert run_due() == ["published"]


def test_an_app_wide_rate_limit_pauses_the_platform(world):
    post = _post(world, platforms=("facebook",))
    world["fake"].fail("facebook", "rate_limit", code=4)
    run_due()
    assert PlatformPause.objects.get(platform="facebook").paused_until > timezone.now()
    make_due_now(post)
    assert run_due() == []


def test_a_dead_token_marks_the_account_and_fails_with_what_to_do(
    world, admin_user, django_capture_on_commit_callbacks
):
    post = _post(world, platforms=("facebook", "x"))
    already_scheduled = _post(world, platforms=("facebook",), caption="Another one, scheduled before the token died")
    PostTarget.objects.filter(post=already_scheduled).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    world["fake"].expire_token("demo-facebook")
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = sorted(run_due())
    assert outcomes == ["error: auth_expired", "published"]
    fb = post.targets.get(account__platform="facebook")
    assert fb.status == "failed" and fb.last_error.endswith(
        "reconnect the account under Social accounts, then press Retry."
    )
    assert fb.last_error.lower().count("reconnect") == 1
    assert SocialAccount.objects.get(pk=fb.account_id).status == "needs_reconnect"
    post.refresh_from_db()
    assert post.status == Post.Status.PARTIALLY_PUBLISHED
    alert = Notification.objects.get(recipient=admin_user, kind="account_reconnect")  # and emailed by its task
    assert alert.title.startswith("Reconnect") and alert.link == "/social-accounts/" and alert.email_status == "pending"
    # Posts already scheduled on that account fail fast when due, without calling the platform ...
    make_due_now(already_scheduled)
    calls = len(world["fake"].ledger(platform="facebook"))
    assert run_due() == ["account not connected"]
    assert already_scheduled.targets.get().status == "failed"
    assert len(world["fake"].ledger(platform="facebook")) == calls
    # ... and new ones cannot be scheduled there until it is reconnected.
    with pytest.raises(PostNotReady, match="Reconnect the account"):
        _post(world, platforms=("facebook",), caption="A third")


def test_content_the_platform_rejects_fails_with_its_reason(world):
    post = _post(world, platforms=("linkedin",))
    world["fake"].fail("linkedin", "duplicate")
    run_due()
    target = post.targets.get()
    assert target.status == "failed" and target.error_kind == "rejected" and target.last_error


def test_a_timeout_after_sending_is_verified_not_resent(world, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.5
    settings.PUBLISH_VERIFY_DELAY_SECONDS = 0
    post = _post(world, platforms=("facebook",))
    world["fake"].fail("facebook", "hang", times=1, seconds=1.5)
    assert run_due() == ["error: unknown_outcome"]
    target = post.targets.get()
    assert target.status == "unconfirmed"
    make_due_now(post)
    assert run_due() == ["published (verified)"]
    target.refresh_from_db()
    assert target.status == "published"
    assert len(world["fake"].ledger(target_id=str(target.pk))) == 1


def test_verification_that_finds_nothing_sends_again_once(world, settings):
    settings.PLATFORM_CONNECT_TIMEOUT = 0.5
    post = _post(world, platforms=("x",))
    target = post.targets.get()
    PostTarget.objects.filter(pk=target.pk).update(
        status="unconfirmed", phase="sending", next_attempt_at=timezone.now()
    )
    assert run_due() == ["not published: rescheduled"]
    assert run_due() == ["published"]
    assert len(world["fake"].ledger(target_id=str(target.pk))) == 1


def test_the_sweeper_recovers_expired_leases(world):
    post = _post(world, platforms=("facebook", "x"))
    claims = engine.claim_due(owner="doomed")
    fb = next(c for c in claims if post.targets.get(pk=c.target_id).account.platform == "facebook")
    # The worker holding the Facebook claim died while sending; the X one never started.
    PostTarget.objects.filter(pk=fb.target_id).update(phase="sending")
    PostTarget.objects.filter(post=post).update(lease_until=timezone.now() - timedelta(seconds=1))
    report = engine.sweep(owner="sweeper-test", dispatch=False)
    assert report["unconfirmed"] == 1 and report["requeued"] == 1
    statuses = dict(post.targets.values_list("account__platform", "status"))
    assert statuses["facebook"] in {"unconfirmed", "publishing"}
    run_due()
    make_due_now(post)
    run_due()
    assert set(post.targets.values_list("status", flat=True)) == {"published"}


def test_publer_holds_the_schedule_and_failures_stay_per_account(world, owner, client_a):
    ok = publer_account(client_a, owner, "facebook", "pub-ok")
    bad = publer_account(client_a, owner, "linkedin", "pub-bad")
    post = approved_post(owner, client_a, [ok, bad])
    world["fake"].fail(
        "publer", "publer_failures", accounts=["pub-bad"], message="The LinkedIn page was disconnected", times=5
    )
    from publishing.services import scheduling

    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=2))
    outcomes = sorted(run_due())
    assert outcomes == ["error: rejected", "scheduled"]
    held = post.targets.get(account=ok)
    assert held.status == "scheduled" and held.remote_state == "scheduled" and held.external_id
    failed = post.targets.get(account=bad)
    assert failed.status == "failed" and "LinkedIn page was disconnected" in failed.last_error
    assert run_due() == []  # Publer holds it: the dispatcher leaves it alone


def test_publish_now_goes_straight_to_the_queue(world, owner, client_a, sync_tasks, django_capture_on_commit_callbacks):
    from publishing.services import scheduling

    post = approved_post(owner, client_a, [world["accounts"]["x"]])
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.post_publish_now(actor=owner, post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert len(world["fake"].ledger(platform="x")) == 1


# The dispatcher's lookahead: reserved ahead of time, sent at the time, never before ----------


def _due_in(post, seconds: float) -> None:
    PostTarget.objects.filter(post=post).update(next_attempt_at=timezone.now() + timedelta(seconds=seconds))


def test_a_target_claimed_ahead_is_sent_at_its_time_not_before(world, settings):
    settings.PUBLISH_LOOKAHEAD_SECONDS = 2
    post = _post(world, platforms=("facebook",))
    _due_in(post, 0.6)
    assert engine.claim_due(owner="early") == []  # not within the lookahead
    claims = engine.claim_due(owner="early", ahead=2)
    target = post.targets.get()
    assert len(claims) == 1 and target.status == "scheduled" and target.lease_owner == claims[0].token
    assert target.attempts == 0  # reserved: no attempt used yet
    assert engine.claim_due(owner="other", ahead=2) == []  # nobody else takes it
    assert engine.publish(claims[0].target_id, claims[0].token) == "published"
    target.refresh_from_db()
    received = world["fake"].ledger(target_id=str(target.pk))[0]["received"]
    assert received >= target.next_attempt_at.timestamp()
    assert target.attempts == 1 and target.status == "published"


def test_a_target_canceled_or_moved_while_reserved_is_let_go(world, settings):
    from publishing.services import scheduling

    settings.PUBLISH_LOOKAHEAD_SECONDS = 2
    canceled, moved = _post(world, platforms=("facebook",)), _post(world, platforms=("x",))
    _due_in(canceled, 0.3)
    _due_in(moved, 0.3)
    claims = engine.claim_due(owner="early", ahead=2)
    assert len(claims) == 2
    scheduling.post_cancel(actor=world["owner"], post=canceled)
    later = timezone.now() + timedelta(hours=1)
    scheduling.post_schedule(actor=world["owner"], post=moved, scheduled_at=later)
    outcomes = {str(c.target_id): engine.publish(c.target_id, c.token) for c in claims}
    assert outcomes == {
        str(canceled.targets.get().pk): "stale claim",
        str(moved.targets.get().pk): "changed while waiting",
    }
    assert world["fake"].ledger() == []
    assert canceled.targets.get().status == "canceled"
    target = moved.targets.get()
    assert (target.status, target.next_attempt_at, target.lease_owner, target.attempts) == ("scheduled", later, "", 0)
