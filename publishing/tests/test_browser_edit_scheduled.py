"""A real Chromium: an editor changes the caption of a scheduled post on its edit page; the post goes
back for approval and the page says so (issue 12, item 5: it was a 500). At 1440 and 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.models import Client
from conftest import PASSWORD
from publishing.models import Post
from publishing.services import scheduling
from publishing.tests.posting import accounts_for, approved_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1440, 390])
def test_an_editor_edits_a_scheduled_post_and_is_told_it_needs_approval_again(
    page, live_server, make_staff, tmp_path, width
):
    owner = make_staff("owner", "olivia@test.local")
    editor = make_staff("editor", "maya@test.local")
    client = Client.objects.create(name="Bella Bakery", slug=f"bella-edit-{width}")
    accounts = accounts_for(client, owner, platforms=("facebook", "x"))
    post = approved_post(owner, client, accounts.values(), caption="Croissants at 7")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(days=1))

    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/content/{post.pk}/edit/")
    page.get_by_label("Caption").fill("Croissants and pain au chocolat at 7")
    page.screenshot(path=str(tmp_path / f"edit-{width}.png"), full_page=True)
    page.locator("button[name=action][value=submit]").click()

    expect(page).to_have_url(f"{base}/content/{post.pk}/")
    expect(page.get_by_text("Your changes need approval again, so the post is no longer scheduled")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"after-{width}.png"), full_page=True)
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING_APPROVAL and post.caption.startswith("Croissants and pain")
