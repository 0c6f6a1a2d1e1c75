"""A real Chromium walks the staff's daily work."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client, Deliverable, Shoot, TimeEntry
from agency.tests import factories
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page):
    """Wait until htmx has swapped and wired up new content (its settle step)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )  # a function: CSP forbids eval of expressions


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def test_create_client_book_shoot_with_clash_move_deliverable_and_time_it(page, live_server, make_staff):
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    maya = make_staff("editor", "maya@test.local", first_name="Maya", last_name="Lens").team_member
    existing = factories.shoot(start=factories.at(3, 10), minutes=180, crew=[maya], title="Morning bake")
    base = live_server.url
    sign_in(page, base, owner.email)

    # Create a client; the portal address is suggested from the name.
    page.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="New client").click()
    page.wait_for_url("**/clients/new/")  # waits for the load event: htmx (deferred) is wired up
    page.get_by_label("Business name").fill("Green Thumb Gardens")
    page.get_by_label("Portal address").fill("admin")
    page.get_by_label("Portal address").blur()
    expect(page.locator("#errors-slug")).to_contain_text("reserved for LocalBzz itself")  # live validation
    page.get_by_label("Portal address").fill("")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Green Thumb Gardens")
    client = Client.objects.get(name="Green Thumb Gardens")
    assert client.slug == "green-thumb-gardens"

    # Book a shoot with Maya at a time she is already booked: the form warns who clashes with what.
    page.get_by_role("link", name="Book shoot").click()
    page.wait_for_url("**/shoots/new/**")
    page.get_by_label("Title").fill("Garden tour")
    page.get_by_label("Start").fill(factories.form_time(factories.at(3, 11)))
    page.get_by_label("Maya Lens").check()
    expect(page.locator("#clashes")).to_contain_text("Maya Lens is already on “Morning bake”")
    page.get_by_role("button", name="Book shoot").click()
    expect(page.get_by_role("alert").first).to_contain_text("Crew double-booked")
    assert Shoot.objects.count() == 1
    page.get_by_label("Book anyway").check()
    page.get_by_role("button", name="Book shoot").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Garden tour")
    assert Shoot.objects.exclude(pk=existing.pk).get().crew.get() == maya

    # Move a deliverable across the board with its keyboard-friendly button.
    deliverable = factories.deliverable(client_=client, title="Garden reel")
    page.get_by_role("link", name="Deliverables").click()
    page.wait_for_url("**/deliverables/")
    page.get_by_role("button", name="Move “Garden reel” to In Progress").click()
    expect(page.locator('.column[data-status="In Progress"]')).to_contain_text("Garden reel")
    settled(page)
    page.get_by_role("button", name="Move “Garden reel” to Needs Review").focus()
    page.keyboard.press("Enter")
    expect(page.locator('.column[data-status="Needs Review"]')).to_contain_text("Garden reel")
    deliverable.refresh_from_db()
    assert deliverable.status == Deliverable.Status.NEEDS_REVIEW

    # Drag it one more column.
    settled(page)
    page.locator(".board-card", has_text="Garden reel").drag_to(page.locator('.column[data-status="Ready-To-Post"]'))
    expect(page.locator('.column[data-status="Ready-To-Post"]')).to_contain_text("Garden reel")

    # Start and stop a timer on a task.
    factories.task(name="Edit garden reel", assignee=owner.team_member, client=client)
    page.get_by_role("link", name="Tasks").click()
    page.wait_for_url("**/tasks/mine/")
    page.get_by_role("button", name="Start timer on Edit garden reel").click()
    expect(page.get_by_role("status").filter(has_text="Your timer is running")).to_contain_text("Edit garden reel")
    expect(page.locator(".sidebar-timer")).to_contain_text("Edit garden reel")
    page.get_by_role("button", name="Stop timer on Edit garden reel").click()
    expect(page.locator(".sidebar-timer")).to_have_count(0)
    entry = TimeEntry.objects.get()
    assert entry.ended_at is not None and entry.member == owner.team_member
    expect(page.get_by_role("button", name=re.compile("Start timer on Edit garden reel"))).to_be_visible()


def test_the_second_timer_keeps_the_first_timers_minutes(page, live_server, make_staff):
    maya = make_staff("editor", "maya@test.local", first_name="Maya", last_name="Lens").team_member
    first = factories.task(name="Edit garden reel", assignee=maya)
    factories.task(name="Caption spring carousel", assignee=maya)
    sign_in(page, live_server.url, maya.user.email)
    page.get_by_role("link", name="Tasks").click()
    page.get_by_role("button", name="Start timer on Edit garden reel").click()
    expect(page.locator(".sidebar-timer")).to_contain_text("Edit garden reel")
    # Forty minutes of work later (moved back in the database: tests never wait for the clock).
    TimeEntry.objects.filter(task=first).update(started_at=timezone.now() - timedelta(minutes=40))

    page.get_by_role("button", name="Start timer on Caption spring carousel").click()
    expect(page.locator(".sidebar-timer")).to_contain_text("Caption spring carousel")
    expect(page.locator("#toasts")).to_contain_text("Stopped your timer on “Edit garden reel” after 40m")
    stopped = TimeEntry.objects.get(task=first)
    assert stopped.ended_at is not None and stopped.seconds // 60 == 40
    expect(page.locator("#task-" + str(first.pk))).to_contain_text("40m")


def test_the_client_page_loads_its_posts_media_and_accounts_tabs(page, live_server, make_staff):
    from publishing.services import posts as post_services
    from publishing.tests.posting import accounts_for

    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    client = factories.client(name="Bella Bakery")
    accounts = accounts_for(client, owner, platforms=("facebook", "instagram"))
    for n in range(11):
        post_services.post_create(actor=owner, client=client, caption=f"Bake {n:02d}", accounts=list(accounts.values()))
    sign_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("link", name=re.compile("^Posts")).click()
    panel = page.locator("#client-panel")
    expect(panel.locator("tbody tr")).to_have_count(10)
    panel.get_by_role("link", name="Next").click()
    expect(panel).to_contain_text("11–11 of 11")
    expect(page).to_have_url(re.compile(f"/clients/{client.pk}/posts/$"))  # still the client's page
    page.get_by_role("link", name=re.compile("^Social accounts")).click()
    expect(page.locator("#client-panel")).to_contain_text("Instagram")


def test_booking_from_the_calendar_day_with_the_clients_campaigns_and_book_anyway(page, live_server, make_staff):
    from agency.models import Campaign

    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    maya = make_staff("editor", "maya@test.local", first_name="Maya", last_name="Lens").team_member
    joe, bella = factories.client(name="Joe's Landscaping"), factories.client(name="Bella Bakery")
    Campaign.objects.create(client=joe, name="Spring lawns")
    Campaign.objects.create(client=bella, name="Holiday cakes")
    busy = factories.shoot(client_=bella, start=factories.at(3, 10), crew=[maya], title="Morning bake")
    day = factories.form_time(busy.start)[:10]
    sign_in(page, live_server.url, owner.email)

    # A click on the empty part of a day opens the booking form for that day.
    page.goto(f"{live_server.url}/shoots/?date={day}")
    page.locator(f'.day[data-new-shoot*="start={day}T"] .num').click()
    page.wait_for_url(f"**/shoots/new/?start={day}T09:00")
    expect(page.get_by_label("Start")).to_have_value(f"{day}T09:00")
    campaign = page.get_by_label("Campaign")
    expect(campaign.locator("option")).to_have_text(["Choose a client first"])

    # The campaign select offers the chosen client's campaigns only.
    page.get_by_label("Client").select_option(label="Joe's Landscaping")
    expect(campaign.locator("option")).to_have_text(["No campaign", "Spring lawns"])
    page.get_by_label("Client").select_option(label="Bella Bakery")
    expect(campaign.locator("option")).to_have_text(["No campaign", "Holiday cakes"])
    campaign.select_option(label="Holiday cakes")

    # The clash warning comes with its "Book anyway" box: one submit books it.
    page.get_by_label("Title").fill("Cake decorating")
    page.get_by_label("Start").fill(factories.form_time(busy.start + timedelta(hours=1)))
    page.get_by_label("Maya Lens").check()
    expect(page.locator("#clashes")).to_contain_text("Maya Lens is already on “Morning bake”")
    page.locator("#clashes").get_by_label("Book anyway").check()
    page.get_by_role("button", name="Book shoot").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cake decorating")
    booked = Shoot.objects.get(title="Cake decorating")
    assert booked.campaign.name == "Holiday cakes" and booked.crew.get() == maya
