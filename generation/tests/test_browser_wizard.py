"""A real Chromium walks the multi-platform wizard: content with live counters, platforms with
size previews, images generated with a progress bar (one regenerated, one swapped for a library
photo), back and forward without losing input, then scheduled — and the post is on the calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client
from generation.models import GenerationJob
from publishing.models import Post, TargetMedia
from publishing.services.media.upload import media_upload
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEXT = "Spring clean-up season is here. We edge, mulch and mow so your lawn is the best on the street."


def settled(page):
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )  # a function: CSP forbids eval of expressions


def test_walk_the_wizard_and_find_the_post_on_the_calendar(
    signed_in_page, live_server, make_staff, sync_tasks, django_capture_on_commit_callbacks
):
    owner = make_staff("owner", "olivia@test.local", first_name="Olivia", last_name="Owner")
    client = Client.objects.create(
        name="Joe's Landscaping", slug="joes-wizard", timezone="America/Chicago", brand_colors=["#2F6B3A", "#A3C76D"]
    )
    accounts_for(client, owner, platforms=("facebook", "instagram"))
    with django_capture_on_commit_callbacks(execute=True):
        library = media_upload(
            client=client, files=[ContentFile(jpeg_bytes(photo((1200, 1200))), name="hedge.jpg")], uploaded_by=owner
        )[0].asset

    base = live_server.url
    page = signed_in_page(owner.email)
    page.get_by_role("navigation").get_by_role("link", name="Generate").click()
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text("Content")

    # 1) Content, with live counters; the server refuses to go on without a text.
    page.get_by_label("Client").select_option(label="Joe's Landscaping")
    settled(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Write the post's text.")).to_be_visible()
    page.get_by_label("Post text").fill(TEXT)
    page.get_by_label("Call to action").fill("Book your spring clean-up")
    page.get_by_label("Hashtags").fill("#austin lawncare")
    expect(page.locator("[data-counters]")).to_contain_text("94 characters")
    expect(page.locator("[data-counters]")).to_contain_text("2 hashtags")
    page.get_by_role("button", name="Next").click()

    # 2) Platforms with their sizes.
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text("Platforms")
    expect(page.locator(".platform-cards")).to_contain_text("1200×675 px")
    page.locator("input[name=platforms][value=facebook]").check()
    page.locator("input[name=platforms][value=instagram]").check()
    page.get_by_role("button", name="Next").click()

    # 3) Images: a batch with a progress bar; regenerate Facebook's; Instagram takes a library photo.
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text("Images")
    page.get_by_label("Style").select_option("bold")
    page.get_by_role("button", name="Generate images").click()
    progress = page.locator(".gen-progress")
    expect(progress).to_contain_text("2 of 2 images made")
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    settled(page)
    progress.locator('[data-platform="facebook"]').get_by_role("button", name="Regenerate").click()
    settled(page)
    job = GenerationJob.objects.get(kind="image_batch")
    assert job.items.filter(platform="facebook").count() == 2
    expect(page.locator('.gen-item[data-platform="facebook"] img')).to_be_visible()
    page.locator("#pick-instagram summary").click()
    page.locator(f'#pick-instagram input[value="{library.pk}"]').check()
    settled(page)
    expect(page.locator("#pick-instagram")).to_contain_text("From the library")

    # Back to step 1 and forward again: nothing is lost.
    page.get_by_role("button", name="Content").click()
    expect(page.get_by_label("Post text")).to_have_value(TEXT)
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text("Platforms")
    expect(page.locator("input[name=platforms][value=facebook]")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text("Images")
    expect(page.locator("#pick-instagram")).to_contain_text("From the library")
    page.get_by_role("button", name="Next").click()

    # 4) Schedule it.
    expect(page.locator(".wizard-steps [aria-current=step]")).to_contain_text("Publish")
    expect(page.locator(".preview-rows")).to_contain_text("#austin #lawncare")
    day = timezone.localdate(timezone=client.tz) + timedelta(days=2)
    page.get_by_label("Schedule").check()
    page.get_by_label("Publish at").fill(f"{day}T10:30")
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Multi-platform post for Joe's Landscaping")
    expect(page.locator(".card").first).to_contain_text("Open the post")
    post = Post.objects.get()
    assert post.status == "scheduled"
    assert post.scheduled_at.astimezone(client.tz).strftime("%Y-%m-%d %H:%M") == f"{day} 10:30"
    instagram = post.targets.get(account__platform="instagram")
    assert list(TargetMedia.objects.filter(target=instagram).values_list("asset_id", flat=True)) == [library.pk]

    page.goto(f"{base}/content/?view=week&date={day}")
    expect(page.locator(f'.day[data-date="{day}"]')).to_contain_text("10:30")
    expect(page.locator(".calendar")).to_contain_text("Joe's Landscaping")
