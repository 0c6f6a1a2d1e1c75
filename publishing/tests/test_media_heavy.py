"""Heavy and hostile images: the upload request does only cheap checks; the worker does the decoding
in a child process under a work budget, a memory ceiling and a time limit, and a file over them
leaves the asset failed with the reason (which the API shows)."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from publishing.models import MediaAsset
from publishing.tests.test_media_upload import client_api_get

pytestmark = pytest.mark.django_db


def animated_gif(frames: int, size: tuple[int, int]) -> bytes:
    images = [Image.new("L", size, (i * 37) % 256) for i in range(frames)]  # each frame differs
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:])
    return out.getvalue()


def plain_png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile_gif() -> bytes:
    return animated_gif(100, (2000, 2000))  # ~390 KB; 400 megapixels to decode


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    return plain_png((9990, 9990))  # ~300 KB; 100 megapixels, 300 MB decoded


def test_a_gif_of_100_frames_of_2000x2000_is_refused_at_once_with_the_reason(upload, hostile_gif, stored_files):
    started = time.monotonic()
    response = upload(("party.gif", hostile_gif))
    took = time.monotonic() - started
    assert response.status_code == 413, response.content
    error = response.json()["error"]
    assert error["code"] == "too_many_frames"
    assert "party.gif is too heavy to process: this GIF has 100 frames of 2000×2000" in error["message"]
    assert "we accept up to 300 frames and 100 megapixels over all frames" in error["message"]
    assert MediaAsset.objects.count() == 0 and stored_files() == []
    print(f"refused in {took:.2f} s")  # nothing decoded: see bench/media_ingest.py for figures


def test_the_frame_and_pixel_budget_comes_from_settings(upload, settings):
    settings.MEDIA_MAX_FRAMES = 2
    response = upload(("three.gif", animated_gif(3, (64, 64))))
    assert response.status_code == 413
    assert "this GIF has 3 frames of 64×64" in response.json()["error"]["message"]
    assert "up to 2 frames" in response.json()["error"]["message"]


def test_a_huge_png_is_stored_without_decoding_and_made_ready_by_the_worker(
    upload, editor, huge_png, sync_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        response = upload(("flat.png", huge_png))
    assert response.status_code == 201, response.content
    item = response.json()["items"][0]
    assert item["status"] == "processing" and (item["width"], item["height"]) == (9990, 9990)
    assert item["url"], "a PNG without EXIF is cleaned in the request (chunks dropped, no decode)"
    assert len(jobs) == 1
    jobs[0]()  # the worker's job, in this process: the decoding happens in its child process
    detail = client_api_get(editor, f"/api/v1/media/{item['id']}")
    assert detail["status"] == "ready", detail["processing_error"]
    assert len(detail["renditions"]) == 7 and detail["url"]


def test_a_file_over_the_memory_ceiling_fails_with_the_reason(
    upload, editor, huge_png, settings, sync_tasks, django_capture_on_commit_callbacks
):
    settings.MEDIA_WORK_MEMORY_MB = 200  # the decoded PNG alone needs 300 MB
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("flat.png", huge_png)).json()["items"][0]
    detail = client_api_get(editor, f"/api/v1/media/{item['id']}")
    assert detail["status"] == "failed"
    assert "memory" in detail["processing_error"] and "200 MB" in detail["processing_error"]
    assert "Use Retry" in detail["processing_error"]
    asset = MediaAsset.objects.get(pk=item["id"])
    assert asset.renditions.count() == 0


def test_a_file_over_the_time_limit_fails_with_the_reason(
    upload, editor, settings, sync_tasks, django_capture_on_commit_callbacks
):
    settings.MEDIA_WORK_SECONDS = 1  # decoding and re-encoding 25 frames of 2000×2000 takes longer
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("long.gif", animated_gif(25, (2000, 2000)))).json()["items"][0]
    detail = client_api_get(editor, f"/api/v1/media/{item['id']}")
    assert detail["status"] == "failed"
    assert "1 seconds" in detail["processing_error"], detail["processing_error"]


def test_the_worker_checks_the_budget_again(upload, editor, settings, sync_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        item = upload(("three.gif", animated_gif(3, (64, 64)))).json()["items"][0]
    settings.MEDIA_MAX_FRAMES = 2  # lowered between the upload and the work
    jobs[0]()
    detail = client_api_get(editor, f"/api/v1/media/{item['id']}")
    assert detail["status"] == "failed"
    assert detail["processing_error"].startswith("This GIF has 3 frames of 64×64")


def test_a_damaged_gif_fails_in_the_worker_with_the_reason(
    upload, editor, sync_tasks, django_capture_on_commit_callbacks
):
    data = animated_gif(5, (300, 300))
    broken = data[:40] + bytes(b ^ 0x5A for b in data[40:])  # header intact, image data scrambled
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(("broken.gif", broken))
    if response.status_code != 201:  # Pillow noticed already while counting frames: refused up front
        assert response.status_code == 400 and "could not be read" in response.json()["error"]["message"]
        return
    detail = client_api_get(editor, f"/api/v1/media/{response.json()['items'][0]['id']}")
    assert detail["status"] == "failed" and "could not be" in detail["processing_error"]
