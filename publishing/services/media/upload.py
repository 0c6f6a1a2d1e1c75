"""Uploads to the media library: every surface (API, staff pages, the portal, generation) stores
files through ``media_upload``; folders and tags are found or made here too."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.text import get_valid_filename, slugify

from agency.models import Campaign, Client
from agency.services.activity import record_event
from agency.types import Actor, acting_user
from localbzz.queue import enqueue
from localbzz.text import storable
from publishing.media import imaging, video
from publishing.media.probe import FileProblem, Probe, human_bytes, probe_file, sniff
from publishing.media.uploads import RefusedUpload, display_name
from publishing.media.urls import INCOMING
from publishing.models import MediaAsset, MediaFolder, MediaTag

MAX_TAGS = 30


class MediaRejected(Exception):
    """One or more files were refused; nothing was stored. ``problems`` names each file."""

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))

    @property
    def status(self) -> int:
        statuses = {p.status for p in self.problems}
        return statuses.pop() if len(statuses) == 1 else 400


@dataclass
class UploadResult:
    asset: MediaAsset
    created: bool  # False: the client already had this file, and this is that asset


@dataclass
class _Checked:
    upload: File[Any]
    path: str
    sha256: str
    size: int
    probe: Probe


@transaction.atomic
def media_upload(
    *,
    client: Client,
    files: Sequence[File[Any]],
    uploaded_by: Actor = None,
    source: str = MediaAsset.Source.UPLOAD,
    folder: str | None = None,
    tags: Sequence[str] = (),
    campaign: Campaign | None = None,
) -> list[UploadResult]:
    """Store ``files`` in ``client``'s library, all or nothing.

    Every file is checked first (type by content, size limits, whole and decodable, pixel cap);
    if any is refused, :class:`MediaRejected` names each bad file and nothing is stored. A file
    the client already has (same SHA-256 of the uploaded bytes) returns the existing asset.
    Photos are kept privacy-clean (see publishing.media.imaging); videos lose their location
    metadata. Renditions are made in the background right after commit.
    """
    if campaign is not None and campaign.client_id != client.pk:
        raise ValueError("The campaign belongs to another client.")
    limit = settings.MEDIA_MAX_FILES_PER_REQUEST
    if len(files) > limit:
        raise MediaRejected(
            [
                FileProblem(
                    f"{len(files)} files",
                    "too_many_files",
                    f"You sent {len(files)} files; at most {limit} go in one upload. "
                    f"Upload the first {limit}, then the rest in another batch.",
                    413,
                )
            ]
        )
    if not files:
        raise MediaRejected([FileProblem("", "no_files", "Choose at least one photo or video to upload.")])
    with ExitStack() as cleanup:
        checked, problems = [], []
        for upload in files:
            try:
                checked.append(_check(upload, cleanup))
            except FileProblem as problem:
                problems.append(problem)
        if problems:
            raise MediaRejected(problems)
        stored: list[str] = []
        try:
            return _store(client, checked, stored, cleanup, uploaded_by, source, folder, tags, campaign)
        except BaseException:
            for name in stored:
                default_storage.delete(name)
            raise


def _check(upload: File[Any], cleanup: ExitStack) -> _Checked:
    name = display_name(upload.name)
    if isinstance(upload, RefusedUpload):
        if upload.reason == "too_many":
            raise FileProblem(name, "too_many_files", f"{name} was not uploaded: too many files in one upload.", 413)
        kind = "video" if sniff(upload.head)[0] in ("MP4", "MOV") else "photo"
        limit = settings.MEDIA_MAX_VIDEO_BYTES if kind == "video" else settings.MEDIA_MAX_IMAGE_BYTES
        raise FileProblem(
            name,
            "too_large",
            f"{name} is larger than {human_bytes(max(limit, (upload.size or 0) - 1))}; {kind}s can be at most "
            f"{human_bytes(limit)}. Make it smaller and upload that.",
            413,
        )
    path, sha256, size = received(upload, cleanup)
    return _Checked(upload, path, sha256, size, probe_file(path, name=name, size=size))


def received(upload: File[Any], cleanup: ExitStack) -> tuple[str, str, int]:
    """``(path on disk, SHA-256, size)`` of an upload as received (attachments use it too)."""
    path = _local_path(upload, cleanup)
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return path, digest.hexdigest(), size


def _local_path(upload: File[Any], cleanup: ExitStack) -> str:
    """A path on disk holding the upload: Django's temporary file, or a copy we delete after."""
    if hasattr(upload, "temporary_file_path"):
        return str(upload.temporary_file_path())
    temp_dir = settings.MEDIA_UPLOAD_TEMP_DIR
    tmp = cleanup.enter_context(tempfile.NamedTemporaryFile(prefix="localbzz-upload-", dir=temp_dir))  # noqa: SIM115
    upload.seek(0)
    for chunk in upload.chunks():
        tmp.write(chunk)
    tmp.flush()
    return tmp.name


def _store(
    client: Client,
    checked: list[_Checked],
    stored: list[str],
    cleanup: ExitStack,
    uploaded_by: Actor,
    source: str,
    folder_name: str | None,
    tag_names: Sequence[str],
    campaign: Campaign | None,
) -> list[UploadResult]:
    folder = folder_get_or_create(client=client, name=folder_name) if folder_name else None
    tags = tags_get_or_create(client=client, names=tag_names)
    results: list[UploadResult] = []
    seen: dict[str, MediaAsset] = {}
    for item in checked:
        existing = seen.get(item.sha256) or MediaAsset.objects.filter(client=client, sha256=item.sha256).first()
        if existing is not None:
            results.append(UploadResult(existing, False))
            continue
        asset = MediaAsset(
            client=client,
            original_name=display_name(item.upload.name),
            kind=item.probe.kind,
            sha256=item.sha256,
            uploaded_by=acting_user(uploaded_by),
            source=source,
            folder=folder,
            campaign=campaign,
            duration=item.probe.duration,
        )
        prefix = "media"
        if item.probe.kind == "image":
            cleaned = imaging.clean_without_decoding(item.path, item.probe.format)
            if cleaned is not None:  # an upright sRGB JPEG: its metadata goes right away, no decode
                content: File[Any] = ContentFile(cleaned.data)
                extension, asset.content_type = cleaned.extension, cleaned.content_type
                asset.width, asset.height, asset.bytes = cleaned.width, cleaned.height, len(cleaned.data)
            else:  # decoded and cleaned by the worker; never served until then (urls.INCOMING)
                prefix = INCOMING.rstrip("/")
                content = File(cleanup.enter_context(open(item.path, "rb")))  # noqa: SIM115
                extension, asset.content_type = _EXTENSIONS[item.probe.format], item.probe.content_type
                asset.width, asset.height, asset.bytes = item.probe.width, item.probe.height, item.size
        else:
            video.strip_location(item.path)  # in place, no byte moves: cheap at any size
            if hasattr(item.upload, "temporary_file_path"):
                content = item.upload  # filesystem storage moves Django's temporary file: no copy
            else:
                content = File(cleanup.enter_context(open(item.path, "rb")))  # noqa: SIM115
            extension = "mov" if item.probe.format == "MOV" else "mp4"
            asset.content_type = item.probe.content_type
            asset.width, asset.height, asset.bytes = item.probe.width, item.probe.height, item.size
        stem = slugify(os.path.splitext(asset.original_name)[0])[:60] or "media"
        name = default_storage.save(f"{prefix}/{client.pk}/{asset.pk}/{get_valid_filename(stem)}.{extension}", content)
        stored.append(name)
        asset.file.name = name
        try:
            with transaction.atomic():
                asset.save()
        except IntegrityError:  # the same file arrived in a parallel request
            default_storage.delete(stored.pop())
            results.append(UploadResult(MediaAsset.objects.get(client=client, sha256=item.sha256), False))
            continue
        if tags:
            asset.tags.set(tags)
        record_event(
            uploaded_by,
            "media_asset.uploaded",
            asset,
            {"kind": asset.kind, "bytes": asset.bytes, "source": asset.source},
        )
        enqueue("publishing.tasks.media_renditions_make", str(asset.pk), asset.render_version, group="media")
        seen[item.sha256] = asset
        results.append(UploadResult(asset, True))
    return results


def folder_get_or_create(*, client: Client, name: str) -> MediaFolder:
    folder, _ = MediaFolder.objects.get_or_create(client=client, name=" ".join(storable(name).split())[:100])
    return folder


def normalise_tags(names: Sequence[str]) -> list[str]:
    """Lower-case, single-spaced, unique, in order; commas split a string into several tags."""
    out: list[str] = []
    for raw in names:
        for part in storable(str(raw)).split(","):
            tag = " ".join(part.split()).lower()[:50]
            if tag and tag not in out:
                out.append(tag)
    return out[:MAX_TAGS]


def tags_get_or_create(*, client: Client, names: Sequence[str]) -> list[MediaTag]:
    wanted = normalise_tags(names)
    existing = {t.name: t for t in MediaTag.objects.filter(client=client, name__in=wanted)}
    for name in wanted:
        if name not in existing:  # get_or_create survives a parallel upload creating the same tag
            existing[name] = MediaTag.objects.get_or_create(client=client, name=name)[0]
    return [existing[name] for name in wanted]


_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "HEIF": "heic"}
