"""Scheduled posts on the portal: list and calendar in the client's time zone, reschedule (here
and in Publer, remote first), and approvals where the client approves too."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publishing.models import Post
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.states import PostStatus as P
from publishing.tests.posting import accounts_for, approved_post, publer_account, run_due

pytestmark = pytest.mark.django_db


def _local(client, days: int, hour: int) -> datetime:
    day = timezone.localdate(timezone=client.tz) + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=client.tz)


@pytest.fixture
def scheduled(client_a, owner):
    client_a.timezone = "America/Chicago"
    client_a.save()
    accounts = accounts_for(client_a, owner, platforms=("facebook", "linkedin"))
    post = approved_post(owner, client_a, accounts.values(), caption="Patio season is here")
    return scheduling.post_schedule(actor=owner, post=post, scheduled_at=_local(client_a, 2, 9))


def test_the_list_shows_time_platforms_and_whether_it_can_move(client_a, joe, portal_as, scheduled):
    page = portal_as(client_a, joe).get("/posts/").content.decode()
    assert "Patio season is here" in page
    assert scheduled.scheduled_at.astimezone(client_a.tz).strftime("%a %-d %b, 09:00") in page  # client's zone
    assert "Facebook" in page and "LinkedIn" in page and "can be moved" in page
    detail = portal_as(client_a, joe).get(f"/posts/{scheduled.pk}/").content.decode()
    assert "Move post" in detail and "America/Chicago" in detail


def test_the_calendar_puts_posts_on_the_client_s_local_day(client_a, joe, portal_as, owner):
    client_a.timezone = "Pacific/Auckland"  # far from UTC: a UTC day would be wrong
    client_a.save()
    accounts = accounts_for(client_a, owner, platforms=("facebook",))
    post = approved_post(owner, client_a, accounts.values(), caption="Early bird post")
    when = _local(client_a, 3, 6)
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)
    page = portal_as(client_a, joe).get(f"/posts/?view=week&date={when.date().isoformat()}").content.decode()
    day_cell = page.split(f'<span class="num">{when.day}</span>', 1)[1].split('role="gridcell"', 1)[0]
    assert "06:00" in day_cell and "Early bird post" in day_cell


def test_the_calendar_shows_each_post_s_platforms_at_a_fixed_number_of_queries(
    client_a, joe, portal_as, owner, settings, django_assert_num_queries
):
    settings.DATACACHE = False  # every view builds the calendar
    accounts = accounts_for(client_a, owner, platforms=("linkedin", "facebook"))
    post = approved_post(owner, client_a, accounts.values(), caption="Two networks")
    when = _local(client_a, 3, 10)
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)
    portal = portal_as(client_a, joe)
    path = f"/posts/?view=month&date={when.date().isoformat()}"
    page = portal.get(path).content.decode()
    chip = page.split('<span class="small">Two networks', 1)[0].rsplit('<a class="cal-item', 1)[1]
    assert chip.index('alt="Facebook"') < chip.index('alt="LinkedIn"')  # platforms in a stable order
    with CaptureQueriesContext(connection) as one:
        portal.get(path)
    for i in range(5):
        more = approved_post(owner, client_a, accounts.values(), caption=f"More {i}")
        scheduling.post_schedule(actor=owner, post=more, scheduled_at=when + timedelta(minutes=i + 1))
    with django_assert_num_queries(len(one)):  # the posts, then their platforms: two whatever the month holds
        page = portal.get(path).content.decode()
    assert page.count('alt="LinkedIn"') >= 6


def test_a_client_moves_a_scheduled_post_on_every_account(client_a, joe, portal_as, scheduled):
    new_time = _local(client_a, 4, 15)
    response = portal_as(client_a, joe).post(
        f"/posts/{scheduled.pk}/reschedule", {"scheduled_at": new_time.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.scheduled_at == new_time and scheduled.status == P.SCHEDULED
    assert {t.scheduled_at for t in scheduled.targets.all()} == {new_time}
    assert {t.next_attempt_at for t in scheduled.targets.all()} == {new_time}


def test_a_time_too_soon_or_past_is_refused_with_a_reason(client_a, joe, portal_as, scheduled):
    before = scheduled.scheduled_at
    for when in (timezone.now() - timedelta(hours=1), timezone.now() + timedelta(minutes=2)):
        response = portal_as(client_a, joe).post(
            f"/posts/{scheduled.pk}/reschedule",
            {"scheduled_at": when.astimezone(client_a.tz).strftime("%Y-%m-%dT%H:%M")},
        )
        assert response.status_code == 200 and "at least five minutes from now" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.scheduled_at == before


@pytest.mark.parametrize("status", [P.PENDING_APPROVAL, P.APPROVED, P.PUBLISHED, P.CANCELED])
def test_only_posts_the_agency_scheduled_can_be_moved(client_a, joe, portal_as, owner, status):
    post = Post.objects.create(
        client=client_a, caption="Not movable", status=status, scheduled_at=_local(client_a, 2, 9)
    )
    before = post.scheduled_at
    response = portal_as(client_a, joe).post(
        f"/posts/{post.pk}/reschedule", {"scheduled_at": _local(client_a, 5, 10).strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 200
    assert "cannot be moved" in response.content.decode() or "can be moved" in response.content.decode()
    post.refresh_from_db()
    assert post.scheduled_at == before and post.status == status


def test_a_post_held_by_publer_moves_there_first(client_a, joe, portal_as, owner, fake_platforms):
    account = publer_account(client_a, owner, "facebook", "pub-1")
    post = approved_post(owner, client_a, [account], caption="Through Publer")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=3))
    assert run_due() == ["scheduled"]  # handed to Publer, which now holds the schedule
    new_time = _local(client_a, 6, 11)
    response = portal_as(client_a, joe).post(
        f"/posts/{post.pk}/reschedule", {"scheduled_at": new_time.astimezone(client_a.tz).strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    target = post.targets.get()
    held = [e for e in fake_platforms.ledger(platform="publer") if e["state"] == "scheduled"]
    assert len(held) == 1 and held[0]["external_id"] == target.external_id
    assert datetime.fromisoformat(held[0]["scheduled_at"]) == new_time
    assert target.scheduled_at == new_time


def test_when_publer_refuses_nothing_changes_and_the_client_is_told_why(
    client_a, joe, portal_as, owner, fake_platforms
):
    account = publer_account(client_a, owner, "facebook", "pub-1")
    post = approved_post(owner, client_a, [account], caption="Through Publer")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=3))
    run_due()
    before = post.targets.get()
    fake_platforms.fail("publer", "error", times=10, status=422, message="The account is being reviewed by Publer")
    response = portal_as(client_a, joe).post(
        f"/posts/{post.pk}/reschedule", {"scheduled_at": _local(client_a, 6, 11).strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 200
    assert "Publer refused to move the post" in response.content.decode()
    post.refresh_from_db()
    after = post.targets.get()
    assert (post.scheduled_at, after.scheduled_at, after.external_id) == (
        before.scheduled_at, before.scheduled_at, before.external_id,
    )  # fmt: skip


# Approvals -----------------------------------------------------------------------------------


@pytest.fixture
def waiting(client_a, owner):
    client_a.requires_client_approval = True
    client_a.save()
    accounts = accounts_for(client_a, owner, platforms=("facebook",))
    post = post_services.post_create(actor=owner, client=client_a, caption="Needs Joe's OK", accounts=accounts.values())
    return post_services.post_approve(actor=owner, post=post, scheduled_at=_local(client_a, 3, 10))


def test_a_client_approves_a_post_waiting_for_it_and_it_is_scheduled(client_a, joe, portal_as, waiting):
    assert waiting.status == P.PENDING_CLIENT_APPROVAL
    browser = portal_as(client_a, joe)
    page = browser.get("/approvals/").content.decode()
    assert "Needs Joe&#x27;s OK" in page or "Needs Joe's OK" in page
    assert browser.post(f"/posts/{waiting.pk}/decide", {"decision": "approve"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == P.SCHEDULED and waiting.client_approved_at


def test_a_client_requests_changes_with_a_comment(client_a, joe, portal_as, waiting):
    browser = portal_as(client_a, joe)
    page = browser.post(f"/posts/{waiting.pk}/decide", {"decision": "changes", "comment": ""}, follow=True)
    assert "Say what should change" in page.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == P.PENDING_CLIENT_APPROVAL
    browser.post(f"/posts/{waiting.pk}/decide", {"decision": "changes", "comment": "Use the other photo"})
    waiting.refresh_from_db()
    assert waiting.status == P.CHANGES_REQUESTED
    assert not waiting.targets.filter(status="scheduled").exists()


def test_a_client_cannot_approve_its_own_content_when_the_agency_approves(client_a, joe, portal_as, owner):
    assert not client_a.requires_client_approval
    post = post_services.post_create(actor=joe.user, client=client_a, caption="Mine", source="portal")
    response = portal_as(client_a, joe).post(f"/posts/{post.pk}/decide", {"decision": "approve"}, follow=True)
    assert "the agency approves your posts" in response.content.decode()
    post.refresh_from_db()
    assert post.status == P.PENDING_APPROVAL


def test_a_late_approval_on_the_portal_tells_the_agency(
    client_a, joe, portal_as, waiting, owner, editor, django_capture_on_commit_callbacks
):
    """Events raised on a portal host notify staff with staff links (the portal's urlconf is not
    the staff app's): a late approval, and a request for changes."""
    from notifications.models import Notification

    Post.objects.filter(pk=waiting.pk).update(scheduled_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_as(client_a, joe).post(f"/posts/{waiting.pk}/decide", {"decision": "approve"}, follow=True)
    assert "the team is picking a new time" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == P.APPROVED and waiting.missed_at
    told = Notification.objects.get(recipient=owner, kind="post_missed_time")
    assert told.link == f"/content/{waiting.pk}/"


def test_changes_a_client_requests_on_the_portal_reach_the_author(
    client_a, joe, portal_as, editor, owner, django_capture_on_commit_callbacks, sync_tasks
):
    from django.core import mail

    from notifications.models import Notification

    client_a.requires_client_approval = True
    client_a.save()
    account = accounts_for(client_a, owner, platforms=("facebook",))["facebook"]
    post = post_services.post_create(actor=editor, client=client_a, caption="By the editor", accounts=[account])
    post = post_services.post_approve(actor=owner, post=post, scheduled_at=_local(client_a, 3, 10))
    from django.urls import set_urlconf

    set_urlconf("portal.urls")  # what a portal request runs under when its transaction commits
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post_services.post_request_changes(actor=joe.user, post=post, comment="Other photo", by_client=True)
    finally:
        set_urlconf(None)
    told = Notification.objects.get(recipient=editor, kind="changes_requested")
    assert told.link == f"/content/{post.pk}/" and "Other photo" in told.body
    told.refresh_from_db()  # its email (sent in-process here) links to the staff app too
    assert told.email_status == "sent" and f"/content/{post.pk}/" in mail.outbox[-1].body
