"""Nothing left behind: the media sweep (django-q2 Schedule ``publishing.media_sweep``, every five
minutes) and the Retry of an asset whose processing failed.

The sweep reconciles storage and database both ways and reports what it did in the log and the
audit trail (verb ``media.swept``):

- upload temporary files and work directories (``MEDIA_UPLOAD_TEMP_DIR``) older than
  ``MEDIA_LEFTOVER_SECONDS`` (a web or worker process killed mid-way leaves them);
- stored files under ``media/`` and ``incoming/`` that no asset or rendition names, older than
  ``MEDIA_LEFTOVER_SECONDS`` (a crash between writing the file and committing its row), on the
  filesystem or S3;
- assets whose original is not in storage: marked failed with the reason;
- assets stuck in "processing" for ``MEDIA_PROCESSING_STALE_SECONDS`` (a worker killed
  mid-rendition): tried again, at most ``MEDIA_PROCESSING_MAX_ATTEMPTS`` attempts in all, then
  marked failed with the reason and a Retry button.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from agency.services.activity import record_event
from agency.types import Actor
from localbzz.queue import enqueue
from publishing.media.urls import INCOMING, on_filesystem
from publishing.models import MediaAsset, MediaRendition

logger = logging.getLogger(__name__)

PREFIXES = ("media/", INCOMING)


@transaction.atomic
def media_retry(*, actor: Actor, asset: MediaAsset, sweep: bool = False) -> MediaAsset:
    """Make the asset's renditions again (and clean its original if that was not done): a new
    render version, status processing, one job. ``sweep`` keeps the attempt count (a person's
    Retry starts it again)."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset.pk)
    asset.render_version += 1
    asset.status, asset.processing_error = MediaAsset.Status.PROCESSING, ""
    asset.processing_started_at = timezone.now()
    if not sweep:
        asset.processing_attempts = 0
    asset.save(
        update_fields=["render_version", "status", "processing_error", "processing_started_at",
                       "processing_attempts", "updated_at"]
    )  # fmt: skip
    enqueue("publishing.tasks.media_renditions_make", str(asset.pk), asset.render_version, group="media")
    if not sweep:
        record_event(actor, "media_asset.retried", asset, {"status": ["failed", "processing"]})
    return asset


def media_sweep() -> dict[str, list[str]]:
    """One pass of the sweep; returns what it did (names of removed files, ids of assets)."""
    report: dict[str, list[str]] = {
        "temp_files": _sweep_temp_dir(),
        "orphan_files": [],
        "missing_originals": [],
        "retried": [],
        "failed": [],
    }
    stored = _stored_files()
    old = time.time() - settings.MEDIA_LEFTOVER_SECONDS
    referenced = set(MediaAsset.objects.exclude(file="").values_list("file", flat=True))
    referenced |= set(MediaRendition.objects.values_list("file", flat=True))
    for name, modified in stored.items():
        if name not in referenced and modified < old:
            default_storage.delete(name)
            report["orphan_files"].append(name)
    if on_filesystem():
        _remove_empty_folders()
    cutoff = timezone.now() - timedelta(seconds=settings.MEDIA_LEFTOVER_SECONDS)
    rows = MediaAsset.objects.filter(created_at__lt=cutoff).exclude(status=MediaAsset.Status.FAILED)
    for pk, name in rows.values_list("pk", "file").iterator():
        if name not in stored:
            MediaAsset.objects.filter(pk=pk).update(
                status=MediaAsset.Status.FAILED,
                processing_error="The original file is missing from storage (its upload never finished). "
                "Delete this entry and upload the file again.",
            )
            report["missing_originals"].append(str(pk))
    _sweep_stuck(report)
    if any(report.values()):
        logger.info("Media sweep: %s", {k: len(v) for k, v in report.items()})
        record_event(None, "media.swept", None, {k: v[:100] for k, v in report.items() if v}, client_scoped=False)
    return report


def _sweep_stuck(report: dict[str, list[str]]) -> None:
    stale = timezone.now() - timedelta(seconds=settings.MEDIA_PROCESSING_STALE_SECONDS)
    stuck = MediaAsset.objects.annotate(since=Coalesce("processing_started_at", "created_at")).filter(
        status=MediaAsset.Status.PROCESSING, since__lt=stale
    )
    limit = settings.MEDIA_PROCESSING_MAX_ATTEMPTS
    for asset in stuck:
        if asset.processing_attempts >= limit:
            changed = MediaAsset.objects.filter(pk=asset.pk, status=MediaAsset.Status.PROCESSING).update(
                status=MediaAsset.Status.FAILED,
                processing_error=f"Processing did not finish after {asset.processing_attempts} attempts (the "
                "worker stopped each time). Use Retry to try again, or upload a smaller version.",
                render_version=F("render_version") + 1,  # a late job of an old attempt changes nothing
            )
            if changed:
                report["failed"].append(str(asset.pk))
        else:
            media_retry(actor=None, asset=asset, sweep=True)
            report["retried"].append(str(asset.pk))


def _sweep_temp_dir() -> list[str]:
    """Remove entries of the upload temporary folder older than MEDIA_LEFTOVER_SECONDS."""
    root = settings.MEDIA_UPLOAD_TEMP_DIR
    old = time.time() - settings.MEDIA_LEFTOVER_SECONDS
    removed: list[str] = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return removed
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= old:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
        except FileNotFoundError:
            continue
    return removed


def _stored_files() -> dict[str, float]:
    """Every stored name under PREFIXES with its modification time (unix seconds)."""
    found: dict[str, float] = {}
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # S3: one listing gives names and times
        location = (getattr(default_storage, "location", "") or "").strip("/")
        for prefix in PREFIXES:
            full = f"{location}/{prefix}" if location else prefix
            for obj in bucket.objects.filter(Prefix=full):
                name = obj.key[len(location) + 1 :] if location else obj.key
                found[name] = obj.last_modified.timestamp()
        return found
    root = _local_root()
    for prefix in PREFIXES:
        top = os.path.join(root, prefix)
        for folder, _dirs, files in os.walk(top):
            for file_name in files:
                path = os.path.join(folder, file_name)
                try:
                    found[os.path.relpath(path, root).replace(os.sep, "/")] = os.stat(path).st_mtime
                except FileNotFoundError:
                    continue
    return found


def _local_root() -> str:
    """The folder of the file-system storage (the S3 storage is listed through its bucket instead)."""
    return str(getattr(default_storage, "location", ""))


def _remove_empty_folders() -> None:
    root = _local_root()
    for prefix in PREFIXES:
        for folder, _dirs, _files in os.walk(os.path.join(root, prefix), topdown=False):
            if folder.rstrip("/") != os.path.join(root, prefix).rstrip("/"):
                try:
                    os.rmdir(folder)  # only succeeds when empty
                except OSError:
                    continue
