"""The dashboard: the month's usage (client's time zone, submitted, canceled/rejected not counted),
figures by status, platforms; and a fixed number of queries however many posts there are."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from portal import selectors
from publishing.models import Post
from publishing.states import PostStatus as P
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


def _post(client, status, submitted_at=None, **kw) -> Post:
    return Post.objects.create(client=client, caption=f"{status} post", status=status, submitted_at=submitted_at, **kw)


def test_the_month_is_the_client_s_calendar_month(client_a):
    client_a.timezone = "America/Los_Angeles"
    client_a.save()
    zone = ZoneInfo("America/Los_Angeles")
    # 23:30 on 31 October in Los Angeles is already November in UTC: it counts for October there.
    _post(client_a, P.PENDING_APPROVAL, datetime(2026, 10, 31, 23, 30, tzinfo=zone))
    _post(client_a, P.SCHEDULED, datetime(2026, 11, 1, 0, 30, tzinfo=zone))
    _post(client_a, P.PUBLISHED, datetime(2026, 11, 20, 12, 0, tzinfo=zone))
    _post(client_a, P.CANCELED, datetime(2026, 11, 2, tzinfo=zone))  # does not count
    _post(client_a, P.REJECTED, datetime(2026, 11, 3, tzinfo=zone))  # does not count
    _post(client_a, P.DRAFT)  # never submitted: does not count
    with time_machine.travel(datetime(2026, 11, 22, 10, tzinfo=zone), tick=False):
        quota = selectors.quota(client_a)
    assert (quota.used, quota.limit, quota.remaining) == (2, 8, 6)
    assert quota.resets_at == datetime(2026, 12, 1, tzinfo=zone)
    assert quota.month_label == "November 2026"
    with time_machine.travel(datetime(2026, 10, 31, 23, 50, tzinfo=zone), tick=False):
        assert selectors.quota(client_a).used == 1


def test_stats_agree_with_the_quota_and_leave_drafts_out(client_a, client_b, owner):
    accounts_for(client_a, owner, platforms=("facebook", "instagram"))
    now = timezone.now()
    for status in [P.SCHEDULED, P.SCHEDULED, P.PENDING_APPROVAL, P.CHANGES_REQUESTED, P.PENDING_CLIENT_APPROVAL,
                   P.PUBLISHED, P.REJECTED]:  # fmt: skip
        _post(client_a, status, now, published_at=now if status == P.PUBLISHED else None)
    _post(client_a, P.DRAFT)
    _post(client_b, P.SCHEDULED, now)  # another client's: never in A's figures
    stats = selectors.stats(client_a)
    assert stats.posts_total == 7
    assert stats.posts_this_month == selectors.quota(client_a).used == 6
    assert (stats.scheduled, stats.waiting_for_agency, stats.waiting_for_you) == (2, 2, 1)
    assert stats.published_this_month == 1
    assert stats.by_status == {  # by code, every status the client sees (seed 002), zeros included
        "pending_approval": 1, "changes_requested": 1, "pending_client_approval": 1, "approved": 0, "scheduled": 2,
        "publishing": 0, "published": 1, "partially_published": 0, "failed": 0, "canceled": 0, "rejected": 1,
    }  # fmt: skip
    assert ("With the team", 1) in stats.by_status_shown and ("Failed", 0) not in stats.by_status_shown
    assert ("Waiting for you", 1) in stats.by_status_shown  # the client's words for who is waiting
    assert [p["platform"] for p in stats.platforms] == ["facebook", "instagram"] and stats.accounts == 2


def test_the_dashboard_shows_the_meter_and_what_is_next(client_a, joe, portal_as, owner):
    accounts = accounts_for(client_a, owner, platforms=("facebook",))
    post = _post(client_a, P.SCHEDULED, timezone.now(), scheduled_at=timezone.now() + timedelta(days=1))
    post.targets.create(account=accounts["facebook"], status="scheduled")
    page = portal_as(client_a, joe).get("/").content.decode()
    assert "1 of 8 posts used in" in page and "7 remaining" in page
    assert 'role="meter"' in page and 'aria-valuenow="1"' in page
    assert "scheduled post" in page  # the next scheduled post is listed
    assert "Facebook" in page


def test_the_dashboard_stays_at_a_fixed_number_of_queries_with_5000_posts(
    client_a, joe, portal_as, owner, django_assert_max_num_queries
):
    accounts = accounts_for(client_a, owner, platforms=("facebook", "instagram"))
    now = timezone.now()
    statuses = [P.SCHEDULED, P.PUBLISHED, P.PENDING_APPROVAL, P.CANCELED, P.PENDING_CLIENT_APPROVAL]
    posts = Post.objects.bulk_create(
        Post(client=client_a, caption=f"post {i}", status=statuses[i % 5], submitted_at=now - timedelta(days=i % 40),
             scheduled_at=now + timedelta(hours=i + 1))
        for i in range(5000)
    )  # fmt: skip
    from publishing.models import PostTarget

    PostTarget.objects.bulk_create(
        PostTarget(post=p, account=accounts["facebook" if i % 2 else "instagram"], status="scheduled")
        for i, p in enumerate(posts[:500])
    )
    browser = portal_as(client_a, joe)
    browser.get("/")  # warm the session
    with django_assert_max_num_queries(18):  # 16 + each target's own media and their renditions
        response = browser.get("/")
    assert response.status_code == 200
    assert "1000" in response.content.decode()  # 1000 scheduled


def test_the_meter_says_which_posts_count_the_agencys_and_the_clients(client_a, joe, portal_as, owner):
    now = timezone.now()
    for _ in range(4):
        _post(client_a, P.SCHEDULED, now, created_by=owner)  # the agency's
    _post(client_a, P.PENDING_APPROVAL, now, created_by=joe.user, source=Post.Source.PORTAL)
    _post(client_a, P.PENDING_APPROVAL, now, created_by=joe.user, source=Post.Source.API)  # the client API
    _post(client_a, P.REJECTED, now, created_by=joe.user)  # gave its place back
    quota = selectors.quota(client_a)
    assert (quota.used, quota.by_agency, quota.by_client, quota.limit) == (6, 4, 2, 8)
    assert selectors.stats(client_a).quota == quota
    page = portal_as(client_a, joe).get("/").content.decode()
    assert "6 of 8 posts used in" in page and "4 by the agency, 2 by you" in page
    assert "the ones the team makes for you and the ones you submit both count" in page
    submit = portal_as(client_a, joe).get("/submit/").content.decode()
    assert "2 of 8 posts left in" in submit and "(6 used: 4 by the agency, 2 by you)" in submit


def test_the_portal_wears_the_clients_brand_colours(client_a, joe, portal_as):
    from localbzz.theme import portal_theme

    client_a.brand_colors = ["#F4F1E8", "#2F6B3A"]  # a light cream first: unreadable as an accent
    client_a.save()
    page = portal_as(client_a, joe).get("/")
    html = page.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"].split("style-src")[1]).group(1)
    assert f'<style nonce="{nonce}">:root {{ --brand: #f4f1e8; --brand-ink: #1c2230; --accent: #2f6b3a;' in html
    assert 'style="' not in html  # still no inline style attributes
    assert portal_theme(["#FFFFFF", "#EEEEEE"]) == {"--brand": "#ffffff", "--brand-ink": "#1c2230"}  # no accent
    assert portal_theme(["nonsense;}body{display:none"]) is None and portal_theme([]) is None
    client_a.brand_colors = []
    client_a.save()
    assert "<style" not in portal_as(client_a, joe).get("/").content.decode()
