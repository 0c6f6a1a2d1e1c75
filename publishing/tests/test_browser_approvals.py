"""A real Chromium: a late client approval asks what to do; a client approval shows the images.

Joe approves, on his portal, a post whose time has passed; the portal says so before and after;
the agency is told at once (bell, dashboard, post page) and picks a new time in one step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client
from conftest import PASSWORD
from notifications.models import Notification
from portal.services.people import client_user_invite
from publishing.models import Post
from publishing.services import posts as post_services
from publishing.states import PostStatus as P
from publishing.tests.posting import accounts_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/test-results"


def test_a_late_client_approval_asks_what_to_do(page, live_server, make_staff):
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    joes = Client.objects.create(
        name="Joe's Landscaping", slug="joes-late", timezone="America/Chicago", requires_client_approval=True
    )
    account = accounts_for(joes, owner, platforms=("facebook",))["facebook"]
    client_user_invite(actor=owner, client=joes, email="joe@joes.example", role="owner", password=PASSWORD)
    post = post_services.post_create(actor=owner, client=joes, caption="Spring aeration time", accounts=[account])
    post_services.post_approve(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(hours=2))  # the time passes

    # Joe, on his portal, is told the time has passed and what happens if he approves.
    portal = live_server.url.replace("://localhost", "://joes-late.localhost")
    page.goto(f"{portal}/sign-in/")
    page.get_by_label("Email or business name").fill("joe@joes.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{portal}/approvals/")
    note = page.locator("[data-late-note]")
    expect(note).to_contain_text("has passed")
    expect(note).to_contain_text("the team picks a new time")
    expect(note).to_contain_text("America/Chicago")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SHOTS}/late-approval-portal-390.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("the team is picking a new time").first).to_be_visible()
    post.refresh_from_db()
    assert post.status == P.APPROVED and post.missed_at is not None  # not silently "not scheduled yet"
    assert Notification.objects.filter(recipient=owner, kind="post_missed_time").count() == 1

    # The agency: told on the dashboard, and one step on the post page.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    attention = page.locator("#missed-posts")
    expect(attention).to_contain_text("1 post missed its time")
    page.screenshot(path=f"{SHOTS}/late-approval-dashboard-1440.png", full_page=True)
    attention.get_by_role("link", name="Spring aeration time").click()
    card = page.locator("#missed-time")
    expect(card).to_contain_text("The client approved it after its time had passed.")
    expect(card.get_by_role("button", name="Publish now")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/late-approval-post-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SHOTS}/late-approval-post-390.png", full_page=True)
    # The card fits the phone (the page's own table overflow is issue 15's item 4).
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.set_viewport_size({"width": 1440, "height": 900})
    new_time = (timezone.now() + timedelta(days=1)).astimezone(joes.tz).replace(minute=0, second=0, microsecond=0)
    card.get_by_label("New time (America/Chicago time)").fill(new_time.strftime("%Y-%m-%dT%H:%M"))
    card.get_by_role("button", name="Use this time").click()
    expect(page.get_by_text("New time:").first).to_be_visible()
    expect(page.locator("#missed-time")).to_have_count(0)
    post.refresh_from_db()
    assert post.status == P.SCHEDULED and post.scheduled_at == new_time and post.missed_at is None


def test_client_approval_shows_the_images(page, live_server, make_staff, sync_tasks):
    """Issue 15: a post made with the wizard (one image per platform, on its targets) shows its
    images, each platform's text and the time with its zone where Bella approves it."""
    from publishing.tests.test_approval_shows_the_post import wizard_post_for_the_client

    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    post = wizard_post_for_the_client(owner)  # renditions made by the (in-process) worker
    client_user_invite(actor=owner, client=post.client, email="bella@bella.example", role="owner", password=PASSWORD)
    portal = live_server.url.replace("://localhost", f"://{post.client.slug}.localhost")
    page.goto(f"{portal}/sign-in/")
    page.get_by_label("Email or business name").fill("bella@bella.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{portal}/approvals/")
    card = page.locator(f"#post-{post.pk}")
    for platform, name in [("facebook", "facebook-cupcakes.jpg"), ("instagram", "instagram-cupcakes.jpg")]:
        image = card.locator(f'[data-platform="{platform}"] img[alt="{name}"]')
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"{name} did not load"
    expect(card.locator('[data-platform="facebook"]')).to_contain_text("Mint cupcakes are back this weekend")
    expect(card.locator("[data-as-it-appears]")).to_contain_text("(America/Los Angeles)")
    page.screenshot(path=f"{SHOTS}/approval-images-1440.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=f"{SHOTS}/approval-images-390.png", full_page=True)
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.set_viewport_size({"width": 1440, "height": 900})
    # The post page shows the same; then Bella approves.
    card.get_by_role("link").first.click()
    expect(page.locator('[data-platform="instagram"] img[alt="instagram-cupcakes.jpg"]')).to_be_visible()
    expect(page.get_by_text("No media")).to_have_count(0)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved. It goes out").first).to_be_visible()
    post.refresh_from_db()
    assert post.status == P.SCHEDULED
