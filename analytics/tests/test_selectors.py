"""The selectors' figures against hand-computed expectations, and their query counts pinned."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest

from agency.models import Campaign, Client
from analytics import selectors
from analytics.tests.factories import account, followers, published

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def data():
    """Client A (Chicago) in November 2026, by hand:

    - post 1, Nov 3 10:00, Facebook: 1000 impressions, 800 reach, 40 likes, 6 comments, 4 shares, 10 clicks
      (engagements 60); Instagram: 500 impressions, 450 reach, 30 likes, 3 comments, 7 saves (40);
    - post 2, Nov 30 23:30 Chicago (Dec 1 05:30 UTC: still November for the client), Facebook only:
      200 impressions, 10 likes (10); in campaign "Spring";
    - post 3, Oct 20 (the previous period for Nov 1-30 is Oct 2-31), Facebook: 100 impressions, 5 likes;
    - post 4, Dec 2: outside; a post of client B in November: never counted;
    - Instagram reports no clicks ("not offered by Instagram"); Facebook no saves.
    """
    a = Client.objects.create(name="Joe's", slug="joes-sel", timezone="America/Chicago")
    b = Client.objects.create(name="Bella", slug="bella-sel")
    fb, ig = account(a, "facebook"), account(a, "instagram")
    spring = Campaign.objects.create(client=a, name="Spring")
    no_saves, no_clicks = {"saves": "not offered by Facebook"}, {"clicks": "not offered by Instagram"}
    p1 = published(
        a, [fb, ig], datetime(2026, 11, 3, 10, tzinfo=CHICAGO),
        {"facebook": {"impressions": 1000, "reach": 800, "likes": 40, "comments": 6, "shares": 4, "clicks": 10},
         "instagram": {"impressions": 500, "reach": 450, "likes": 30, "comments": 3, "saves": 7}},
        {"facebook": no_saves, "instagram": no_clicks}, title="Post 1",
    )  # fmt: skip
    p2 = published(a, [fb], datetime(2026, 11, 30, 23, 30, tzinfo=CHICAGO),
                   {"facebook": {"impressions": 200, "likes": 10}}, {"facebook": no_saves}, title="Post 2",
                   campaign=spring)  # fmt: skip
    published(a, [fb], datetime(2026, 10, 20, 9, tzinfo=CHICAGO), {"facebook": {"impressions": 100, "likes": 5}})
    published(a, [fb], datetime(2026, 12, 2, 9, tzinfo=CHICAGO), {"facebook": {"impressions": 9999, "likes": 999}})
    published(b, [account(b, "facebook")], datetime(2026, 11, 10, 9, tzinfo=CHICAGO),
              {"facebook": {"impressions": 7777, "likes": 777}})  # fmt: skip
    followers(fb, date(2026, 10, 31), 1000)
    followers(fb, date(2026, 11, 1), 1010)
    followers(fb, date(2026, 11, 15), 1030)
    followers(fb, date(2026, 11, 30), 1060)
    followers(ig, date(2026, 11, 5), 500)
    followers(ig, date(2026, 11, 29), 480)
    return {"a": a, "b": b, "fb": fb, "ig": ig, "p1": p1, "p2": p2, "spring": spring}


def test_totals_previous_rate_and_posts(data):
    r = selectors.client_analytics(client=data["a"], start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert r.totals == {"impressions": 1700, "reach": 1250, "likes": 80, "comments": 9, "shares": 4, "saves": 7,
                        "clicks": 10, "views": None, "engagements": 110}  # fmt: skip
    assert r.posts_published == 2 and r.previous_posts_published == 1
    assert r.previous["impressions"] == 100 and r.previous["engagements"] == 5 and r.previous["reach"] is None
    assert r.engagement_rate == pytest.approx(110 / 1700)
    assert r.change("impressions") == pytest.approx(16.0) and r.change("reach") is None
    assert r.unavailable == {"clicks": ["not offered by Instagram"], "saves": ["not offered by Facebook"]}


def test_series_counts_a_post_on_its_local_day(data):
    r = selectors.client_analytics(client=data["a"], start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert len(r.series) == 30
    by_day = {p.day: p for p in r.series}
    assert (by_day[date(2026, 11, 3)].impressions, by_day[date(2026, 11, 3)].engagements) == (1500, 100)
    assert by_day[date(2026, 11, 3)].posts == 1
    assert (by_day[date(2026, 11, 30)].impressions, by_day[date(2026, 11, 30)].posts) == (200, 1)
    assert by_day[date(2026, 11, 4)] == selectors.DayPoint(date(2026, 11, 4), 0, 0, 0)


def test_top_posts_by_platform_and_followers(data):
    r = selectors.client_analytics(client=data["a"], start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert [t.post for t in r.top_posts] == [data["p1"], data["p2"]]
    assert r.top_posts[0].platforms == ["facebook", "instagram"]
    assert (r.top_posts[0].impressions, r.top_posts[0].engagements) == (1500, 100)
    assert r.top_posts[1].rate == pytest.approx(10 / 200)
    assert [(p.platform, p.posts, p.impressions, p.engagements) for p in r.by_platform] == [
        ("facebook", 2, 1200, 70), ("instagram", 1, 500, 40)]  # fmt: skip
    rows = {f.platform: (f.start, f.end, f.change) for f in r.followers}
    assert rows == {"facebook": (1010, 1060, 50), "instagram": (500, 480, -20)}


def test_filters_by_platform_and_campaign(data):
    ig = selectors.client_analytics(client=data["a"], start=date(2026, 11, 1), end=date(2026, 11, 30),
                                    platform="instagram")  # fmt: skip
    assert ig.totals["impressions"] == 500 and ig.posts_published == 1 and [f.platform for f in ig.followers] == [
        "instagram"]  # fmt: skip
    spring = selectors.client_analytics(client=data["a"], start=date(2026, 11, 1), end=date(2026, 11, 30),
                                        campaign=data["spring"])  # fmt: skip
    assert spring.totals["impressions"] == 200 and [t.post for t in spring.top_posts] == [data["p2"]]


def test_nothing_published_is_none_not_zero(data):
    r = selectors.client_analytics(client=data["b"], start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert set(r.totals.values()) == {None} and r.engagement_rate is None and r.top_posts == []


def test_agency_wide_clients_by_engagement(data):
    r = selectors.agency_analytics(start=date(2026, 11, 1), end=date(2026, 11, 30), tz=CHICAGO)
    assert [(c.client.name, c.engagements, c.previous_engagements) for c in r.clients] == [
        ("Bella", 777, None), ("Joe's", 110, 5)]  # fmt: skip
    assert r.clients[1].change == pytest.approx(21.0)
    assert r.totals["impressions"] == 1700 + 7777
    assert r.grew_most[0].change == 50


def test_best_slots_from_the_client_s_own_history(data):
    a, fb = data["a"], data["fb"]
    for day, likes in ((2, 30), (9, 50), (16, 10)):  # three Mondays of November at 09:00 Chicago
        published(
            a, [fb], datetime(2026, 11, day, 9, tzinfo=CHICAGO), {"facebook": {"impressions": 100, "likes": likes}}
        )
    slots = selectors.best_slots(a, today=date(2026, 11, 30))
    assert slots[0] == selectors.Slot(weekday=0, hour=9, score=30.0, posts=3)
    assert all(s.posts >= 2 for s in slots)


def test_post_metrics_with_history(data):
    from analytics.models import MetricSnapshot, TargetMetrics

    row = TargetMetrics.objects.get(target__post=data["p1"], platform="facebook")
    MetricSnapshot.objects.create(target=row.target, taken_at=datetime(2026, 11, 3, 17, tzinfo=CHICAGO), step=0,
                                  impressions=300)  # fmt: skip
    rows = selectors.post_metrics(data["p1"])
    assert [r.platform for r in rows] == ["facebook", "instagram"]
    assert rows[0].figures["impressions"] == 1000 and rows[0].unavailable == {"saves": "not offered by Facebook"}
    assert [h.figures["impressions"] for h in rows[0].history] == [300] and rows[1].history == []


def test_query_counts_are_pinned(data, django_assert_num_queries):
    a, fb, ig = data["a"], data["fb"], data["ig"]
    # totals with previous, 2× unavailable, followers, series, top posts (ranking, posts, platforms,
    # pictures: own media, a target's for posts without, the files), by platform, best slots
    QUERIES = 12
    with django_assert_num_queries(QUERIES):
        selectors.client_analytics(client=a, start=date(2026, 11, 1), end=date(2026, 11, 30))
    for day in range(5, 25):  # many more posts and accounts: the same number of queries
        published(a, [fb, ig], datetime(2026, 11, day, 12, tzinfo=CHICAGO),
                  {"facebook": {"impressions": 10 * day}, "instagram": {"impressions": day}})  # fmt: skip
    followers(account(a, "x"), date(2026, 11, 2), 10)
    with django_assert_num_queries(QUERIES):
        selectors.client_analytics(client=a, start=date(2026, 11, 1), end=date(2026, 11, 30))
    with django_assert_num_queries(2):
        selectors.post_metrics(data["p1"])


def test_the_agency_query_count_is_pinned(data, django_assert_num_queries):
    # per client over both periods, the clients' names, by platform, followers, unavailable
    period = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}
    with django_assert_num_queries(5):
        selectors.agency_analytics(**period)
    b = Client.objects.create(name="Third", slug="third-sel")
    for day in range(5, 25):  # more clients, posts and accounts: the same number
        published(b, [account(b, "linkedin", f"L{day}")], datetime(2026, 11, day, 12, tzinfo=CHICAGO),
                  {"linkedin": {"impressions": day}})  # fmt: skip
    followers(account(b, "x"), date(2026, 11, 2), 10)
    with django_assert_num_queries(5):
        selectors.agency_analytics(**period)
