"""A real Chromium: write a post with a photo for Instagram and Facebook, see the live check
refuse a too-long caption, fix it, approve and schedule, find it on the content calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client
from conftest import PASSWORD
from publishing.models import Post
from publishing.services.media.upload import media_upload
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page):
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )  # a function: CSP forbids eval of expressions


def test_write_check_fix_approve_schedule_and_see_it_on_the_calendar(
    page, live_server, make_staff, sync_tasks, django_capture_on_commit_callbacks
):
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    client = Client.objects.create(name="Bella Bakery", slug="bella-bakery-browser", timezone="America/Los_Angeles")
    accounts_for(client, owner, platforms=("facebook", "instagram"))
    with django_capture_on_commit_callbacks(execute=True):
        media_upload(
            client=client, files=[ContentFile(jpeg_bytes(photo((1200, 1200))), name="cupcakes.jpg")], uploaded_by=owner
        )

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/content/new/?client={client.pk}")
    page.get_by_label("Bella Bakery facebook").check()
    page.get_by_label("Bella Bakery instagram").check()
    page.get_by_role("button", name="cupcakes.jpg").click()
    page.get_by_label("Caption").fill(
        "So many cupcakes! " * 130
    )  # 2,340 characters (2,339 once the trailing space is trimmed)
    checks = page.locator("#checks")
    expect(checks).to_contain_text("Instagram allows 2,200 characters; this caption has 2,339")
    expect(checks).to_contain_text("Ready for Facebook")

    page.get_by_label("Caption").fill("Mint cupcakes are back this weekend 🍰")
    expect(checks).to_contain_text("Ready for Instagram")
    settled(page)
    day = timezone.localdate() + timedelta(days=2)
    page.get_by_label("Publish at").fill(f"{day}T10:00")
    page.get_by_role("button", name="Approve & schedule").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Scheduled")
    post = Post.objects.get()
    assert post.status == "scheduled" and post.post_media.count() == 1
    assert post.scheduled_at.astimezone(client.tz).strftime("%Y-%m-%d %H:%M") == f"{day} 10:00"

    page.get_by_role("navigation").get_by_role("link", name="Content").click()
    page.goto(f"{base}/content/?view=week&date={day}")
    expect(page.locator(".calendar")).to_contain_text("Mint cupcakes are back")
    expect(page.locator(f'.day[data-date="{day}"]')).to_contain_text("10:00")


def test_a_post_shows_the_same_wall_clock_and_zone_on_calendar_list_and_post_page(
    page, live_server, make_staff, settings
):
    """An Austin client (Chicago time) seen from an agency in New York: 09:30 CST everywhere."""
    import zoneinfo
    from datetime import datetime

    from localbzz import zones
    from publishing.services import scheduling
    from publishing.tests.posting import approved_post

    settings.AGENCY_TIME_ZONE = "America/New_York"
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    client = Client.objects.create(name="Austin Lawns", slug="austin-lawns-browser", timezone="America/Chicago")
    accounts = accounts_for(client, owner, platforms=("facebook", "linkedin"))
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    day = timezone.localdate(timezone=chicago) + timedelta(days=2)
    when = datetime(day.year, day.month, day.day, 9, 30, tzinfo=chicago)
    post = approved_post(owner, client, accounts.values(), caption="Spring clean-up season is here")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)
    shown = f"09:30 {zones.zone_label(chicago, when)}"

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/content/?view=month&date={day.isoformat()}")
    expect(page.locator(".cal-item .cal-time")).to_have_text(shown)
    page.goto(f"{base}/content/?view=week&date={day.isoformat()}")
    expect(page.locator(".cal-item .cal-time")).to_have_text(shown)
    page.goto(f"{base}/content/?view=list")
    expect(page.locator("tbody tr").first.locator("td").first).to_have_text(f"{day:%a %-d %b}, {shown}")
    page.get_by_role("link", name="Spring clean-up season is here").click()
    expect(page.get_by_text(f"{day:%A %-d %B %Y}, {shown} (America/Chicago)")).to_be_visible()
    expect(page.locator("tbody td.nowrap").first).to_have_text(f"{day:%a %-d %b}, {shown}")


def test_drag_a_scheduled_post_to_another_day_moves_it_keeping_the_time(signed_in_page, live_server, make_staff):
    """The content calendar's drag and drop (static/js/drag_move.js): one POST, the calendar comes back."""
    from publishing.services import scheduling
    from publishing.tests.posting import approved_post

    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    client = Client.objects.create(name="Bella Bakery", slug="bella-bakery-drag", timezone="America/Los_Angeles")
    accounts = accounts_for(client, owner, platforms=("facebook",))
    day = timezone.localdate(timezone=client.tz) + timedelta(days=2)
    other = day + timedelta(days=1) if day.weekday() < 6 else day - timedelta(days=1)  # in the same week
    when = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10, 0), client.tz)
    post = approved_post(owner, client, accounts.values(), caption="Rye loaves on Friday")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=when)

    page = signed_in_page(owner.email)
    page.goto(f"{live_server.url}/content/?view=week&date={day}")
    page.locator(".cal-item", has_text="Rye loaves").drag_to(page.locator(f'.day[data-date="{other}"]'))
    expect(page.locator(f'.day[data-date="{other}"]')).to_contain_text("Rye loaves")
    settled(page)
    post.refresh_from_db()
    assert post.scheduled_at.astimezone(client.tz).strftime("%Y-%m-%d %H:%M") == f"{other} 10:00"
