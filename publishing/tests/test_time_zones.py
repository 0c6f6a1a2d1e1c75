"""One rule for time (localbzz.zones): a post is shown in its client's zone, naming the zone, on
every page, in emails, feeds and the API, whatever the agency's zone; clients always get a real
zone (the intake form and the lead approval ask; the default is AGENCY_TIME_ZONE, never UTC)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone
from icalendar import Calendar

from agency.models import CalendarFeed, Client, Lead
from agency.services import feeds
from conftest import PASSWORD
from localbzz import zones
from portal.services.people import client_user_invite
from publishing.services import scheduling
from publishing.services.notifications import client_approval_requested
from publishing.tests.posting import accounts_for, approved_post

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def next_local(hour: int, minute: int, zone=CHICAGO, days: int = 3) -> datetime:
    day = timezone.localdate(timezone=zone) + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


@pytest.fixture
def austin(settings, owner):
    """An Austin client (Chicago time) seen by staff of an agency in New York: one hour apart."""
    settings.AGENCY_TIME_ZONE = "America/New_York"
    client = Client.objects.create(name="Austin Lawns", slug="austin-lawns", timezone="America/Chicago")
    accounts = accounts_for(client, owner, platforms=("facebook", "linkedin"))
    post = approved_post(owner, client, accounts.values(), caption="Spring clean-up season is here")
    when = next_local(9, 30)
    post = scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)
    return {"client": client, "post": post, "when": when, "label": zones.zone_label(CHICAGO, when)}


def test_when_names_the_zone_and_formats_in_it():
    moment = datetime(2026, 1, 15, 15, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert zones.when(moment, "America/Chicago") == "Thu 15 Jan, 09:30 CST"
    assert zones.when(moment, "America/Chicago", zones.CLOCK) == "09:30 CST"
    assert zones.when(moment.replace(month=7), "America/Chicago", zones.CLOCK) == "10:30 CDT"
    assert zones.when(moment, "Asia/Dubai", zones.CLOCK) == "19:30 UTC+04"  # no letters for that zone
    assert zones.when(None, "America/Chicago") == ""


def test_list_calendar_and_post_page_show_the_client_s_wall_clock_and_zone(client, owner, austin):
    client.force_login(owner)
    shown = f"09:30 {austin['label']}"
    day = austin["when"].date().isoformat()
    pages = {
        "list": client.get("/content/?view=list").content.decode(),
        "month": client.get(f"/content/?view=month&date={day}").content.decode(),
        "week": client.get(f"/content/?view=week&date={day}").content.decode(),
        "post": client.get(f"/content/{austin['post'].pk}/").content.decode(),
        "dashboard": client.get("/").content.decode() if austin["when"] - timezone.now() < timedelta(days=1) else shown,
    }
    for name, html in pages.items():
        assert shown in html, name
        assert "10:30" not in html, f"{name} shows the agency's clock"
    assert "America/Chicago" in pages["post"]


def test_bulk_preview_shows_the_row_s_time_in_the_client_s_zone(client, owner, austin):
    client.force_login(owner)
    when = next_local(14, 15, days=5)
    csv = f"client,platforms,scheduled_at,caption\naustin-lawns,facebook,{when:%Y-%m-%d %H:%M},Mulch time\n"
    html = client.post("/content/bulk/", {"file": SimpleUploadedFile("b.csv", csv.encode())}).content.decode()
    assert f"{when:%a %-d %b}, 14:15 {zones.zone_label(CHICAGO, when)}" in html
    assert "15:15" not in html


def test_the_client_approval_email_says_the_client_s_time_and_zone(austin):
    post = austin["post"]
    post.client.primary_contact_email = "owner@austin-lawns.example"
    post.client.save()
    client_approval_requested(post)
    [email] = mail.outbox
    assert f"09:30 {austin['label']} (America/Chicago)" in email.body
    assert "UTC" not in email.body


def test_the_portal_feed_is_in_the_client_s_zone(owner, austin, settings):
    settings.ALLOWED_HOSTS = ["*"]
    client_user_invite(
        actor=owner, client=austin["client"], email="sam@austin.example", role="owner", password=PASSWORD
    )
    feed = feeds.feed_get_or_create(
        actor=owner, scope=CalendarFeed.Scope.CLIENT, client=austin["client"], kind=CalendarFeed.Kind.PORTAL_POSTS
    )
    host = f"austin-lawns.{settings.PORTAL_DOMAIN}"
    response = HttpClient(HTTP_HOST=host).get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200, response.content[:300]
    cal = Calendar.from_ical(response.content)
    assert str(cal["x-wr-timezone"]) == "America/Chicago"
    [event] = [c for c in cal.walk() if c.name == "VEVENT"]
    assert event["dtstart"].params["TZID"] == "America/Chicago"
    assert event.decoded("dtstart").strftime("%H:%M") == "09:30"
    assert [c["tzid"] for c in cal.walk() if c.name == "VTIMEZONE"] == ["America/Chicago"]
    assert f"09:30 {austin['label']} (America/Chicago)" in str(event["description"])


def test_the_api_writes_a_post_s_times_in_its_client_s_zone(api_as, owner, austin):
    body = api_as(owner).get(f"/api/v1/posts/{austin['post'].pk}").json()
    assert body["timezone"] == "America/Chicago"
    assert body["scheduled_at"] == austin["when"].isoformat()  # 09:30-06:00 (or -05:00 in summer)
    assert body["scheduled_at_display"].endswith(f"09:30 {austin['label']}")


def test_a_new_client_gets_the_agency_s_zone_not_utc(settings):
    settings.AGENCY_TIME_ZONE = "America/Denver"
    assert Client.objects.create(name="Mile High Cafe", slug="mile-high").timezone == "America/Denver"


def test_the_intake_form_asks_for_the_zone_and_the_approved_client_keeps_it(client, owner, settings):
    settings.AGENCY_TIME_ZONE = "America/New_York"
    form = client.get("/forms/intake/").content.decode()
    assert "Your time zone" in form and 'value="America/New_York" selected' in form
    client.post(
        "/forms/intake/",
        {"contact_name": "Priya", "email": "p@example.com", "business_name": "Austin Yoga",
         "location": "Austin, TX", "timezone": "America/Chicago"},
    )  # fmt: skip
    lead = Lead.objects.get()
    assert lead.timezone == "America/Chicago"
    client.force_login(owner)
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'value="America/Chicago" selected' in page  # the approval form asks, prefilled with the lead's
    client.post(
        f"/leads/{lead.pk}/approve/", {"slug": "austin-yoga", "timezone": "America/Chicago", "monthly_post_limit": 8}
    )
    assert Client.objects.get(slug="austin-yoga").timezone == "America/Chicago"


def test_the_approval_can_correct_the_zone_and_refuses_a_made_up_one(client, owner):
    lead = Lead.objects.create(contact_name="Ann", email="a@example.com", business_name="Ann's Flowers")
    client.force_login(owner)
    client.post(f"/leads/{lead.pk}/approve/", {"slug": "anns", "timezone": "Mars/Olympus", "monthly_post_limit": 8})
    assert not Client.objects.filter(slug="anns").exists()
    client.post(f"/leads/{lead.pk}/approve/", {"slug": "anns", "timezone": "America/Phoenix", "monthly_post_limit": 8})
    assert Client.objects.get(slug="anns").timezone == "America/Phoenix"
