"""Clients approve what they can see: a post made with the generation wizard keeps its images on
each target (one per platform, ``TargetMedia``), not on the post — every approval surface (portal
card, portal post page, emailed link, staff queue, API) shows them, with each platform's text and
the time in the client's zone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from agency.models import Client
from generation.services.multi_platform import multi_platform_post_create
from portal.services.people import client_user_invite
from publishing import approval_links
from publishing.models import Post
from publishing.services import posts as post_services
from publishing.services.media.upload import media_upload
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard_post(owner, sync_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the worker makes the renditions
        return wizard_post_for_the_client(owner)


def wizard_post_for_the_client(owner) -> Post:
    """What the wizard makes for Bella (the client approves posts too): one image per platform."""
    bella = Client.objects.create(
        name="Bella Bakery", slug="bella-sees", timezone="America/Los_Angeles", requires_client_approval=True
    )
    accounts_for(bella, owner, platforms=("facebook", "instagram"))
    images = {
        platform: media_upload(
            client=bella, files=[ContentFile(jpeg_bytes(photo(size, seed=i)), name=f"{platform}-cupcakes.jpg")]
        )[0].asset
        for i, (platform, size) in enumerate([("facebook", (1600, 900)), ("instagram", (1080, 1080))])
    }
    when = (timezone.now() + timedelta(days=2)).astimezone(bella.tz).replace(hour=9, minute=30, second=0, microsecond=0)
    job = multi_platform_post_create(
        actor=owner, client=bella, content="Mint cupcakes are back this weekend", platforms=["facebook", "instagram"],
        hashtags=["bellabakery"], schedule_time=when, images=images,
    )  # fmt: skip
    post = job.post
    assert post is not None and post.post_media.count() == 0  # the images are the targets' own
    post.refresh_from_db()
    if post.status == "pending_approval":
        post = post_services.post_approve(actor=owner, post=post, scheduled_at=when)
    return post


def _image_names(html: str) -> set[str]:
    """The wizard's images shown as pictures (an <img> with the file's name as its alt text)."""
    names = ("facebook-cupcakes.jpg", "instagram-cupcakes.jpg")
    return {name for name in names if re.search(rf'<img src="[^"]*/library/files/[^"]+" alt="{re.escape(name)}"', html)}


def test_every_approval_surface_shows_the_wizard_s_images_text_and_time(client, owner, wizard_post):
    post = wizard_post
    assert post.status == "pending_client_approval"
    bella = post.client
    person = client_user_invite(actor=None, client=bella, email="bella@bella.example", role="owner", password=None,
                                send_invite=False)  # fmt: skip
    portal = client.__class__(HTTP_HOST="bella-sees.localhost")
    portal.force_login(person.user, backend="agency.auth_backends.StaffBackend")
    local = post.scheduled_at.astimezone(bella.tz)
    expected_time = local.strftime("%A %-d %B %Y, 09:30")
    post.targets.filter(account__platform="instagram").update(caption_override="Mint cupcakes 🍰 link in bio")
    texts = {t.account.platform: t.text for t in post.targets.all()}
    assert texts["facebook"] != texts["instagram"]  # each platform's own text is shown

    for url, browser in [
        ("/approvals/", portal),
        (f"/posts/{post.pk}/", portal),
        (f"/approve/{approval_links.make_token(post)}/", client.__class__()),
    ]:
        html = browser.get(url).content.decode()
        assert "No media" not in html, url
        assert _image_names(html) == {"facebook-cupcakes.jpg", "instagram-cupcakes.jpg"}, url
        assert expected_time in html and "America/Los Angeles" in html, url  # the zone named as people read it
        for text in texts.values():
            assert text.splitlines()[0] in html, url
        assert html.count("data-platform=") == 2, url

    client.force_login(owner)
    queue = client.get("/content/approvals/").content.decode()
    assert _image_names(queue) == {"facebook-cupcakes.jpg", "instagram-cupcakes.jpg"}


def test_the_api_gives_each_target_its_media_and_text(api_as, owner, wizard_post):
    post = wizard_post
    body = api_as(owner).get(f"/api/v1/posts/{post.pk}").json()
    assert {m["name"] for m in body["media"]} == {"facebook-cupcakes.jpg", "instagram-cupcakes.jpg"}
    by_platform = {t["platform"]: t for t in body["targets"]}
    assert [m["name"] for m in by_platform["facebook"]["media"]] == ["facebook-cupcakes.jpg"]
    assert [m["name"] for m in by_platform["instagram"]["media"]] == ["instagram-cupcakes.jpg"]
    assert by_platform["facebook"]["text"].startswith("Mint cupcakes")
