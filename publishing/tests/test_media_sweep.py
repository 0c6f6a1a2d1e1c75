"""Nothing left behind: the media sweep removes leftovers of crashed uploads and workers (temporary
files, stored files without a row, rows without their file), retries assets stuck in "processing"
a bounded number of times, and says what it did in the log and the audit trail; Retry starts over."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from agency.models import ActivityEvent
from publishing.models import MediaAsset
from publishing.services.media.upload import media_upload
from publishing.services.media_sweep import media_sweep
from publishing.tests import media_files as mf

pytestmark = pytest.mark.django_db


def age(path, seconds: float) -> None:
    """Stamp a file ``seconds`` old by this process's clock (the file system stamps with the real one)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def age_stored(name: str, seconds: float) -> None:
    age(default_storage.path(name), seconds)


def test_old_temporary_files_go_and_recent_ones_stay(settings):
    old_upload = settings.MEDIA_UPLOAD_TEMP_DIR / "tmpabc.upload.mp4"
    old_upload.write_bytes(b"x" * 1000)
    old_work = settings.MEDIA_UPLOAD_TEMP_DIR / "localbzz-work-1"
    old_work.mkdir()
    (old_work / "thumbnail.jpg").write_bytes(b"y")
    fresh = settings.MEDIA_UPLOAD_TEMP_DIR / "tmpdef.upload.jpg"
    fresh.write_bytes(b"z")
    age(fresh, 0)
    age(old_upload, 3700)
    age(old_work, 3700)
    report = media_sweep()
    assert sorted(report["temp_files"]) == ["localbzz-work-1", "tmpabc.upload.mp4"]
    assert not old_upload.exists() and not old_work.exists() and fresh.exists()


def test_a_stored_file_without_a_row_goes_once_it_is_an_hour_old(client_a, stored_files, caplog):
    kept = media_upload(client=client_a, files=[ContentFile(mf.jpeg_bytes(), name="kept.jpg")])[0].asset
    orphan = default_storage.save(f"media/{client_a.pk}/0000/crashed.jpg", ContentFile(b"half a photo"))
    in_flight = default_storage.save(f"incoming/{client_a.pk}/1111/uploading.png", ContentFile(b"arriving"))
    age_stored(in_flight, 0)
    age_stored(orphan, 3700)
    age_stored(kept.file.name, 3700)
    with caplog.at_level("INFO", logger="publishing.services.media_sweep"):
        report = media_sweep()
    assert report["orphan_files"] == [orphan]
    assert stored_files() == sorted([kept.file.name, in_flight])
    assert "Media sweep" in caplog.text
    event = ActivityEvent.objects.get(verb="media.swept")
    assert event.changes["orphan_files"] == [orphan] and event.actor is None


def test_a_row_whose_original_never_arrived_is_marked_failed(client_a):
    asset = media_upload(client=client_a, files=[ContentFile(mf.jpeg_bytes(), name="gone.jpg")])[0].asset
    default_storage.delete(asset.file.name)
    MediaAsset.objects.filter(pk=asset.pk).update(created_at=timezone.now() - timedelta(hours=2))
    report = media_sweep()
    assert report["missing_originals"] == [str(asset.pk)]
    asset.refresh_from_db()
    assert asset.status == "failed" and "missing from storage" in asset.processing_error


def test_a_stuck_asset_is_retried_a_bounded_number_of_times_then_failed(
    client_a, settings, sync_tasks, django_capture_on_commit_callbacks
):
    settings.MEDIA_PROCESSING_MAX_ATTEMPTS = 2
    asset = media_upload(client=client_a, files=[ContentFile(mf.jpeg_bytes(), name="stuck.jpg")])[0].asset
    long_ago = timezone.now() - timedelta(hours=1)
    # A worker started on it and was killed: still processing, attempt 1.
    MediaAsset.objects.filter(pk=asset.pk).update(processing_started_at=long_ago, processing_attempts=1)
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        report = media_sweep()
    assert report["retried"] == [str(asset.pk)] and len(jobs) == 1
    asset.refresh_from_db()
    assert asset.status == "processing" and asset.render_version == 2
    # That attempt dies too (the job started, then the worker was killed).
    MediaAsset.objects.filter(pk=asset.pk).update(processing_started_at=long_ago, processing_attempts=2)
    report = media_sweep()
    assert report["failed"] == [str(asset.pk)]
    asset.refresh_from_db()
    assert asset.status == "failed" and "did not finish after 2 attempts" in asset.processing_error
    assert "Retry" in asset.processing_error
    # The first retry's job arrives late: it belongs to an older version and changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        jobs[0]()
    asset.refresh_from_db()
    assert asset.status == "failed" and asset.renditions.count() == 0


def test_retry_from_the_api_makes_a_failed_asset_ready(
    client_a, api_as, editor, settings, sync_tasks, django_capture_on_commit_callbacks
):
    asset = media_upload(client=client_a, files=[ContentFile(mf.jpeg_bytes(), name="again.jpg")])[0].asset
    MediaAsset.objects.filter(pk=asset.pk).update(status="failed", processing_error="It took too long.")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(editor).post(f"/api/v1/media/{asset.pk}/retry")
    assert response.status_code == 202, response.content
    asset.refresh_from_db()
    assert asset.status == "ready" and asset.renditions.count() == 7 and asset.processing_attempts == 1
    assert ActivityEvent.objects.filter(verb="media_asset.retried", target_id=str(asset.pk)).exists()
    again = api_as(editor).post(f"/api/v1/media/{asset.pk}/retry")
    assert again.status_code == 409 and "Only a failed asset" in again.json()["error"]["message"]


def test_the_retry_button_on_the_asset_page(client, editor, client_a, sync_tasks, django_capture_on_commit_callbacks):
    asset = media_upload(client=client_a, files=[ContentFile(mf.jpeg_bytes(), name="button.jpg")])[0].asset
    MediaAsset.objects.filter(pk=asset.pk).update(status="failed", processing_error="It needs more memory.")
    client.force_login(editor)
    page = client.get(f"/library/{asset.pk}/").content.decode()
    assert "It needs more memory." in page and f"/library/{asset.pk}/retry" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/library/{asset.pk}/retry")
    assert response.status_code == 200
    asset.refresh_from_db()
    assert asset.status == "ready"
