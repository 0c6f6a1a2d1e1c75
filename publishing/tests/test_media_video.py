"""Videos: details and poster with ffmpeg, still stored and usable without it, location removed."""

from __future__ import annotations

import json
import subprocess

import pytest

from publishing.media import video
from publishing.models import MediaAsset
from publishing.tests import media_files as mf

pytestmark = pytest.mark.django_db
needs_ffmpeg = pytest.mark.skipif(not mf.has_ffmpeg(), reason="ffmpeg/ffprobe are not installed")


def tags_of(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
                         capture_output=True, check=True).stdout  # fmt: skip
    return json.loads(out)["format"].get("tags", {})


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["mp4", "mov"])
def test_a_video_gets_its_details_a_poster_and_loses_its_location(
    upload, tmp_path, settings, sync_tasks, django_capture_on_commit_callbacks, fmt
):
    data = mf.mp4_bytes(tmp_path, seconds=2, fmt=fmt)
    (tmp_path / "in").write_bytes(data)
    assert any("location" in k for k in tags_of(tmp_path / "in"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload((f"clip.{fmt}", data))
    assert response.status_code == 201, response.json()
    item = response.json()["items"][0]
    assert item["kind"] == "video" and item["content_type"] == ("video/mp4" if fmt == "mp4" else "video/quicktime")
    assert (item["width"], item["height"]) == (320, 240) and item["duration"] == pytest.approx(2.0, abs=0.1)
    asset = MediaAsset.objects.get(pk=item["id"])
    assert not any("location" in k for k in tags_of(settings.MEDIA_ROOT / asset.file.name))
    assert asset.status == "ready"
    assert sorted(r.preset for r in asset.renditions.all()) == ["poster", "thumbnail"]
    assert (asset.rendition("poster").width, asset.rendition("poster").height) == (320, 240)


def test_without_ffmpeg_a_video_is_still_stored_and_usable(
    upload, monkeypatch, client, editor, sync_tasks, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert video.tool("ffprobe") is None and video.tool("ffmpeg") is None
    data = mf.minimal_mp4()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(("clip.mp4", data))
    assert response.status_code == 201, response.json()
    item = response.json()["items"][0]
    assert item["duration"] is None and item["width"] is None
    asset = MediaAsset.objects.get(pk=item["id"])
    assert asset.status == "ready" and asset.renditions.count() == 0
    client.force_login(editor)
    served = client.get(item["url"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == data
    assert served["Content-Type"] == "video/mp4"
    page = client.get(f"/library/{asset.pk}/")
    assert "ffmpeg is not installed" in page.content.decode()


@needs_ffmpeg
def test_ffprobe_refuses_a_box_shaped_file_that_is_no_video(upload):
    response = upload(("fake.mp4", mf.minimal_mp4()))
    assert response.status_code == 400
    assert "fake.mp4 could not be read as a video" in response.json()["error"]["message"]
