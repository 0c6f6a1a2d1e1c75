"""Post previews look like their platform and show each photo at the shape that is sent; platform
icons (shipped in static/) stand in for text badges, with a legend under the calendars."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile

from publishing import rules
from publishing.services import posts as post_services
from publishing.services.media.upload import media_upload
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


def _shown(html: str, platform: str) -> str:
    return html.split(f'class="post-preview preview-{platform}"', 1)[1].split("</article>", 1)[0]


def test_a_wide_photo_keeps_its_shape_and_facebook_and_instagram_differ(
    client, owner, client_a, sync_tasks, django_capture_on_commit_callbacks
):
    accounts = accounts_for(client_a, owner, platforms=("facebook", "instagram"))
    with django_capture_on_commit_callbacks(execute=True):
        wide = media_upload(
            client=client_a, files=[ContentFile(jpeg_bytes(photo((1600, 900))), name="lawn.jpg")], uploaded_by=owner
        )[0].asset
    post = post_services.post_create(
        actor=owner, client=client_a, caption="Lawn day", accounts=list(accounts.values()), media=[wide]
    )
    client.force_login(owner)
    html = client.get(f"/content/{post.pk}/").content.decode()
    facebook, instagram = _shown(html, "facebook"), _shown(html, "instagram")
    # Facebook gets its landscape size, shown whole: not cropped to a portrait frame.
    assert re.search(r'<img src="[^"]*/facebook-[^"]*" alt="lawn.jpg" width="1200" height="630">', facebook)
    # Instagram shows the size Instagram gets, with its own layout: photo first, then the caption.
    assert 'width="1080" height="1080"' in instagram
    media = 'class="preview-media'
    assert instagram.index(media) < instagram.index("Lawn day") and facebook.index("Lawn day") < facebook.index(media)
    assert "Like" in facebook and "Just now · Public" in facebook and "Like" not in instagram
    assert 'alt="Facebook"' in facebook and 'alt="Instagram"' in instagram


def test_platform_icons_are_shipped_and_replace_text_badges(client, owner, client_a):
    for platform in rules.PLATFORMS:
        path = finders.find(f"img/platforms/{platform}.svg")
        assert path, platform
        svg = Path(path).read_text()
        assert svg.startswith("<svg") and "<script" not in svg and f"<title>{rules.PLATFORM_LABELS[platform]}" in svg
    accounts = accounts_for(client_a, owner, platforms=("facebook", "x"))
    post_services.post_create(actor=owner, client=client_a, caption="Hello", accounts=list(accounts.values()))
    client.force_login(owner)
    listing = client.get("/content/?view=list").content.decode()
    assert (
        '<img class="platform-icon" src="/static/img/platforms/facebook.svg" width="18" height="18" alt="Facebook"'
        in listing
    )
    assert "platform-chip" not in listing
    month = client.get("/content/").content.decode()
    legend = month.split('<ul class="platform-legend')[1].split("</ul>")[0]
    assert [label for label in rules.PLATFORM_LABELS.values() if label in legend] == list(
        rules.PLATFORM_LABELS.values()
    )
