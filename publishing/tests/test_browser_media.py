"""A real Chromium uploads photos on the library page: progress bars fill, each row says "Processing…"
until the sizes are made ("Ready") or failed (the reason), thumbnails appear."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agency.models import Client
from publishing.models import MediaAsset
from publishing.tests import media_files as mf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_upload_two_photos_and_see_them_in_the_library(signed_in_page, live_server, make_staff, sync_tasks):
    make_staff("editor", "eddie@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-bakery-browser")
    page = signed_in_page("eddie@test.local")
    page.goto(f"{live_server.url}/library/?client={client.pk}")
    expect(page.get_by_text("No photos or videos yet")).to_be_visible()
    expect(page.get_by_label("Client", exact=True)).to_have_value(str(client.pk))
    page.get_by_label("Tags (optional)").fill("menu")

    page.locator("[data-file-input]").set_input_files(
        [
            {"name": "cupcakes.jpg", "mimeType": "image/jpeg", "buffer": mf.jpeg_bytes(mf.photo((1600, 1200)))},
            {"name": "loaves.png", "mimeType": "image/png", "buffer": mf.image_bytes("PNG", mf.photo(seed=9))},
        ]
    )
    rows = page.locator(".uploads li")
    expect(rows).to_have_count(2)
    for row in (rows.nth(0), rows.nth(1)):
        expect(row.locator("progress")).to_have_attribute("value", "100", timeout=20_000)
        expect(row.locator(".status")).to_have_text("Ready", timeout=10_000)  # the sizes are made
    tiles = page.locator("#library-grid .media-tile img")
    expect(tiles).to_have_count(2, timeout=10_000)
    expect(page.locator("#library-grid")).to_contain_text("2 items")
    for tile in (tiles.nth(0), tiles.nth(1)):
        expect(tile).to_have_js_property("complete", True)
        assert tile.evaluate("img => img.naturalWidth") > 0, "the thumbnail loads through its signed URL"
    assert sorted(a.original_name for a in MediaAsset.objects.all()) == ["cupcakes.jpg", "loaves.png"]
    assert {t.name for a in MediaAsset.objects.all() for t in a.tags.all()} == {"menu"}

    # A refused file says why, in its own row.
    page.locator("[data-file-input]").set_input_files(
        [{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"<html>not a photo</html>"}]
    )
    expect(page.locator(".uploads li.failed .status")).to_contain_text("notes.jpg is not a photo or video")


def test_the_upload_row_says_processing_until_the_worker_is_done_then_ready_or_why_it_failed(
    signed_in_page, live_server, make_staff, settings
):
    """No synchronous tasks here: the files stay processing until this test runs the worker's job,
    as a real worker would later; the rows follow (htmx polling of the status partial)."""
    from publishing.services.media.renditions import media_renditions_build

    make_staff("editor", "paula@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-processing-browser")
    page = signed_in_page("paula@test.local")
    page.goto(f"{live_server.url}/library/?client={client.pk}")
    page.locator("[data-file-input]").set_input_files(
        [
            {"name": "fine.jpg", "mimeType": "image/jpeg", "buffer": mf.jpeg_bytes(mf.photo((1200, 900)))},
            {"name": "heavy.jpg", "mimeType": "image/jpeg", "buffer": mf.jpeg_bytes(mf.photo((1600, 1200), seed=4))},
        ]
    )
    fine = page.locator(".uploads li", has_text="fine.jpg")
    heavy = page.locator(".uploads li", has_text="heavy.jpg")
    for row in (fine, heavy):
        expect(row.locator("progress")).to_have_attribute("value", "100", timeout=20_000)
        expect(row.locator(".status")).to_have_text("Processing…")
        expect(row).to_have_class(re.compile(r"\bprocessing\b"))
    page.wait_for_timeout(2500)  # a poll or two: still processing, nothing claims "Done"
    expect(fine.locator(".status")).to_have_text("Processing…")

    assets = {a.original_name: a for a in MediaAsset.objects.all()}
    media_renditions_build(asset_id=assets["fine.jpg"].pk, version=1)
    settings.MEDIA_WORK_MEMORY_MB = 60  # too little: this one fails, with the reason
    media_renditions_build(asset_id=assets["heavy.jpg"].pk, version=1)

    expect(fine.locator(".status")).to_have_text("Ready", timeout=10_000)
    expect(fine).to_have_class(re.compile(r"\bdone\b"))
    expect(heavy.locator(".status")).to_contain_text("(60 MB)", timeout=10_000)
    expect(heavy).to_have_class(re.compile(r"\bfailed\b"))
    expect(heavy.get_by_role("link", name="Open it")).to_have_attribute("href", f"/library/{assets['heavy.jpg'].pk}/")
    page.screenshot(path="var/test-results/upload-rows-final.png", full_page=True)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.wait_for_timeout(4500)
    assert not [url for url in requests if "upload-status" in url], "final rows poll no more"


def test_staff_click_the_photo_to_move_the_focal_point(signed_in_page, live_server, make_staff, sync_tasks):
    from django.core.files.base import ContentFile

    from publishing.services.media.upload import media_upload

    user = make_staff("editor", "fiona@test.local")
    client = Client.objects.create(name="Joe's Landscaping", slug="joes-browser")
    asset = media_upload(client=client, files=[ContentFile(mf.jpeg_bytes(mf.photo((1200, 800))), name="lawn.jpg")],
                         uploaded_by=user)[0].asset  # fmt: skip
    page = signed_in_page("fiona@test.local")
    page.goto(f"{live_server.url}/library/{asset.pk}/")
    expect(page.locator("#renditions")).to_contain_text("Instagram square")
    photo = page.locator("[data-focal-picker] img")
    box = photo.bounding_box()
    photo.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.3})
    expect(page.locator("#toasts")).to_contain_text("Focal point moved")
    expect(page.locator("#renditions .badge")).to_have_text("Ready", timeout=10_000)
    expect(page.get_by_role("button", name="Automatic crop")).to_be_visible()
    asset.refresh_from_db()
    assert asset.focal_x == pytest.approx(0.8, abs=0.02) and asset.focal_y == pytest.approx(0.3, abs=0.02)
    assert asset.render_version == 2


def test_staff_see_why_an_asset_failed_and_retry_it(signed_in_page, live_server, make_staff, sync_tasks, settings):
    from django.core.files.base import ContentFile

    from publishing.services.media.upload import media_upload

    make_staff("editor", "rita@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-retry-browser")
    settings.MEDIA_WORK_MEMORY_MB = 60  # too little for anything: the work fails with its reason
    asset = media_upload(client=client, files=[ContentFile(mf.jpeg_bytes(mf.photo((1600, 1200))), name="cake.jpg")])[
        0
    ].asset
    asset.refresh_from_db()
    assert asset.status == "failed"
    settings.MEDIA_WORK_MEMORY_MB = 1536
    page = signed_in_page("rita@test.local")
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/library/{asset.pk}/")
        expect(page.locator("#renditions .alert-error")).to_contain_text("memory")
        page.screenshot(path=f"var/test-results/asset-failed-{width}.png", full_page=True)
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#renditions img")).to_have_count(6, timeout=20_000)
    expect(page.locator("#renditions .alert-error")).to_have_count(0)
    asset.refresh_from_db()
    assert asset.status == "ready"
