"""Uploads any time on the portal, the library grid, and deleting one's own unused uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from publishing.models import MediaAsset
from publishing.services import posts as post_services
from publishing.services.media import upload as upload_services
from publishing.tests.media_files import jpeg_bytes, photo

pytestmark = pytest.mark.django_db


def _upload(browser, *names):
    files = [
        SimpleUploadedFile(n, jpeg_bytes(photo(seed=i + 1)), content_type="image/jpeg") for i, n in enumerate(names)
    ]
    return browser.post("/media/upload", {"files": files, "client_id": "ignored"})


def test_a_client_uploads_into_its_own_library(client_a, joe, portal_as):
    response = _upload(portal_as(client_a, joe), "patio.jpg")
    assert response.status_code == 201
    item = response.json()["items"][0]
    asset = MediaAsset.objects.get(pk=item["id"])
    assert asset.client == client_a and asset.uploaded_by == joe.user
    assert item["name"] == "patio.jpg" and item["url"]


def test_the_client_id_field_cannot_send_files_elsewhere(client_a, client_b, joe, portal_as):
    browser = portal_as(client_a, joe)
    files = [SimpleUploadedFile("x.jpg", jpeg_bytes(photo()), content_type="image/jpeg")]
    browser.post("/media/upload", {"files": files, "client_id": str(client_b.pk)})
    assert MediaAsset.objects.filter(client=client_b).count() == 0
    assert MediaAsset.objects.filter(client=client_a).count() == 1


def test_a_bad_file_gets_a_message_and_nothing_is_stored(client_a, joe, portal_as):
    response = portal_as(client_a, joe).post(
        "/media/upload", {"files": [SimpleUploadedFile("notes.txt", b"just text", content_type="text/plain")]}
    )
    assert response.status_code == 415
    assert "notes.txt" in response.json()["error"]["message"]
    assert not MediaAsset.objects.exists()


def test_the_library_lists_the_client_s_files_only(client_a, client_b, joe, bella, portal_as):
    _upload(portal_as(client_a, joe), "joes-lawn.jpg")
    _upload(portal_as(client_b, bella), "bellas-bread.jpg")
    page = portal_as(client_a, joe).get("/media/").content.decode()
    assert "joes-lawn.jpg" in page and "bellas-bread.jpg" not in page
    assert 'data-endpoint="/media/upload"' in page  # the upload box posts to the portal itself


def test_a_client_deletes_its_own_unused_upload(client_a, joe, portal_as):
    browser = portal_as(client_a, joe)
    asset_id = _upload(browser, "oops.jpg").json()["items"][0]["id"]
    assert browser.post(f"/media/{asset_id}/delete").status_code == 302
    assert not MediaAsset.objects.filter(pk=asset_id).exists()


def test_a_client_cannot_delete_the_agency_s_files(client_a, joe, portal_as, owner):
    [result] = upload_services.media_upload(
        client=client_a, files=[SimpleUploadedFile("shoot.jpg", jpeg_bytes(photo()))], uploaded_by=owner
    )
    browser = portal_as(client_a, joe)
    response = browser.post(f"/media/{result.asset.pk}/delete", follow=True)
    assert "Files from the agency cannot be deleted here" in response.content.decode()
    assert MediaAsset.objects.filter(pk=result.asset.pk).exists()


def test_a_client_cannot_delete_an_upload_a_post_uses(client_a, joe, portal_as, owner):
    browser = portal_as(client_a, joe)
    asset_id = _upload(browser, "used.jpg").json()["items"][0]["id"]
    post_services.post_create(actor=owner, client=client_a, caption="Uses it", media=[asset_id])
    response = browser.post(f"/media/{asset_id}/delete", follow=True)
    assert MediaAsset.objects.filter(pk=asset_id).exists()
    assert "used.jpg is used by the post “Uses it”" in response.content.decode()


def test_a_600_character_name_through_the_client_api_is_shortened(joe_api):
    from publishing.tests.media_files import raw_multipart

    response = raw_multipart(joe_api, "/api/v1/client/media/upload", "ü" * 600 + ".jpg", jpeg_bytes())
    assert response.status_code == 201, response.content
    name = response.json()["items"][0]["name"]
    assert len(name) <= 255 and name.startswith("ü" * 200) and name.endswith(".jpg")


def test_odd_text_in_the_upload_box_fields_is_no_server_error(client_a, joe, portal_as):
    browser = portal_as(client_a, joe)
    photo_file = SimpleUploadedFile("a\x00b.jpg", jpeg_bytes(photo((300, 200))))
    response = browser.post("/media/upload", {"files": [photo_file], "folder": "x\x00y", "tags": "t\x00u, v"})
    assert response.status_code == 201, response.content
    asset = MediaAsset.objects.get()
    assert (asset.original_name, asset.folder.name, sorted(t.name for t in asset.tags.all())) == (
        "ab.jpg",
        "xy",
        ["tu", "v"],
    )


def test_a_file_still_being_cleaned_has_a_media_url_that_submit_understands_after_the_swap(
    joe_api, sync_tasks, django_capture_on_commit_callbacks
):
    """A GIF is cleaned by the worker: the upload answers before that, with a reference URL (not a
    download link) that still names the asset once the cleaned file has replaced the upload."""
    from PIL import Image

    from portal.selectors import media_by_urls

    out = __import__("io").BytesIO()
    frames = [Image.new("L", (40, 40), v) for v in (10, 200)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        response = joe_api.post(
            "/api/v1/client/media/upload",
            {"files": [SimpleUploadedFile("wave.gif", out.getvalue())]},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["items"][0]["url"] is None and "/incoming/" in body["media_urls"][0]
    asset = MediaAsset.objects.get(pk=body["media_ids"][0])
    assert media_by_urls(asset.client, body["media_urls"]) == ([asset], [])
    jobs[0]()
    asset.refresh_from_db()
    assert asset.status == "ready" and asset.file.name.startswith("media/")
    assert media_by_urls(asset.client, body["media_urls"]) == ([asset], [])


def test_the_upload_row_says_why_without_the_staff_retry_hint_and_only_for_the_client_s_files(
    client_a, client_b, joe, bella, portal_as, settings, sync_tasks, django_capture_on_commit_callbacks
):
    """The portal's upload box asks its own status partial: "Processing…" (polling), then the reason
    a client can act on (no Retry button here: they upload a smaller file)."""
    import re

    def state(html: str) -> str:
        match = re.search(r'data-upload-state="(\w+)"', html)
        assert match, html
        return match.group(1)

    browser = portal_as(client_a, joe)
    page = browser.get("/media/").content.decode()
    assert 'data-status-url="/media/00000000-0000-0000-0000-000000000000/upload-status"' in page
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        item = _upload(browser, "patio.jpg").json()["items"][0]
    url = f"/media/{item['id']}/upload-status"
    html = browser.get(url).content.decode()
    assert state(html) == "processing" and f'hx-get="{url}"' in html
    assert 'hx-trigger="live"' in html and 'data-live-poll="2"' in html  # a live signal, or a poll without a socket

    settings.MEDIA_WORK_MEMORY_MB = 60  # too little to decode anything: the worker fails the asset
    jobs[0]()
    html = browser.get(url).content.decode()
    assert state(html) == "failed" and "(60 MB)" in html and "Upload a smaller version" in html
    assert "hx-trigger" not in html, "final: the polling stops"
    assert "Retry" not in html and "Open it" not in html, "clients have no Retry button"

    other = portal_as(client_b, bella).get(url).content.decode()
    assert state(other) == "gone" and "60 MB" not in other, "another client's file says nothing about it"
    assert portal_as(client_a).get(url).status_code == 302, "signed-in clients only"
