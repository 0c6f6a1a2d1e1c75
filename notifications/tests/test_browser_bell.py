"""A real Chromium: an approver is signed in, an editor sends a post for approval, the bell shows
1; opening it and clicking the notification lands on the post and the count goes back to 0."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agency.models import Client
from publishing.services import posts as post_services
from publishing.tests.posting import accounts_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_tells_an_approver_and_leads_to_the_post(signed_in_page, live_server, make_staff, settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    approver = make_staff("admin", "ana@test.local", first_name="Ana", last_name="Approver")
    author = make_staff("editor", "eddie@test.local", first_name="Eddie", last_name="Editor")
    client = Client.objects.create(name="Bella Bakery", slug="bella-bakery-bell")
    account = accounts_for(client, approver, platforms=("facebook",))["facebook"]

    page = signed_in_page(approver.email)
    count = page.locator("#bell-count")
    expect(count).to_have_attribute("data-count", "0")
    expect(count).to_be_hidden()

    post = post_services.post_create(actor=author, client=client, caption="Rye loaves at 8am", accounts=[account])

    expect(count).to_have_text("1 unread", timeout=10_000)  # the poll picks it up
    expect(count).to_be_visible()
    page.get_by_role("button", name="Notifications").or_(page.get_by_label("Notifications")).first.click()
    item = page.locator("#bell-menu .notif").first
    expect(item).to_contain_text("Waiting for approval: Rye loaves at 8am")
    expect(item).to_contain_text("Eddie Editor sent a post for Bella Bakery")
    item.locator(".notif-link").click()

    page.wait_for_url(f"{live_server.url}/content/{post.pk}/")
    expect(page.locator("#bell-count")).to_have_attribute("data-count", "0")
    expect(page.locator("#bell-count")).to_be_hidden()
