"""The content calendar's cells: each day's first posts and "+N more" come from SQL (a window over
each post's local day in its client's zone), at a fixed number of queries whatever the month holds,
and say the same as placing every post in Python would (issue 14)."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, timedelta

import pytest

from agency.models import Client
from publishing import selectors
from publishing.models import Post, PostTarget
from publishing.tests.posting import accounts_for
from publishing.views.posts.calendar import PER_DAY

NEW_YORK, KOLKATA = zoneinfo.ZoneInfo("America/New_York"), zoneinfo.ZoneInfo("Asia/Kolkata")
DAY = date(2026, 11, 1)  # New York leaves summer time at 02:00 that night


def at(zone, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


@pytest.fixture
def busy(owner):
    """Two clients whose days straddle UTC's: 23:30 in New York is the next day in UTC, 00:15 in
    Kolkata the day before. Every other post goes to X as well as Facebook."""
    ny = Client.objects.create(name="Hudson Deli", slug="hudson-deli", timezone="America/New_York")
    kol = Client.objects.create(name="Chai Corner", slug="chai-corner", timezone="Asia/Kolkata")
    accounts = {c.pk: accounts_for(c, owner, ("facebook", "x")) for c in (ny, kol)}
    times = [
        (ny, at(NEW_YORK, DAY - timedelta(days=1), 23, 30)),  # 03:30 UTC on the 1st: the 31st
        *((ny, at(NEW_YORK, DAY, h, m)) for h, m in [(23, 30), (0, 30), (7, 0), (9, 0), (12, 0), (18, 0)]),
        (ny, at(NEW_YORK, DAY + timedelta(days=1), 0, 15)),
        (kol, at(KOLKATA, DAY, 0, 15)),  # 18:45 UTC on the 31st: the 1st
        *((kol, at(KOLKATA, DAY, h, m)) for h, m in [(8, 0), (10, 30), (11, 0), (13, 0), (15, 0)]),
        (kol, at(KOLKATA, DAY, 23, 30)),
        (kol, at(KOLKATA, DAY + timedelta(days=1), 0, 15)),
    ]
    posts = []
    for i, (client, when) in enumerate(times):
        post = Post.objects.create(client=client, title=f"P{i:02d}", status="scheduled", scheduled_at=when)
        platforms = ("facebook", "x") if i % 2 else ("facebook",)
        PostTarget.objects.bulk_create(PostTarget(post=post, account=accounts[client.pk][p]) for p in platforms)
        posts.append(post)
    return {"ny": ny, "kol": kol, "posts": posts}


def placed_in_python(posts, per_day: int) -> dict[date, tuple[list[str], int]]:
    """The reference: every post on its client's local day, in time order, the first ``per_day`` shown."""
    by_day: dict[date, list[Post]] = {}
    for p in sorted(posts, key=lambda p: (p.scheduled_at, p.pk)):
        by_day.setdefault(p.scheduled_at.astimezone(p.client.tz).date(), []).append(p)
    return {d: ([p.title for p in ps[:per_day]], max(len(ps) - per_day, 0)) for d, ps in by_day.items()}


def cells(per_day: int, **filters) -> dict[date, tuple[list[str], int]]:
    start, end = at(zoneinfo.ZoneInfo("UTC"), date(2026, 10, 26), 0), at(zoneinfo.ZoneInfo("UTC"), date(2026, 12, 7), 0)
    found = selectors.calendar_posts(start, end, per_day=per_day, **filters)
    return {d: ([p.title for p in cell.posts], cell.more) for d, cell in found.items()}


@pytest.mark.parametrize("per_day", [1, PER_DAY["month"], PER_DAY["week"]])
def test_cells_are_each_post_on_its_client_s_local_day(busy, per_day):
    got = cells(per_day)
    assert got == placed_in_python(busy["posts"], per_day)
    assert sum(len(shown) + more for shown, more in got.values()) == len(busy["posts"])
    if per_day == PER_DAY["month"]:
        assert got[DAY] == (["P08", "P09", "P02", "P10"], 9)  # Kolkata's 00:15 first: 18:45 UTC the day before
        assert got[DAY - timedelta(days=1)] == (["P00"], 0) and got[DAY + timedelta(days=1)] == (["P15", "P07"], 0)


def test_filters_apply_to_the_counts_and_the_posts(busy):
    ny_posts = [p for p in busy["posts"] if p.client == busy["ny"]]
    assert cells(PER_DAY["month"], client_id=busy["ny"].pk) == placed_in_python(ny_posts, PER_DAY["month"])
    on_x = [p for i, p in enumerate(busy["posts"]) if i % 2]
    assert cells(PER_DAY["month"], platform="x") == placed_in_python(on_x, PER_DAY["month"])
    kol_on_x = [p for p in on_x if p.client == busy["kol"]]
    assert cells(2, client_id=busy["kol"].pk, platform="x") == placed_in_python(kol_on_x, 2)


def test_the_page_shows_the_day_s_first_posts_and_how_many_more(client, owner, busy):
    client.force_login(owner)
    html = client.get(f"/content/?date={DAY.isoformat()}").content.decode()
    cell = re.search(rf'data-date="{DAY.isoformat()}">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"P\d\d", cell) == ["P08", "P09", "P02", "P10"] and "+9 more</a>" in cell
    assert 'title="00:15 IST — Chai Corner (Scheduled)"' in cell and 'title="00:30 EDT — Hudson Deli' in cell
    week = client.get(f"/content/?view=week&date={DAY.isoformat()}&client={busy['ny'].pk}").content.decode()
    cell = re.search(rf'data-date="{DAY.isoformat()}">(.*?)</div>', week, re.S).group(1)
    assert re.findall(r"P\d\d", cell) == ["P02", "P03", "P04", "P05", "P06", "P01"] and "more</a>" not in cell
    assert 'title="23:30 EST — Hudson Deli' in cell  # after the clocks went back


# A miss: the person, the posts waiting, the cells (the days' first posts with their place and
# their day's count, then their platforms and their first thumbnails), the client select, and the
# sidebar (three counts and the person's timer).
QUERIES = {"month": 10, "week": 10}


@pytest.mark.parametrize("view", ["month", "week"])
def test_a_calendar_costs_the_same_queries_however_full_its_days(
    client, owner, busy, view, django_assert_num_queries, settings
):
    settings.DATACACHE = False  # every view is a miss
    client.force_login(owner)
    path = f"/content/?view={view}&date={DAY.isoformat()}"
    client.get(path)  # the session and the person read once, like any page after the first
    with django_assert_num_queries(QUERIES[view]):
        client.get(path)
    Post.objects.bulk_create(
        Post(client=busy["kol"], title=f"More {i}", status="scheduled", scheduled_at=at(KOLKATA, DAY, 14, i))
        for i in range(40)
    )
    with django_assert_num_queries(QUERIES[view]):
        html = client.get(path).content.decode()
    assert "+49 more" in html if view == "month" else "+41 more" in html
