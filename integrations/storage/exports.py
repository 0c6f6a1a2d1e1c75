"""Saving one of a deliverable's attachments into its shoot's folder ("Save to shoot folder"), as
a background job, then linking the deliverable to the new file (so the portal's Download serves it).

``start`` answers the attachment's active export (a second press does nothing while one runs; a
job with no heartbeat for ``STORAGE_IMPORT_STALE_SECONDS`` lost its worker and is queued again);
a finished export of the same attachment into the same folder is re-linked, not uploaded again
(unless its file has gone from the folder). ``run`` (the task) claims the job, streams the
attachment from our storage to the provider (``Drive.upload``/``Dropbox.upload``; never retried
automatically: an upload is a write), and links the result on the activity trail
(``deliverable.file_exported``).

No duplicates: before uploading, and again when an upload got no answer (a timeout after the
provider may have stored it), the folder is searched for a file of the same name (Dropbox: or its
autorenamed "name (n).ext"), size and checksum (Drive MD5, Dropbox content_hash, computed from our
copy). Found, it is linked; not found after a lost answer, the job fails with "try again" — and a
retry by the person finds it then if it arrived late.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from agency.models import Deliverable
from agency.types import Actor, acting_user
from integrations.storage import deliverables, services
from integrations.storage.imports import stale_before
from integrations.storage.models import DeliverableExport, Provider, ShootFolder
from integrations.storage.providers import Drive, Dropbox, Folder, StorageError, StorageFile, Upload, client
from localbzz.queue import enqueue
from publishing.models import Attachment

logger = logging.getLogger("localbzz.storage")
TASK = "integrations.storage.exports.run"
HEARTBEAT_SECONDS = 30.0
CHUNK = 1024 * 1024
DROPBOX_BLOCK = 4 * 1024 * 1024


class ExportRefused(StorageError):
    def __init__(self, message: str) -> None:
        super().__init__("invalid", message)


def exportable(deliverable: Deliverable) -> ShootFolder | None:
    """The shoot's folder when an export can be offered (a folder and its storage connected)."""
    folder = deliverables.folder_of(deliverable)
    if folder is None:
        return None
    try:
        services.connection_for(folder.provider)
    except StorageError:
        return None
    return folder


def start(deliverable: Deliverable, attachment: Attachment, *, actor: Actor) -> tuple[DeliverableExport, bool]:
    """The export to show, and whether it was (re)queued now. Refuses (``ExportRefused``) an
    attachment still being processed or a shoot with no folder; ``NotConnected``/``NeedsReconnect``
    when the storage cannot be used."""
    if attachment.deliverable_id != deliverable.pk:
        raise ExportRefused("That file is not attached to this deliverable.")
    if not attachment.is_ready:
        raise ExportRefused(f"“{attachment.name}” is still being processed (or failed): save it when it is ready.")
    folder = deliverables.folder_of(deliverable)
    if folder is None:
        raise ExportRefused("This deliverable's shoot has no folder: create or link it on the shoot page first.")
    connection = services.connection_for(folder.provider)
    if connection.status == connection.Status.NEEDS_RECONNECT:
        raise services.NeedsReconnect(connection)
    with transaction.atomic():
        running = DeliverableExport.objects.select_for_update().filter(status__in=DeliverableExport.ACTIVE)
        active = running.filter(attachment=attachment).first()
        if active and active.updated_at > stale_before():
            return active, False
        if active:  # its worker died: queue it again
            active.status = DeliverableExport.Status.QUEUED
            active.save(update_fields=["status", "updated_at"])
            enqueue(TASK, str(active.pk), group="storage-export")
            return active, True
    finished = DeliverableExport.objects.filter(attachment=attachment, status=DeliverableExport.Status.DONE)
    done = finished.filter(provider=folder.provider, folder_ref=folder.external_id).first()
    if done is not None:
        try:
            deliverables.link(deliverable, done.external_id, actor=actor)
            return done, False
        except StorageError as error:
            if error.kind not in ("not_found", "invalid"):  # gone from the folder: upload it again
                raise
    try:
        with transaction.atomic():
            job = DeliverableExport.objects.create(
                deliverable=deliverable, attachment=attachment, provider=folder.provider,
                folder_ref=folder.external_id, started_by=acting_user(actor),
            )  # fmt: skip
            enqueue(TASK, str(job.pk), group="storage-export")
    except IntegrityError:  # a second press at the same moment made it first
        return DeliverableExport.objects.get(attachment=attachment, status__in=DeliverableExport.ACTIVE), False
    return job, True


def _claim(pk: str) -> DeliverableExport | None:
    with transaction.atomic():
        job = DeliverableExport.objects.select_for_update().filter(pk=pk).first()
        if job is None:
            return None
        stale = job.status == DeliverableExport.Status.RUNNING and job.updated_at <= stale_before()
        if job.status != DeliverableExport.Status.QUEUED and not stale:
            return None
        job.status = DeliverableExport.Status.RUNNING
        job.error = ""
        job.save(update_fields=["status", "error", "updated_at"])
    return job


def run(pk: str) -> str:
    """The task: upload the attachment (or find it already there) and link it."""
    job = _claim(pk)
    if job is None:
        return "nothing to do"
    job = DeliverableExport.objects.select_related("deliverable", "attachment", "started_by").get(pk=job.pk)
    try:
        file = _export(job)
    except StorageError as error:
        _finish(job, DeliverableExport.Status.FAILED, error=_words(error, Provider(job.provider).label))
        return f"failed: {error.kind}"
    with transaction.atomic():
        deliverables.save_link(job.deliverable, job.provider, file, actor=job.started_by,
                               verb="deliverable.file_exported", extra={"attachment": job.attachment.name})  # fmt: skip
        job.external_id, job.file_name = file.id, file.name[:255]
        _finish(job, DeliverableExport.Status.DONE)
    return "done"


def _finish(job: DeliverableExport, status: str, *, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error[:500], timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "external_id", "file_name", "updated_at"])


def _export(job: DeliverableExport) -> StorageFile:
    folder = deliverables.folder_of(job.deliverable)
    if folder is None or folder.external_id != job.folder_ref or folder.provider != job.provider:
        raise ExportRefused("The shoot's folder changed since the export was asked for: save it again.")
    attachment = job.attachment
    connection = services.connection_for(folder.provider)
    api = client(folder.provider)
    ref = Folder(folder.external_id, folder.name, path=folder.path)
    with attachment.file.open("rb") as raw:
        checksum = checksum_of(raw, folder.provider)
        stream = _Beating(raw, attachment.bytes, job)
        upload = Upload(attachment.name, stream, attachment.bytes, attachment.content_type, checksum)
        return services.authorized(connection, lambda token: _upload_once(api, token, ref, upload))


def _upload_once(api: Drive | Dropbox, token: str, folder: Folder, upload: Upload) -> StorageFile:
    """The file in the folder: one already there with this content (an earlier answer was lost), or
    a new upload — looked up again when the upload's answer is lost."""
    found = api.find(token, folder, upload.name, upload.size, upload.checksum)
    if found is not None:
        return found
    try:
        return api.upload(token, folder, upload)
    except StorageError as error:
        if error.kind != "unknown_outcome":
            raise
        logger.warning("a storage upload got no answer; looking for the file in the folder")
    found = api.find(token, folder, upload.name, upload.size, upload.checksum)
    if found is None:
        raise StorageError("unavailable", "The upload got no answer and the file is not in the folder.")
    return found


def checksum_of(stream: IO[bytes], provider: str) -> str:
    """The provider's checksum of the stream's content (read once in blocks, then rewound): Drive
    MD5, Dropbox content_hash (SHA-256 of the 4 MiB blocks' SHA-256s)."""
    stream.seek(0)
    if provider == Provider.GOOGLE_DRIVE:
        md5 = hashlib.md5(usedforsecurity=False)
        while chunk := stream.read(CHUNK):
            md5.update(chunk)
        stream.seek(0)
        return md5.hexdigest()
    blocks = b""
    while block := stream.read(DROPBOX_BLOCK):
        blocks += hashlib.sha256(block).digest()
    stream.seek(0)
    return hashlib.sha256(blocks).hexdigest()


class _Beating:
    """The attachment's file as the upload body: read in blocks by the HTTP library (streamed),
    beating the job's heartbeat every ``HEARTBEAT_SECONDS`` so a long upload is not taken for a
    dead worker."""

    def __init__(self, raw: IO[bytes], size: int, job: DeliverableExport) -> None:
        self.raw, self.size, self.job, self.beat = raw, size, job, time.monotonic()

    def read(self, n: int = -1) -> bytes:
        if time.monotonic() - self.beat > HEARTBEAT_SECONDS:
            self.beat = time.monotonic()
            DeliverableExport.objects.filter(pk=self.job.pk).update(updated_at=timezone.now())
        return self.raw.read(n)

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        return iter(lambda: self.read(CHUNK), b"")

    def tell(self) -> int:
        return self.raw.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)


def _words(error: StorageError, label: str) -> str:
    """Why the export failed, for the card and the API."""
    if error.kind == "rate_limited":
        return f"{label} is rate limiting us: nothing was saved or linked. Try again in a minute."
    if error.kind in ("needs_reconnect", "auth", "grant"):
        return (
            f"The {label} connection needs to be reconnected (Settings → Integrations → Cloud storage), then try again."
        )
    if error.kind == "not_connected":
        return error.message
    if error.kind == "not_found":
        return f"The shoot's folder is no longer in {label} (deleted or moved?): link it again on the shoot page."
    if error.kind == "invalid":
        return error.message
    return f"{label} did not take the file ({error.message}). Nothing was linked; try again."


def latest(deliverable: Deliverable) -> dict[str, DeliverableExport]:
    """The latest export of each of the deliverable's attachments (by attachment id; one query)."""
    found: dict[str, DeliverableExport] = {}
    for job in DeliverableExport.objects.filter(deliverable=deliverable).order_by("-created_at"):
        found.setdefault(str(job.attachment_id), job)
    return found
