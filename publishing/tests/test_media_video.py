"""Videos: details and poster with ffmpeg, still stored and usable without it, location removed."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from publishing.media import video, work
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


# The poster frame runs under the same ceilings as the image work child --------------------------


def _ffmpeg_wrapper(tmp_path, body: str):
    """An ``ffmpeg`` first on PATH: a shell script running ``body`` (``$REAL`` is the real ffmpeg)."""
    import shutil

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "ffmpeg"
    script.write_text(f'#!/bin/sh\nREAL="{shutil.which("ffmpeg")}"\n{body}\n')
    script.chmod(0o755)
    return bin_dir


@needs_ffmpeg
def test_ffmpeg_takes_the_poster_under_the_memory_cpu_and_time_limits(tmp_path, monkeypatch):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(mf.mp4_bytes(tmp_path, seconds=2))
    record = tmp_path / "limits.txt"
    report = f'{{ ulimit -v; ulimit -t; ps -o ni= -p $$; ps -o pgid= -p $$; }} > "{record}"'
    bin_dir = _ffmpeg_wrapper(tmp_path, f'{report}\nexec "$REAL" "$@"')
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    out = tmp_path / "poster.jpg"
    assert video.poster_frame(str(clip), str(out), 2.0, memory_mb=700, seconds=20)
    assert out.read_bytes()[:2] == b"\xff\xd8", "a JPEG"
    memory_kb, cpu_seconds, nice, group = record.read_text().split()
    assert (int(memory_kb), int(cpu_seconds)) == (700 * 1024, 20)
    assert int(nice) >= 10 and int(group) != os.getpgrp(), "niced, in its own process group"


@needs_ffmpeg
def test_a_video_over_the_memory_ceiling_is_failed_with_the_reason(
    upload, editor, api_as, tmp_path, settings, sync_tasks, django_capture_on_commit_callbacks
):
    settings.MEDIA_WORK_MEMORY_MB = 100  # the real ffmpeg cannot even map its libraries in 100 MB
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(("hostile.mp4", mf.mp4_bytes(tmp_path, seconds=2)))
    assert response.status_code == 201, response.json()
    detail = api_as(editor).get(f"/api/v1/media/{response.json()['items'][0]['id']}").json()
    assert detail["status"] == "failed" and detail["poster_url"] is None and detail["renditions"] == []
    assert "within our limits per file (100 MB of memory" in detail["processing_error"]
    assert "Upload a smaller version (fewer pixels, e.g. 1080p, or a shorter clip)" in detail["processing_error"]

    settings.MEDIA_WORK_MEMORY_MB = 1536  # the same file, retried with room enough, gets its poster
    from publishing.services.media_sweep import media_retry

    asset = MediaAsset.objects.get(pk=detail["id"])
    with django_capture_on_commit_callbacks(execute=True):
        media_retry(actor=editor, asset=asset)
    asset.refresh_from_db()
    assert asset.status == "ready" and sorted(r.preset for r in asset.renditions.all()) == ["poster", "thumbnail"]


def test_an_ffmpeg_over_the_time_limit_is_killed_with_its_group_and_the_asset_fails(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    bin_dir = _ffmpeg_wrapper(tmp_path, f'sleep 60 & echo $! > "{pids}"\nwait')
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    started = time.monotonic()
    with pytest.raises(work.WorkFailed, match="took longer than 1 seconds"):
        video.poster_frame(str(tmp_path / "any.mp4"), str(tmp_path / "poster.jpg"), 2.0, memory_mb=1536, seconds=1)
    assert time.monotonic() - started < 10
    status = Path(f"/proc/{int(pids.read_text())}/status")
    deadline = time.monotonic() + 5
    while status.exists() and "zombie" not in status.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not status.exists() or "zombie" in status.read_text(), "the whole group went: nothing outlives it"


def test_a_frame_ffmpeg_cannot_read_fails_the_asset_with_what_to_do(tmp_path, monkeypatch):
    bin_dir = _ffmpeg_wrapper(tmp_path, 'echo "moov atom not found" >&2\nexit 1')
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    with pytest.raises(work.WorkFailed, match=r"Export it again as an MP4 \(H.264\)"):
        video.poster_frame(str(tmp_path / "any.mp4"), str(tmp_path / "poster.jpg"), 2.0, memory_mb=1536, seconds=5)
