"""Importing a shoot folder into the client's media library, as a background job.

``start`` answers the folder's active job (no second one alongside), re-queues one whose worker
died (no heartbeat for ``STALE``), or makes and queues a new one. ``run`` (the task) lists the
folder, and for every photo or video not imported before (same storage file id and checksum:
``ImportedFile``) downloads it to a temporary file and hands it to the media library's own upload
(``publishing.services.media.media_upload``: checks, GPS stripped, renditions), recording the
ImportedFile in the same transaction — so a crash between two files loses nothing and repeats
nothing, and a rerun resumes. A file deleted or refused midway is counted as failed with its
reason; the job goes on.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from integrations.storage import services
from integrations.storage.models import ImportedFile, ShootFolder, StorageImport
from integrations.storage.providers import StorageError, StorageFile, client
from localbzz.queue import enqueue
from publishing.services.media.upload import MediaRejected, media_upload

logger = logging.getLogger("localbzz.storage")
TASK = "integrations.storage.imports.run"
STALE = timedelta(minutes=5)
MEDIA_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".mp4", ".mov")


def start(folder: ShootFolder, *, actor) -> tuple[StorageImport, bool]:
    """The job to poll, and whether it was (re)queued now."""
    with transaction.atomic():
        active = (
            StorageImport.objects.select_for_update().filter(folder=folder, status__in=StorageImport.ACTIVE).first()
        )
        if active and active.updated_at > timezone.now() - STALE:
            return active, False
        job = active or StorageImport.objects.create(folder=folder, started_by=actor)
        if active:
            active.status = StorageImport.Status.QUEUED
            active.save(update_fields=["status", "updated_at"])
        enqueue(TASK, str(job.pk), group="storage-import")
    return job, True


def is_media(file: StorageFile) -> bool:
    if file.is_folder:
        return False
    return file.mime_type.startswith(("image/", "video/")) or file.name.lower().endswith(MEDIA_EXTENSIONS)


def _all_files(folder: ShootFolder) -> list[StorageFile]:
    found, token = [], ""
    while True:
        page, token = services.list_files(folder, page_token=token, page_size=1000)
        found += [f for f in page if is_media(f)]
        if not token:
            return found


def run(job_id: str) -> str:
    job = StorageImport.objects.select_related("folder__shoot__client", "started_by").filter(pk=job_id).first()
    if job is None or job.status in (StorageImport.Status.DONE, StorageImport.Status.FAILED):
        return "nothing to do"
    job.status = StorageImport.Status.RUNNING
    job.imported = job.skipped = job.failed = 0
    job.problems = []
    job.save(update_fields=["status", "imported", "skipped", "failed", "problems", "updated_at"])
    try:
        files = _all_files(job.folder)
        job.total = len(files)
        job.save(update_fields=["total", "updated_at"])
        for file in files:
            _one(job, file)
    except StorageError as error:
        job.status, job.error = StorageImport.Status.FAILED, error.message[:500]
    else:
        job.status = StorageImport.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "updated_at"])
    return job.status


def _one(job: StorageImport, file: StorageFile) -> None:
    folder = job.folder
    if not file.checksum:
        _problem(job, file, "The storage gave no checksum for this file, so it cannot be imported safely.")
        job.save(update_fields=["failed", "problems", "updated_at"])
        return
    if ImportedFile.objects.filter(provider=folder.provider, external_id=file.id, checksum=file.checksum).exists():
        job.skipped += 1
        job.save(update_fields=["skipped", "updated_at"])
        return
    connection = services.connection_for(folder.provider)
    api = client(folder.provider)
    with tempfile.NamedTemporaryFile(prefix="localbzz-storage-", dir=settings.MEDIA_UPLOAD_TEMP_DIR) as out:
        try:
            services.authorized(connection, lambda token: _download(api, token, file, out))
        except StorageError as error:
            if error.kind not in ("not_found", "invalid"):
                raise  # rate limits that outlast the retries, a dead connection: the job stops, resumable
            _problem(job, file, "It was deleted or moved in the storage before it could be imported.")
            job.save(update_fields=["failed", "problems", "updated_at"])
            return
        out.seek(0)
        try:
            with transaction.atomic():
                shoot = folder.shoot
                results = media_upload(
                    client=shoot.client,
                    files=[File(out, name=file.name)],
                    uploaded_by=job.started_by,
                    folder=shoot.title[:100],
                )
                ImportedFile.objects.create(
                    provider=folder.provider,
                    external_id=file.id,
                    checksum=file.checksum,
                    asset=results[0].asset,
                    job=job,
                )
        except MediaRejected as rejected:
            _problem(job, file, "; ".join(p.message for p in rejected.problems))
            job.save(update_fields=["failed", "problems", "updated_at"])
            return
    job.imported += 1
    job.save(update_fields=["imported", "updated_at"])


def _download(api, token: str, file: StorageFile, out) -> None:
    out.seek(0)
    out.truncate()
    api.download(token, file, out)


def _problem(job: StorageImport, file: StorageFile, message: str) -> None:
    job.failed += 1
    job.problems = [*job.problems, {"name": file.name, "message": message[:300]}][-100:]
