"""A real Chromium on two client subdomains (*.localhost): Joe signs in on his portal, uploads
three photos (a progress bar each), submits them and sees the AI's captions; staff approve and
schedule; Joe sees it scheduled and moves it; Bella, on her own portal, sees none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client
from conftest import PASSWORD
from portal.services.people import client_user_invite
from publishing.models import Post
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settled(page):
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )  # a function: CSP forbids eval of expressions


def portal_url(live_server, slug: str) -> str:
    return live_server.url.replace("://localhost", f"://{slug}.localhost")


def sign_in(page, base: str, email: str):
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Email or business name").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def test_upload_submit_approve_schedule_reschedule_and_isolation(page, live_server, make_staff, sync_tasks):
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    joes = Client.objects.create(name="Joe's Landscaping", slug="joes-browser", timezone="America/Chicago")
    bellas = Client.objects.create(name="Bella Bakery", slug="bella-browser", timezone="America/Los_Angeles")
    accounts_for(joes, owner, platforms=("facebook", "instagram"))
    client_user_invite(actor=owner, client=joes, email="joe@joes.example", role="owner", password=PASSWORD)
    client_user_invite(actor=owner, client=bellas, email="bella@bella.example", role="owner", password=PASSWORD)
    joe_portal, bella_portal = portal_url(live_server, "joes-browser"), portal_url(live_server, "bella-browser")

    # Joe signs in on his own subdomain and uploads three photos.
    sign_in(page, joe_portal, "joe@joes.example")
    expect(page.locator(".meter")).to_be_visible()
    page.get_by_role("link", name="Submit content").first.click()
    files = [
        {"name": f"patio-{i}.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(photo((1600, 1200), seed=i))}
        for i in (1, 2, 3)
    ]
    page.locator("[data-file-input]").set_input_files(files)
    expect(page.locator(".uploads progress")).to_have_count(3)
    expect(page.locator(".uploads li.done")).to_have_count(3, timeout=20_000)
    expect(page.locator("[data-picker] input[name=media]:checked")).to_have_count(3)
    expect(page.locator("[data-picked-count]")).to_have_text("3 chosen")

    # The AI writes a caption per platform; Joe edits one and submits.
    page.get_by_label("Notes").fill("Finished a flagstone patio with new plantings in Oak Hill")
    page.get_by_role("button", name="Write captions with AI").click()
    facebook = page.get_by_label("Facebook caption")
    expect(facebook).not_to_have_value("", timeout=15_000)
    expect(page.get_by_label("Instagram caption")).not_to_have_value("")
    settled(page)
    facebook.fill(facebook.input_value() + "\n\nCall us for a free quote!")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("With the team").first).to_be_visible()
    post = Post.objects.get()
    assert post.status == "pending_approval" and post.post_media.count() == 3
    assert post.targets.get(account__platform="facebook").text.endswith("Call us for a free quote!")

    # Staff approve and schedule it (the staff app, on its own host).
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/content/{post.pk}/")
    day = timezone.localdate(timezone=joes.tz) + timedelta(days=2)
    page.locator("#id_scheduled_at").first.fill(f"{day}T10:00")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scheduled")

    # Joe sees it scheduled (in his time zone) and moves it.
    page.goto(f"{joe_portal}/posts/")
    row = page.locator(".post-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(day.strftime("%a %-d %b") + ", 10:00")
    expect(row).to_contain_text("Scheduled")
    row.get_by_role("link").last.click()
    later = day + timedelta(days=1)
    page.get_by_label("New date and time").fill(f"{later}T15:30")
    page.get_by_role("button", name="Move post").click()
    expect(page.locator("#toasts")).to_contain_text("Moved to")
    when_card = page.locator("section[aria-labelledby=when-title] strong").first
    expect(when_card).to_contain_text(later.strftime("%A %-d %B %Y") + ", 15:30 C")  # CST or CDT: the zone is named
    post.refresh_from_db()
    assert post.scheduled_at.astimezone(joes.tz).strftime("%Y-%m-%d %H:%M") == f"{later} 15:30"
    assert {t.scheduled_at for t in post.targets.all()} == {post.scheduled_at}

    # Bella, on her own portal, sees none of it — and Joe's post is not there by id either.
    sign_in(page, bella_portal, "bella@bella.example")
    expect(page.get_by_text("0 of 8 posts used")).to_be_visible()
    page.goto(f"{bella_portal}/posts/?tab=all")
    expect(page.get_by_text("No posts yet")).to_be_visible()
    page.goto(f"{bella_portal}/media/")
    expect(page.get_by_text("No photos or videos yet")).to_be_visible()
    response = page.goto(f"{bella_portal}/posts/{post.pk}/")
    assert response.status == 404


def test_caption_boxes_follow_the_ticked_platforms_in_the_clients_colours(page, live_server, make_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from publishing.services.media import upload as upload_services

    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    joes = Client.objects.create(
        name="Joe's Landscaping and Garden Design", slug="joes-browser", brand_colors=["#F4F1E8", "#2F6B3A"]
    )
    accounts_for(joes, owner, platforms=("facebook", "instagram", "x"))
    joe = client_user_invite(actor=owner, client=joes, email="joe@joes.example", role="owner", password=PASSWORD)
    upload_services.media_upload(
        client=joes, files=[SimpleUploadedFile("patio.jpg", jpeg_bytes(photo(seed=1)))], uploaded_by=joe.user
    )
    base = portal_url(live_server, "joes-browser")
    sign_in(page, base, "joe@joes.example")

    # The portal wears Joe's colours; his long business name is shown whole in the sidebar.
    button = page.locator(".topbar .btn-primary")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(47, 107, 58)"
    name = page.locator(".sidebar .brand-name")
    expect(name).to_have_text("Joe's Landscaping and Garden Design")
    assert name.evaluate("el => el.scrollWidth <= el.clientWidth && getComputedStyle(el).textOverflow !== 'ellipsis'")

    page.get_by_role("link", name="Submit content").first.click()
    page.locator("[data-picker] input[name=media]").first.check()
    page.get_by_role("button", name="Write captions with AI").click()
    expect(page.get_by_label("X caption")).not_to_have_value("", timeout=15_000)
    settled(page)
    for label in ("Facebook caption", "Instagram caption", "X caption"):  # every platform is ticked at first
        expect(page.get_by_label(label)).to_be_visible()
    page.get_by_label("Instagram", exact=True).uncheck()
    page.get_by_label("X", exact=True).uncheck()
    expect(page.get_by_label("Facebook caption")).to_be_visible()
    expect(page.get_by_label("Instagram caption")).to_be_hidden()
    expect(page.get_by_label("X caption")).to_be_hidden()
    page.get_by_label("X", exact=True).check()
    expect(page.get_by_label("X caption")).to_be_visible()
    expect(page.get_by_label("Instagram caption")).to_be_hidden()
    # Written again, the boxes still follow the ticks (the server renders them the same way).
    page.get_by_role("button", name="Write again").click()
    settled(page)
    expect(page.get_by_label("Instagram caption")).to_be_hidden()
    expect(page.get_by_label("X caption")).to_be_visible()
