"""Uploading through the API: several files, renditions in the background, duplicates, privacy."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageStat

from agency.models import ActivityEvent
from publishing.media.presets import PRESETS, THUMBNAIL
from publishing.models import MediaAsset
from publishing.tests import media_files as mf

pytestmark = pytest.mark.django_db


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_uploads_several_files_and_makes_every_rendition_after_commit(
    upload, client, sync_tasks, django_capture_on_commit_callbacks, editor, stored_files
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            ("shopfront.jpg", mf.jpeg_bytes(mf.photo((1600, 1200)))),
            ("logo.png", mf.image_bytes("PNG", mf.photo((800, 800), seed=2))),
            ("banner.webp", mf.image_bytes("WEBP", mf.photo((1000, 500), seed=3))),
            tags="Summer, storefront",
            folder="Spring shoot",
        )
    assert response.status_code == 201, response.json()
    items = response.json()["items"]
    assert [i["name"] for i in items] == ["shopfront.jpg", "logo.png", "banner.webp"]
    assert [i["content_type"] for i in items] == ["image/jpeg", "image/png", "image/webp"]
    assert items[0]["status"] == "processing" and items[0]["existing"] is False
    assert items[0]["tags"] == ["storefront", "summer"] and items[0]["folder"] == "Spring shoot"

    detail = client_api_get(editor, f"/api/v1/media/{items[0]['id']}")
    assert detail["status"] == "ready"
    assert (detail["width"], detail["height"], detail["kind"], detail["uploaded_by"]) == (
        1600,
        1200,
        "image",
        "Editor Tester",
    )
    assert sorted(r["preset"] for r in detail["renditions"]) == sorted([*PRESETS, THUMBNAIL.name])
    client.force_login(editor)
    for rendition in detail["renditions"]:
        data = fetch(client, rendition["url"])
        im = Image.open(io.BytesIO(data))
        assert im.format == "JPEG"
        assert im.size == (rendition["width"], rendition["height"]) and len(data) == rendition["bytes"]
        if rendition["preset"] in PRESETS:
            preset = PRESETS[rendition["preset"]]
            assert im.size == (preset.width, preset.height) and len(data) <= preset.max_bytes
    assert fetch(client, detail["thumbnail_url"])[:3] == b"\xff\xd8\xff"
    asset = MediaAsset.objects.get(pk=items[0]["id"])
    assert asset.sha256 and asset.bytes == len(fetch(client, detail["url"]))
    # 3 originals + 7 renditions each
    assert len(stored_files()) == 3 + 3 * 7


def client_api_get(user, path: str) -> dict:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    response = api.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_same_file_again_returns_the_existing_asset(upload, client_b, stored_files):
    data = mf.jpeg_bytes()
    first = upload(("a.jpg", data)).json()["items"][0]
    again = upload(("copy-of-a.jpg", data))
    assert again.status_code == 200
    item = again.json()["items"][0]
    assert item["id"] == first["id"] and item["existing"] is True and item["name"] == "a.jpg"
    assert MediaAsset.objects.count() == 1
    # Another client uploading the same file gets its own asset.
    other = upload(("a.jpg", data), client=client_b)
    assert other.status_code == 201 and other.json()["items"][0]["id"] != first["id"]
    assert len(stored_files()) == 2
    events = ActivityEvent.objects.filter(verb="media_asset.uploaded")
    assert events.count() == 2 and events.filter(client=client_b).count() == 1


def test_twice_the_same_file_in_one_request_is_one_asset(upload):
    data = mf.jpeg_bytes()
    items = upload(("a.jpg", data), ("b.jpg", data)).json()["items"]
    assert items[0]["id"] == items[1]["id"] and [i["existing"] for i in items] == [False, True]


def _has_gps(data: bytes) -> bool:
    exif = Image.open(io.BytesIO(data)).getexif()
    return mf.GPS_IFD in exif or bool(exif.get_ifd(mf.GPS_IFD))


def test_gps_is_gone_from_the_original_we_serve_and_every_rendition(
    upload, client, editor, sync_tasks, django_capture_on_commit_callbacks
):
    source = mf.jpeg_bytes(mf.photo((1200, 800)), gps=True, orientation=6)
    assert _has_gps(source)
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("IMG_0042.jpg", source)).json()["items"][0]
    detail = client_api_get(editor, f"/api/v1/media/{item['id']}")
    client.force_login(editor)
    original = fetch(client, detail["url"])
    assert not _has_gps(original)
    im = Image.open(io.BytesIO(original))
    assert im.size == (800, 1200), "the portrait photo is stored upright"
    assert im.getexif().get(0x0112) in (None, 1)
    assert im.getexif().get(0x010F) == "LocalBzz Test Camera", "harmless EXIF is kept"
    assert (detail["width"], detail["height"]) == (800, 1200)
    assert len(detail["renditions"]) == 7
    for rendition in detail["renditions"]:
        assert not _has_gps(fetch(client, rendition["url"]))


def test_an_upright_srgb_jpeg_keeps_its_pixels_and_loses_only_location(upload, client, editor):
    source = mf.jpeg_bytes(gps=True)
    item = upload(("upright.jpg", source)).json()["items"][0]
    client.force_login(editor)
    original = fetch(client, item["url"])
    assert not _has_gps(original) and len(original) < len(source)
    before, after = Image.open(io.BytesIO(source)), Image.open(io.BytesIO(original))
    assert before.tobytes() == after.tobytes(), "no re-encoding"


def test_a_polyglot_keeps_nothing_after_the_image(upload, client, editor):
    source = mf.jpeg_bytes() + b"<html><script>alert(1)</script></html>"
    item = upload(("trick.jpg", source)).json()["items"][0]
    client.force_login(editor)
    original = fetch(client, item["url"])
    assert b"<script>" not in original and original.endswith(b"\xff\xd9")


def test_heic_photos_are_kept_as_upright_jpeg_without_location(
    upload, client, editor, sync_tasks, django_capture_on_commit_callbacks
):
    im = mf.photo((900, 600))
    exif = Image.Exif()
    exif[0x0112] = 8
    exif.get_ifd(mf.GPS_IFD)[1] = "N"
    out = io.BytesIO()
    im.save(out, "HEIF", exif=exif.tobytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(("IMG_2231.HEIC", out.getvalue()))
    assert response.status_code == 201, response.json()
    assert response.json()["items"][0]["url"] is None, "not served before the worker has cleaned it"
    item = client_api_get(editor, f"/api/v1/media/{response.json()['items'][0]['id']}")
    assert item["status"] == "ready", item["processing_error"]
    assert item["content_type"] == "image/jpeg" and (item["width"], item["height"]) == (600, 900)
    client.force_login(editor)
    original = fetch(client, item["url"])
    assert Image.open(io.BytesIO(original)).format == "JPEG" and not _has_gps(original)


def test_a_png_with_location_is_never_served_before_the_worker_strips_it(
    upload, client, editor, sync_tasks, django_capture_on_commit_callbacks, stored_files
):
    from publishing.media.urls import signed_path

    exif = Image.Exif()
    exif.get_ifd(mf.GPS_IFD)[1] = "N"
    source = mf.image_bytes("PNG", mf.photo((640, 480)), exif=exif.tobytes())
    assert _has_gps(source)
    response = upload(("map.png", source))
    item = response.json()["items"][0]
    assert response.status_code == 201 and item["url"] is None and item["status"] == "processing"
    incoming = MediaAsset.objects.get(pk=item["id"]).file.name
    assert incoming.startswith("incoming/")
    client.force_login(editor)
    assert client.get(signed_path(incoming, 600)).status_code == 403, "even a correctly signed link is refused"

    from publishing.tasks import media_renditions_make

    with django_capture_on_commit_callbacks(execute=True):
        assert media_renditions_make(item["id"], 1) == "done"
    detail = client_api_get(editor, f"/api/v1/media/{item['id']}")
    assert detail["status"] == "ready" and detail["url"]
    assert not _has_gps(fetch(client, detail["url"]))
    assert not any(name.startswith("incoming/") for name in stored_files()), "the raw upload is gone"


def test_a_png_loses_its_text_chunks_in_the_request_without_a_decode(upload, client, editor):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "37.7749 N, 122.4194 W")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPSLatitude 37.7749</x:xmpmeta>")
    source = mf.image_bytes("PNG", mf.photo((320, 200)), pnginfo=info)
    item = upload(("screenshot.png", source)).json()["items"][0]
    assert item["url"], "served at once: no location left to remove"
    client.force_login(editor)
    original = fetch(client, item["url"])
    assert b"37.7749" not in original and b"xmpmeta" not in original
    assert Image.open(io.BytesIO(original)).tobytes() == Image.open(io.BytesIO(source)).tobytes()


def test_cmyk_photos_are_stored_in_rgb(upload, client, editor, sync_tasks, django_capture_on_commit_callbacks):
    cmyk = mf.photo().convert("CMYK")
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("print.jpg", mf.image_bytes("JPEG", cmyk))).json()["items"][0]
    item = client_api_get(editor, f"/api/v1/media/{item['id']}")
    client.force_login(editor)
    assert Image.open(io.BytesIO(fetch(client, item["url"]))).mode == "RGB"


def test_the_crop_keeps_the_busy_part_until_a_focal_point_moves_it(
    upload, editor, api_as, sync_tasks, django_capture_on_commit_callbacks
):
    # A wide plain photo with all its detail near the left edge.
    source = mf.jpeg_bytes(mf.photo((2400, 800), colour=(200, 200, 200), detail_at=0.12))
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("wide.jpg", source)).json()["items"][0]
    asset = MediaAsset.objects.get(pk=item["id"])

    def square_detail() -> float:
        asset.refresh_from_db()
        with asset.rendition("instagram_square").file.open("rb") as fh:
            return ImageStat.Stat(Image.open(fh).convert("L")).stddev[0]

    assert square_detail() > 20, "the attention crop found the detail on the left"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(editor).patch(
            f"/api/v1/media/{asset.pk}", {"focal_point": {"x": 0.9, "y": 0.5}}, format="json"
        )
    assert response.status_code == 200 and response.json()["focal_point"] == {"x": 0.9, "y": 0.5}
    assert square_detail() < 5, "the crop follows the focal point to the plain right side"
    asset.refresh_from_db()
    assert asset.status == "ready" and asset.render_version == 2 and asset.renditions.count() == 7


def test_an_animated_gif_keeps_its_frames_and_gets_renditions_of_the_first(
    upload, client, editor, sync_tasks, django_capture_on_commit_callbacks
):
    frames = [
        mf.photo((300, 200), colour=c, seed=i) for i, c in enumerate([(200, 40, 40), (40, 200, 40), (40, 40, 200)])
    ]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0, comment=b"secret place")
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("wave.gif", out.getvalue())).json()["items"][0]
    item = client_api_get(editor, f"/api/v1/media/{item['id']}")
    client.force_login(editor)
    stored = Image.open(io.BytesIO(fetch(client, item["url"])))
    assert stored.format == "GIF" and stored.n_frames == 3 and "comment" not in stored.info
    assert MediaAsset.objects.get(pk=item["id"]).renditions.count() == 7


def test_posting_many_files_loads_the_answer_in_a_fixed_number_of_queries(upload, django_assert_max_num_queries):
    files = [(f"p{i}.png", mf.image_bytes("PNG", mf.photo((32, 32), seed=i))) for i in range(12)]
    with django_assert_max_num_queries(12 * 8 + 20):  # per file: look-up, insert, tags, event, job
        response = upload(*files)
    assert response.status_code == 201 and len(response.json()["items"]) == 12


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("holiday.jpg", "holiday.jpg"),
        ("C:\\\\fakepath/../../etc/beach.png", "beach.png"),
        ("  spaced \t out .jpg ", "spaced out .jpg"),
        ("nul\x00byte.jpg", "nulbyte.jpg"),
        ("", "upload"),
        ("a" * 300 + ".jpeg", "a" * 249 + "….jpeg"),
        ("b" * 300, "b" * 254 + "…"),
    ],
)
def test_display_name_is_storable_short_and_keeps_the_extension(given, shown):
    from publishing.media.uploads import display_name

    assert display_name(given) == shown
    assert len(display_name(given)) <= 255
