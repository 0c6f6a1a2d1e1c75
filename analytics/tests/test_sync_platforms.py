"""Per platform, against the fake platforms over real HTTP: a post publishes, the first sync
records its figures, a later sync records grown figures, a missing permission shows as unavailable
(never as 0), and the account's followers are read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import AccountMetrics, MetricSnapshot, TargetMetrics
from analytics.services import sync
from analytics.tests.platforms import age, publish
from publishing.tests.posting import accounts_for, publer_account

pytestmark = pytest.mark.django_db

# platform → (figures it must report, figures it must say are unavailable, the permission a token may lack)
EXPECTED = {
    "facebook": (("impressions", "reach", "likes", "comments", "clicks"), ("saves",), "read_insights"),
    "instagram": (("impressions", "reach", "likes", "comments", "saves", "views"), ("clicks",),
                  "instagram_manage_insights"),
    "linkedin": (("impressions", "reach", "likes", "comments", "clicks"), ("saves", "views"), "rw_organization_admin"),
    "x": (("impressions", "likes", "comments", "saves"), ("reach", "clicks"), "tweet.read"),
    "google_business": (("impressions", "views", "clicks"), ("likes", "reach"), "business.manage"),
    "publer": (("reach", "likes", "comments", "saves", "clicks"), ("impressions",), "analytics"),
}  # fmt: skip


@pytest.fixture
def world(fake_platforms, owner, client_a, settings):
    settings.PUBLISH_BACKOFF_BASE_SECONDS = 0.01
    accounts = accounts_for(client_a, owner)
    accounts["publer"] = publer_account(client_a, owner, "facebook", "ws-1-facebook")
    return {"accounts": accounts, "client": client_a, "owner": owner, "fake": fake_platforms}


def _token(platform: str) -> str:
    return "demo-publer-key" if platform == "publer" else f"demo-{platform}"


@pytest.mark.parametrize("platform", list(EXPECTED))
def test_figures_arrive_with_the_first_sync_and_grow(world, platform):
    given, missing, _ = EXPECTED[platform]
    target = publish(world["owner"], world["client"], world["accounts"][platform], world["fake"])
    published = age(world["fake"], target, 3600 + 60)

    first = sync.sync_due(now=published + timedelta(hours=1, minutes=1))
    assert first.enrolled == 1 and first.synced == 1, first
    row = TargetMetrics.objects.get(target=target)
    for name in given:
        assert getattr(row, name) is not None, (name, row.figures(), row.unavailable)
    assert row.impressions or row.reach
    for name in missing:
        assert getattr(row, name) is None and row.unavailable[name], (name, row.unavailable)
    assert row.engagements == sum(getattr(row, n) or 0 for n in ("likes", "comments", "shares", "saves", "clicks"))
    assert row.sync_step == 1 and row.next_sync_at == published + timedelta(hours=6)
    before = row.figures()

    age(world["fake"], target, 23 * 3600)  # a day old now
    row.refresh_from_db()
    second = sync.sync_due(now=row.published_at + timedelta(hours=24, minutes=1))
    assert second.synced == 1, second
    row.refresh_from_db()
    for name in given:
        assert getattr(row, name) > 0 and getattr(row, name) >= before[name], (name, before, row.figures())
    assert (row.impressions or row.reach) > (before["impressions"] or before["reach"])
    assert row.engagements > before["engagements"]
    # The 6 h step passed while nothing ran: the sync took the 24 h step, once.
    assert sorted(MetricSnapshot.objects.filter(target=target).values_list("step", flat=True)) == [0, 2]
    assert row.sync_step == 3 and row.next_sync_at == row.published_at + timedelta(days=3)

    # Run again at the same moment: nothing is due, no second snapshot for a step.
    assert sync.sync_due(now=row.published_at + timedelta(hours=24, minutes=2)).synced == 0
    assert MetricSnapshot.objects.filter(target=target).count() == 2


@pytest.mark.parametrize("platform", list(EXPECTED))
def test_a_missing_permission_is_unavailable_never_zero(world, platform):
    given, _, permission = EXPECTED[platform]
    target = publish(world["owner"], world["client"], world["accounts"][platform], world["fake"])
    published = age(world["fake"], target, 3600 + 60)
    fake_platform = {"publer": "publer", "instagram": "facebook"}.get(platform, platform)
    world["fake"].register_token(_token(platform), fake_platform, missing=[permission])

    report = sync.sync_due(now=published + timedelta(hours=1, minutes=1))
    assert report.synced == 1 and report.unavailable == 1, report
    row = TargetMetrics.objects.get(target=target)
    refused = [n for n in given if getattr(row, n) is None]
    assert refused, row.figures()
    for name in refused:
        assert permission in row.unavailable[name] or "plan" in row.unavailable[name], row.unavailable
    assert 0 not in [getattr(row, n) for n in refused]


@pytest.mark.parametrize("platform", ["facebook", "instagram", "linkedin", "x"])
def test_followers_are_read_once_a_day_and_grow(world, platform):
    account = world["accounts"][platform]
    # noon in the account's own zone, so "30 minutes later" is the same day whenever the suite runs
    now = timezone.now().astimezone(account.tz).replace(hour=12, minute=0, second=0, microsecond=0)
    sync.sync_accounts(now=now)
    row = AccountMetrics.objects.get(account=account)
    assert row.followers and row.followers > 100 and row.unavailable == {}
    sync.sync_accounts(now=now + timedelta(minutes=30))  # same day: not read again
    assert AccountMetrics.objects.filter(account=account).count() == 1


def test_google_business_reports_location_figures_and_no_followers(world):
    account = world["accounts"]["google_business"]
    sync.sync_accounts()
    rows = list(AccountMetrics.objects.filter(account=account).order_by("day"))
    assert len(rows) >= 7
    today = rows[-1]
    assert today.followers is None and "no followers" in today.unavailable["followers"]
    past = rows[-2].extras
    assert set(past) == {"views", "calls", "website_clicks", "direction_requests"} and past["views"] > 0


def test_a_deleted_post_stops_its_ladder_and_keeps_what_was_read(world):
    target = publish(world["owner"], world["client"], world["accounts"]["x"], world["fake"])
    published = age(world["fake"], target, 3600 + 60)
    sync.sync_due(now=published + timedelta(hours=1, minutes=1))
    kept = TargetMetrics.objects.get(target=target).impressions
    with world["fake"].lock:
        world["fake"].entries[:] = [e for e in world["fake"].entries if e["external_id"] != target.external_id]
    report = sync.sync_due(now=published + timedelta(hours=6, minutes=1))
    assert report.missing == 1
    row = TargetMetrics.objects.get(target=target)
    assert row.impressions == kept and row.next_sync_at is None and "no longer" in row.last_error


def test_a_rate_limit_pauses_the_account_and_leaves_the_posts_due(world):
    target = publish(world["owner"], world["client"], world["accounts"]["facebook"], world["fake"])
    published = age(world["fake"], target, 3600 + 60)
    world["fake"].fail("facebook", "rate_limit", "insights", minutes=5)
    now = published + timedelta(hours=1, minutes=1)
    report = sync.sync_due(now=now)
    assert report.paused == 1 and report.synced == 0
    row = TargetMetrics.objects.get(target=target)
    assert row.next_sync_at > now and row.impressions is None and "Rate limited" in row.last_error
    world["accounts"]["facebook"].refresh_from_db()
    assert world["accounts"]["facebook"].paused_until is not None
    assert MetricSnapshot.objects.filter(target=target).count() == 0


def test_refresh_now_reads_at_once_and_keeps_the_ladder(world):
    target = publish(world["owner"], world["client"], world["accounts"]["linkedin"], world["fake"])
    report = sync.refresh_post(target.post)
    assert report.synced == 1
    row = TargetMetrics.objects.get(target=target)
    assert row.sync_step == 0 and row.next_sync_at == row.published_at + timedelta(hours=1)
    assert MetricSnapshot.objects.get(target=target).step == sync.MANUAL_STEP
    with pytest.raises(sync.RefreshTooSoon):
        sync.refresh_post(target.post)


def test_a_backlog_drains_batch_after_batch_in_one_run(world):
    targets = [
        publish(world["owner"], world["client"], world["accounts"]["x"], world["fake"], caption=f"Post {i}")
        for i in range(5)
    ]
    moments = [age(world["fake"], t, 3 * 86400) for t in targets]
    report = sync.sync_due(now=max(moments) + timedelta(days=3, minutes=1), batch=2)
    assert report.synced == 5 and report.enrolled == 5
    assert set(MetricSnapshot.objects.values_list("step", flat=True)) == {3}  # the 3 d step, once each


def test_paused_accounts_wait_and_a_dead_token_marks_the_account(world):
    facebook, x = world["accounts"]["facebook"], world["accounts"]["x"]
    paused = publish(world["owner"], world["client"], facebook, world["fake"])
    dead = publish(world["owner"], world["client"], x, world["fake"], caption="X post")
    moment = max(age(world["fake"], paused, 3660), age(world["fake"], dead, 3660)) + timedelta(hours=1, minutes=2)
    facebook.paused_until = moment + timedelta(minutes=10)
    facebook.save(update_fields=["paused_until"])
    world["fake"].expire_token("demo-x")
    report = sync.sync_due(now=moment)
    assert report.synced == 0 and report.failed == 1
    untouched = TargetMetrics.objects.get(target=paused)
    assert untouched.synced_at is None and untouched.next_sync_at <= moment  # still due, not taken
    x.refresh_from_db()
    assert x.status == "needs_reconnect"
    assert "reconnect" in TargetMetrics.objects.get(target=dead).last_error


def test_the_schedules_run_the_sync(world):
    from django_q.models import Schedule

    from analytics import tasks

    funcs = dict(Schedule.objects.filter(name__startswith="analytics.").values_list("name", "func"))
    assert funcs == {"analytics.sync_posts": "analytics.tasks.sync_posts",
                     "analytics.sync_accounts": "analytics.tasks.sync_accounts"}  # fmt: skip
    publish(world["owner"], world["client"], world["accounts"]["linkedin"], world["fake"])
    assert tasks.sync_posts()["enrolled"] == 1  # published just now: enrolled, due in an hour
    assert tasks.sync_accounts()["synced"] == len(world["accounts"])


def test_refresh_now_leaves_a_rate_limited_account_alone(world):
    account = world["accounts"]["facebook"]
    target = publish(world["owner"], world["client"], account, world["fake"])
    account.paused_until = timezone.now() + timedelta(minutes=5)
    account.save(update_fields=["paused_until"])
    with pytest.raises(sync.RefreshTooSoon, match="rate limit"):
        sync.refresh_post(target.post)
    assert MetricSnapshot.objects.filter(target=target).count() == 0
    assert TargetMetrics.objects.get(target=target).synced_at is None
