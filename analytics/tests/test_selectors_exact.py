"""The selectors' aggregates (GROUP BY in the database, the covering index, followers from two index
probes per account) against a plain Python recount of the same rows, for random periods, platforms
and time zones over random data: posts whose targets went out on different days (one counts once
per period it touched), figures missing (None, not 0), clients in other zones than the agency's,
accounts with gaps and without follower counts."""

from __future__ import annotations

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest

from agency.models import Client
from analytics import selectors
from analytics.models import FIGURES, INTERACTIONS, AccountMetrics, TargetMetrics
from analytics.tests.factories import account
from publishing.models import Post, PostTarget

pytestmark = pytest.mark.django_db

PLATFORMS = ("facebook", "instagram", "linkedin", "google_business")
ZONES = ("America/Chicago", "Europe/Paris", "Asia/Kolkata", "UTC")
FIRST_DAY = date(2026, 9, 1)
DAYS = 100


@pytest.fixture
def world():
    rnd = random.Random(18)
    clients, accounts = [], []
    for i, zone in enumerate(ZONES):
        client = Client.objects.create(name=f"Exact {i}", slug=f"exact-{i}", timezone=zone)
        clients.append(client)
        for platform in rnd.sample(PLATFORMS, 3):
            accounts.append(account(client, platform))
    for acc in accounts:
        for back in range(DAYS):
            if rnd.random() < 0.3:  # days without a sync
                continue
            count = None if acc.platform == "google_business" or rnd.random() < 0.1 else rnd.randint(100, 9000)
            AccountMetrics.objects.create(
                account=acc, client=acc.client, platform=acc.platform, day=FIRST_DAY + timedelta(days=back),
                followers=count, unavailable={"followers": "a Business Profile has no followers"} if count is None
                else {},
            )  # fmt: skip
    reasons = {
        "facebook": {"saves": "not offered by Facebook"},
        "instagram": {"clicks": "not offered by Instagram"},
        "linkedin": {},
        "google_business": {"reach": "not offered by Google", "likes": "not offered by Google"},
    }
    for n in range(160):
        client = rnd.choice(clients)
        mine = [a for a in accounts if a.client_id == client.pk]
        when = datetime(2026, 9, 1, tzinfo=zoneinfo.ZoneInfo("UTC")) + timedelta(minutes=rnd.randint(0, DAYS * 1440))
        post = Post.objects.create(client=client, status=Post.Status.PUBLISHED, published_at=when, title=f"P{n}")
        for acc in rnd.sample(mine, rnd.randint(1, len(mine))):
            # Most targets go out with the post; some hours or a day or two later (a retry).
            at = when + timedelta(hours=rnd.choice((0, 0, 0, 5, 30, 49)))
            target = PostTarget.objects.create(
                post=post, account=acc, status="published", published_at=at, external_id=f"x-{n}-{acc.pk}"
            )
            figures = {name: rnd.randint(0, 5000) if rnd.random() > 0.15 else None for name in FIGURES[:-1]}
            present = [figures[k] for k in INTERACTIONS if figures[k] is not None]
            TargetMetrics.objects.create(
                target=target, client=client, post=post, platform=acc.platform, published_at=at,
                engagements=sum(present) if present else None, unavailable=reasons[acc.platform], **figures,
            )  # fmt: skip
    return clients


def _sum(values):
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _recount(rows, lo, hi):
    """Totals, distinct posts and per-platform rows of the targets published in [lo, hi)."""
    inside = [r for r in rows if lo <= r.published_at < hi]
    totals = {name: _sum(getattr(r, name) for r in inside) for name in FIGURES}
    platforms = {}
    for p in sorted({r.platform for r in inside}):
        mine = [r for r in inside if r.platform == p]
        platforms[p] = (len({r.post_id for r in mine}), _sum(r.impressions for r in mine),
                        _sum(r.engagements for r in mine))  # fmt: skip
    reasons = {}
    for r in inside:
        for metric, why in r.unavailable.items():
            reasons.setdefault(metric, set()).add(why)
    return totals, len({r.post_id for r in inside}), platforms, {m: sorted(w) for m, w in sorted(reasons.items())}


def _followers(days, start, end):
    """{account id: (first, last)} over the days with a follower count in the period."""
    out = {}
    for d in sorted(days, key=lambda d: d.day):
        if start <= d.day <= end and d.followers is not None:
            first = out.get(d.account_id, (d.followers, None))[0]
            out[d.account_id] = (first, d.followers)
    return out


def _bounds(start, end, tz):
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)


def _periods(rnd, n):
    for _ in range(n):
        start = FIRST_DAY + timedelta(days=rnd.randint(0, DAYS - 10))
        yield start, start + timedelta(days=rnd.randint(0, 45)), rnd.choice((None, None, *PLATFORMS))


def test_agency_figures_equal_a_recount_of_the_rows(world):
    rnd = random.Random(7)
    every = list(TargetMetrics.objects.all())
    days = list(AccountMetrics.objects.all())
    for start, end, platform in _periods(rnd, 12):
        tz = zoneinfo.ZoneInfo(rnd.choice(ZONES))
        rows = [r for r in every if platform is None or r.platform == platform]
        lo, hi = _bounds(start, end, tz)
        p_lo, _ = _bounds(*selectors.previous_period(start, end), tz)
        totals, posts, platforms, reasons = _recount(rows, lo, hi)
        previous, *_ = _recount(rows, p_lo, lo)
        got = selectors.agency_analytics(start=start, end=end, platform=platform, tz=tz)
        case = (start, end, platform, str(tz))
        assert got.totals == totals, case
        assert got.previous == previous, case
        assert got.posts_published == posts, case
        assert {r.platform: (r.posts, r.impressions, r.engagements) for r in got.by_platform} == platforms, case
        assert got.unavailable == reasons, case
        for row in got.clients:
            mine = [r for r in rows if r.client_id == row.client.pk]
            now, n, *_ = _recount(mine, lo, hi)
            was, *_ = _recount(mine, p_lo, lo)
            assert (row.posts, row.impressions, row.engagements, row.previous_engagements) == (
                n, now["impressions"], now["engagements"], was["engagements"]), case  # fmt: skip
        assert {row.client.pk for row in got.clients} == {r.client_id for r in rows if lo <= r.published_at < hi}
        expected = _followers([d for d in days if platform is None or d.platform == platform], start, end)
        growth = sorted(((last - first, a) for a, (first, last) in expected.items()), key=lambda g: -g[0])
        assert [r.change for r in got.grew_most] == [g for g, _ in growth[:10] if g], case
        for r in got.grew_most:
            assert (r.start, r.end) == expected[r.account.pk], case


def test_client_figures_equal_a_recount_of_the_rows(world):
    rnd = random.Random(11)
    every = list(TargetMetrics.objects.all())
    days = list(AccountMetrics.objects.all())
    for start, end, platform in _periods(rnd, 12):
        client = rnd.choice(world)
        rows = [r for r in every if r.client_id == client.pk and (platform is None or r.platform == platform)]
        lo, hi = _bounds(start, end, client.tz)
        p_lo, _ = _bounds(*selectors.previous_period(start, end), client.tz)
        totals, posts, platforms, _ = _recount(rows, lo, hi)
        previous, previous_posts, *_ = _recount(rows, p_lo, lo)
        got = selectors.client_analytics(client=client, start=start, end=end, platform=platform)
        case = (client.name, start, end, platform)
        assert (got.totals, got.posts_published) == (totals, posts), case
        assert (got.previous, got.previous_posts_published) == (previous, previous_posts), case
        assert {r.platform: (r.posts, r.impressions, r.engagements) for r in got.by_platform} == platforms, case
        mine = [d for d in days if d.client_id == client.pk and (platform is None or d.platform == platform)]
        assert {r.account.pk: (r.start, r.end) for r in got.followers} == _followers(mine, start, end), case
