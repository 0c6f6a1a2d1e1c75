"""Files attached to shoots, deliverables and client requests: add, remove, clean (the worker).

Every surface (staff API and pages, the client API and portal) goes through ``attachment_add``; what
a file may be is ``publishing.media.attachments`` (the media library's photo and video rules, and
documents). Who may remove one is ``may_remove``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import get_valid_filename, slugify

from agency import permissions
from agency.models import Deliverable, PortalRequest, Shoot, User
from agency.services.activity import actor_label, record_event
from agency.types import Actor, acting_user
from localbzz.queue import enqueue
from publishing.media import imaging, video, work
from publishing.media.attachments import checked_name, name_for, probe_attachment, refused_too_large
from publishing.media.probe import FileProblem, work_limits
from publishing.media.uploads import RefusedUpload, display_name
from publishing.models import Attachment
from publishing.services.media.edit import delete_files
from publishing.services.media.renditions import stored_on_disk
from publishing.services.media.upload import received

logger = logging.getLogger(__name__)

AttachTarget = Shoot | Deliverable | PortalRequest


@transaction.atomic
def attachment_add(
    *, target: AttachTarget, upload: File[Any], uploaded_by: Actor, from_client: bool = False
) -> Attachment:
    """Attach ``upload`` to ``target`` (a shoot, deliverable or request).

    The file is checked first (``probe_attachment``: type by content, size limit of its kind, whole);
    a refusal raises :class:`FileProblem` and nothing is stored. Photos keep no location or other
    metadata: cleaned in the request when that needs no decode, otherwise stored ``processing`` and
    cleaned by the worker (never served before). Videos lose their location boxes in place.
    """
    name = display_name(checked_name(upload.name or ""))
    if isinstance(upload, RefusedUpload):
        raise refused_too_large(name, upload.head, upload.size or 0)
    attachment = Attachment(
        client_id=target.client_id,
        uploaded_by=acting_user(uploaded_by),
        uploaded_by_label=actor_label(uploaded_by)[:200],
        from_client=from_client,
        **{Attachment.field_for(target): target},
    )
    with ExitStack() as cleanup:
        path, attachment.sha256, size = received(upload, cleanup)
        probe = probe_attachment(path, name=name, size=size)
        attachment.kind, attachment.content_type, attachment.bytes = probe.kind, probe.content_type, size
        extension = name_for("x", probe.format).rsplit(".", 1)[1]
        content: File[Any] = File(cleanup.enter_context(open(path, "rb")))
        if probe.kind == "image":
            cleaned = imaging.clean_without_decoding(path, probe.format)
            if cleaned is None:  # the worker decodes and cleans it; not served until then
                attachment.status = Attachment.Status.PROCESSING
            else:
                content, attachment.bytes = ContentFile(cleaned.data), len(cleaned.data)
        elif probe.kind == "video":
            video.strip_location(path)  # in place, no byte moves
        attachment.name = name_for(name, probe.format)
        stem = slugify(os.path.splitext(attachment.name)[0])[:60] or "attachment"
        stored = default_storage.save(
            f"attachments/{target.client_id}/{attachment.pk}/{get_valid_filename(stem)}.{extension}", content
        )
    try:
        attachment.file.name = stored
        attachment.save()
        record_event(
            uploaded_by,
            "attachment.added",
            target,
            {"attachment": attachment.name, "attachment_id": str(attachment.pk), "bytes": attachment.bytes},
        )
    except BaseException:
        default_storage.delete(stored)
        raise
    if attachment.status == Attachment.Status.PROCESSING:
        enqueue("publishing.tasks.attachment_clean", str(attachment.pk), group="media")
    return attachment


def may_remove(user: Actor, attachment: Attachment) -> bool:
    """Staff who may edit content remove any attachment; anyone else only what they uploaded."""
    if permissions.can(user, "edit_content"):
        return True
    return isinstance(user, User) and attachment.uploaded_by_id == user.pk


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: Actor) -> None:
    """Delete the attachment's row, then (on commit) its file."""
    if not may_remove(actor, attachment):
        raise PermissionDenied("Only the person who attached this file, or staff who edit content, can remove it.")
    name = attachment.file.name
    record_event(
        actor,
        "attachment.removed",
        attachment.target,
        {"attachment": attachment.name, "attachment_id": str(attachment.pk)},
    )
    attachment.delete()
    transaction.on_commit(lambda: delete_files([name]))


def files_removed_with(sender: type[Attachment], instance: Attachment, **kwargs: Any) -> None:
    """post_delete: an attachment deleted with its shoot, deliverable, request or client takes its file along."""
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def attachment_clean(*, attachment_id: str) -> Attachment | None:
    """The worker's part: decode and clean a ``processing`` photo in the media work child (same
    memory and time ceilings as the library's), swap the clean file in, and mark it ready — or
    failed with the reason. Idempotent: an attachment no longer processing is left alone."""
    attachment = Attachment.objects.filter(pk=attachment_id, status=Attachment.Status.PROCESSING).first()
    if attachment is None:
        return None
    old = attachment.file.name or ""
    try:
        with tempfile.TemporaryDirectory(prefix="localbzz-work-", dir=settings.MEDIA_UPLOAD_TEMP_DIR) as workdir:
            probe = probe_attachment(
                source := stored_on_disk(old, workdir), name=attachment.name, size=attachment.bytes
            )
            spec = {"source": source, "format": probe.format, "clean": True, "presets": [], "focal": None,
                    "outdir": workdir}  # fmt: skip
            answer = work.run(
                {**spec, **work_limits()}, memory_mb=settings.MEDIA_WORK_MEMORY_MB, seconds=settings.MEDIA_WORK_SECONDS
            )
            cleaned = answer["cleaned"]
            with open(cleaned["path"], "rb") as fh:
                new = default_storage.save(f"{os.path.splitext(old)[0]}.{cleaned['extension']}", File(fh))
    except (work.WorkFailed, FileProblem) as exc:
        reason = exc.reason if isinstance(exc, work.WorkFailed) else exc.message
        Attachment.objects.filter(pk=attachment_id).update(status=Attachment.Status.FAILED, processing_error=reason)
        return None
    with transaction.atomic():
        current = Attachment.objects.select_for_update().filter(pk=attachment_id).first()
        if current is None or current.status != Attachment.Status.PROCESSING:
            transaction.on_commit(lambda: default_storage.delete(new))
            return None
        current.file.name, current.content_type = new, cleaned["content_type"]
        current.bytes = default_storage.size(new)
        current.name = name_for(os.path.splitext(current.name)[0] + "." + cleaned["extension"], cleaned["format"])
        current.status, current.processing_error = Attachment.Status.READY, ""
        current.save(update_fields=["file", "content_type", "bytes", "name", "status", "processing_error"])
        if new != old:
            transaction.on_commit(lambda: default_storage.delete(old))
    return current
