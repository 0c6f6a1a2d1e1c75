"""Importing a shoot folder into the client's media library, as a background job.

``start`` answers the folder's active job (no second one alongside), re-queues one whose worker
died (no heartbeat for ``STORAGE_IMPORT_STALE_SECONDS``; ``sweep`` does it every minute), or
makes and queues a new one: of every photo and video (``all``), of those new since the last
whole-folder import (``new``: the provider's change feed), or of picked files (``selected``).
``run`` (the task) claims the job (a second delivery of a running job does nothing), finds its
files, and for every photo or video not imported before (same storage file id and checksum:
``ImportedFile``) downloads it to a temporary file and hands it to the media library's own upload
(``publishing.services.media.media_upload``: checks, GPS stripped, renditions), recording the
ImportedFile in the same transaction — so a crash between two files loses nothing and repeats
nothing, and a rerun resumes. A file deleted or refused midway is counted as failed with its
reason; the job goes on.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from agency.types import acting_user
from integrations.storage import services
from integrations.storage.models import ImportedFile, ShootFolder, StorageImport
from integrations.storage.providers import StorageError, StorageFile, client
from localbzz.queue import enqueue
from publishing.services.media.upload import MediaRejected, media_upload

logger = logging.getLogger("localbzz.storage")
TASK = "integrations.storage.imports.run"
HEARTBEAT = timedelta(seconds=30)  # during a download; well under STORAGE_IMPORT_STALE_SECONDS
MEDIA_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".mp4", ".mov")


def stale_before() -> datetime:
    """A job whose heartbeat is older than this lost its worker."""
    return timezone.now() - timedelta(seconds=settings.STORAGE_IMPORT_STALE_SECONDS)


def start(
    folder: ShootFolder, *, actor, mode: str = StorageImport.Mode.ALL, file_ids: Sequence[str] = ()
) -> tuple[StorageImport, bool]:
    """The job to poll, and whether it was (re)queued now. While the folder has an active job, that
    job is the answer (one import per folder at a time), re-queued if its worker died."""
    with transaction.atomic():
        active = (
            StorageImport.objects.select_for_update().filter(folder=folder, status__in=StorageImport.ACTIVE).first()
        )
        if active and active.updated_at > stale_before():
            return active, False
        job = active or StorageImport.objects.create(
            folder=folder, started_by=acting_user(actor), mode=mode, file_ids=list(file_ids)
        )
        if active:
            active.status = StorageImport.Status.QUEUED
            active.save(update_fields=["status", "updated_at"])
        enqueue(TASK, str(job.pk), group="storage-import")
    return job, True


def sweep() -> list[str]:
    """Re-queue every import whose worker died (scheduled every minute: migration 0008)."""
    stale = StorageImport.objects.filter(status__in=StorageImport.ACTIVE, updated_at__lt=stale_before())
    requeued = []
    for job in stale.select_related("folder", "started_by"):
        again, queued = start(job.folder, actor=job.started_by)
        if queued:
            requeued.append(str(again.pk))
    if requeued:
        logger.warning("storage imports re-queued after their worker died: %s", ", ".join(requeued))
    return requeued


def is_media(file: StorageFile) -> bool:
    if file.is_folder:
        return False
    return file.mime_type.startswith(("image/", "video/")) or file.name.lower().endswith(MEDIA_EXTENSIONS)


def imported_keys(provider: str, files: Sequence[StorageFile]) -> set[tuple[str, str]]:
    """(file id, checksum) of those of ``files`` already in the media library (one query)."""
    ids = [f.id for f in files if f.checksum]
    if not ids:
        return set()
    found = ImportedFile.objects.filter(provider=provider, external_id__in=ids)
    return set(found.values_list("external_id", "checksum"))


class BadPick(StorageError):
    def __init__(self, message: str) -> None:
        super().__init__("invalid", message)


def pick(folder: ShootFolder, ids: Sequence[str]) -> list[str]:
    """The picked file ids, checked against the folder's listing (once each, in order): ``BadPick``
    naming those not in the folder or not a photo or video."""
    if not ids:
        raise BadPick("Pick at least one file to import.")
    files, _cursor = services.full_listing(folder)
    by_id = {f.id: f for f in files}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise BadPick(f"Not in the shoot's folder “{folder.name}” (deleted or moved?): {', '.join(unknown[:20])}.")
    other = [by_id[i].name for i in ids if not is_media(by_id[i])]
    if other:
        raise BadPick(f"Only photos and videos go into the media library; not: {', '.join(other[:20])}.")
    return list(dict.fromkeys(ids))


def _candidates(job: StorageImport) -> tuple[list[StorageFile], str]:
    """The files this job considers, and the change-feed cursor to keep once it is done ("" = keep
    the folder's). "new" reads the changes since the folder's cursor, or lists everything when it
    has none or the provider forgot it; ImportedFile stays the final guard against a second copy."""
    folder = job.folder
    if job.mode == StorageImport.Mode.NEW and folder.changes_cursor:
        try:
            files, cursor = services.changes(folder, folder.changes_cursor)
        except StorageError as error:
            if error.kind != "cursor_expired":
                raise
            logger.info("storage cursor of folder %s expired: listing it whole", folder.pk)
        else:
            latest = {f.id: f for f in files if is_media(f)}  # a file changed twice: its last state
            return list(latest.values()), cursor
    files, cursor = services.full_listing(folder)
    media = [f for f in files if is_media(f)]
    if job.mode == StorageImport.Mode.SELECTED:
        picked = set(job.file_ids)
        return [f for f in media if f.id in picked], ""
    return media, cursor


def _claim(job_id: str) -> StorageImport | None:
    """The job, marked running by this worker; None when it is finished or another live worker has it."""
    with transaction.atomic():
        job = (
            StorageImport.objects.select_for_update(of=("self",))
            .select_related("folder__shoot__client", "started_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status in (StorageImport.Status.DONE, StorageImport.Status.FAILED):
            return None
        if job.status == StorageImport.Status.RUNNING and job.updated_at > stale_before():
            return None  # a late redelivery of a job a live worker runs
        job.status = StorageImport.Status.RUNNING
        job.imported = job.skipped = job.failed = 0
        job.problems = []
        job.save(update_fields=["status", "imported", "skipped", "failed", "problems", "updated_at"])
    return job


def run(job_id: str) -> str:
    job = _claim(job_id)
    if job is None:
        return "nothing to do"
    cursor = ""
    try:
        files, cursor = _candidates(job)
        job.total = len(files)
        job.save(update_fields=["total", "updated_at"])
        for file in files:
            _one(job, file)
    except StorageError as error:
        job.status, job.error = StorageImport.Status.FAILED, error.message[:500]
    else:
        job.status = StorageImport.Status.DONE
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "error", "finished_at", "updated_at"])
        if job.status == StorageImport.Status.DONE and cursor:
            ShootFolder.objects.filter(pk=job.folder_id).update(changes_cursor=cursor)
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
            services.authorized(connection, lambda token: _download(api, token, file, out, _heartbeat(job)))
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
        except IntegrityError:  # another run took over this job and imported the file first
            logger.warning("storage import %s: %s was imported meanwhile", job.pk, file.id)
            job.skipped += 1
            job.save(update_fields=["skipped", "updated_at"])
            return
    job.imported += 1
    job.save(update_fields=["imported", "updated_at"])


def _heartbeat(job: StorageImport) -> Callable[[], None]:
    """Keep the job looking alive during a long download (a big video), at most every HEARTBEAT."""
    last = time.monotonic()

    def beat() -> None:
        nonlocal last
        if time.monotonic() - last >= HEARTBEAT.total_seconds():
            StorageImport.objects.filter(pk=job.pk).update(updated_at=timezone.now())
            last = time.monotonic()

    return beat


def _download(api, token: str, file: StorageFile, out, progress: Callable[[], None]) -> None:
    out.seek(0)
    out.truncate()
    api.download(token, file, out, progress)


def _problem(job: StorageImport, file: StorageFile, message: str) -> None:
    job.failed += 1
    job.problems = [*job.problems, {"name": file.name, "message": message[:300]}][-100:]
