"""Writes of the media library. Every surface (API, staff pages, the portal, generation) uploads
through ``media_upload``."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
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
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify

from agency.models import Campaign, Client
from agency.services.activity import diff, record_event
from localbzz import zones
from localbzz.queue import enqueue
from localbzz.text import storable
from publishing.media import imaging, presets, video, work
from publishing.media.probe import IMAGE_TYPES, FileProblem, Probe, human_bytes, probe_file, sniff, work_limits
from publishing.media.uploads import RefusedUpload, display_name
from publishing.media.urls import INCOMING, is_incoming, on_filesystem
from publishing.models import MediaAsset, MediaFolder, MediaRendition, MediaTag, Post
from publishing.models.media import RETRY_HINT
from publishing.states import PostStatus as P

logger = logging.getLogger(__name__)

KEEP: Any = object()  # "leave this field as it is" in media_update
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


class MediaInUse(Exception):
    """The asset cannot be deleted: ``uses`` describes what needs it."""

    def __init__(self, asset: MediaAsset, uses: list[str]):
        self.uses = uses
        super().__init__(
            f"{asset.original_name} is used by {'; '.join(uses)}. Remove it from "
            f"{'that post' if len(uses) == 1 else 'those posts'} (or cancel them) first, then delete it."
        )


@dataclass
class UploadResult:
    asset: MediaAsset
    created: bool  # False: the client already had this file, and this is that asset


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------


@dataclass
class _Checked:
    upload: File
    path: str
    sha256: str
    size: int
    probe: Probe


@transaction.atomic
def media_upload(
    *,
    client: Client,
    files: Sequence[File],
    uploaded_by=None,
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


def _check(upload: File, cleanup: ExitStack) -> _Checked:
    name = display_name(upload.name)
    if isinstance(upload, RefusedUpload):
        if upload.reason == "too_many":
            raise FileProblem(name, "too_many_files", f"{name} was not uploaded: too many files in one upload.", 413)
        kind = "video" if sniff(upload.head)[0] in ("MP4", "MOV") else "photo"
        limit = settings.MEDIA_MAX_VIDEO_BYTES if kind == "video" else settings.MEDIA_MAX_IMAGE_BYTES
        raise FileProblem(
            name,
            "too_large",
            f"{name} is larger than {human_bytes(max(limit, upload.size - 1))}; {kind}s can be at most "
            f"{human_bytes(limit)}. Make it smaller and upload that.",
            413,
        )
    path = _local_path(upload, cleanup)
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return _Checked(upload, path, digest.hexdigest(), size, probe_file(path, name=name, size=size))


def _local_path(upload: File, cleanup: ExitStack) -> str:
    """A path on disk holding the upload: Django's temporary file, or a copy we delete after."""
    if hasattr(upload, "temporary_file_path"):
        return upload.temporary_file_path()
    temp_dir = settings.MEDIA_UPLOAD_TEMP_DIR
    tmp = cleanup.enter_context(tempfile.NamedTemporaryFile(prefix="localbzz-upload-", dir=temp_dir))  # noqa: SIM115
    upload.seek(0)
    for chunk in upload.chunks():
        tmp.write(chunk)
    tmp.flush()
    return tmp.name


def _store(
    client, checked, stored, cleanup, uploaded_by, source, folder_name, tag_names, campaign
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
            uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
            source=source,
            folder=folder,
            campaign=campaign,
            duration=item.probe.duration,
        )
        prefix = "media"
        if item.probe.kind == "image":
            cleaned = imaging.clean_without_decoding(item.path, item.probe.format)
            if cleaned is not None:  # an upright sRGB JPEG: its metadata goes right away, no decode
                content: File = ContentFile(cleaned.data)
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


# --------------------------------------------------------------------------------------------
# Edit, delete
# --------------------------------------------------------------------------------------------


@transaction.atomic
def media_update(
    *,
    actor,
    asset: MediaAsset,
    tags: Sequence[str] | None = None,
    folder: str | None = KEEP,
    campaign: Campaign | None = KEEP,
    focal_point: tuple[float, float] | None = KEEP,
) -> MediaAsset:
    """Change an asset's tags, folder (a name; None or "" for none), campaign or focal point
    (``(x, y)`` in 0..1 from the top left; None to go back to the automatic crop).
    Moving the focal point makes the renditions again in the background."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset.pk)
    changes: dict[str, list] = {}
    if folder is not KEEP:
        new_folder = folder_get_or_create(client=asset.client, name=folder) if folder else None
        changes |= diff(asset, ["folder"], {"folder": new_folder})
        asset.folder = new_folder
    if campaign is not KEEP:
        if campaign is not None and campaign.client_id != asset.client_id:
            raise ValueError("The campaign belongs to another client.")
        changes |= diff(asset, ["campaign"], {"campaign": campaign})
        asset.campaign = campaign
    if focal_point is not KEEP:
        if focal_point is not None and not all(0 <= v <= 1 for v in focal_point):
            raise ValueError("The focal point is x and y between 0 and 1.")
        new = (round(focal_point[0], 4), round(focal_point[1], 4)) if focal_point else None
        if new != asset.focal_point:
            changes["focal_point"] = [asset.focal_point, new]
            asset.focal_x, asset.focal_y = new if new else (None, None)
            if asset.kind == MediaAsset.Kind.IMAGE:
                asset.render_version += 1
                asset.status, asset.processing_attempts = MediaAsset.Status.PROCESSING, 0
                enqueue("publishing.tasks.media_renditions_make", str(asset.pk), asset.render_version, group="media")
    asset.save()
    if tags is not None:
        old = sorted(t.name for t in asset.tags.all())
        new_tags = tags_get_or_create(client=asset.client, names=tags)
        if sorted(t.name for t in new_tags) != old:
            changes["tags"] = [old, sorted(t.name for t in new_tags)]
            asset.tags.set(new_tags)
    if changes:
        record_event(actor, "media_asset.updated", asset, changes)
    return asset


def media_blocking_uses(asset: MediaAsset) -> list[str]:
    """What stops ``asset`` from being deleted, one sentence per use, e.g.
    ``'the post “Spring sale” scheduled for 3 Jun 2025 09:00 (Instagram)'``.

    The single place that answers "may this asset go?": the delete service, the API and the staff
    pages all ask it. A use blocks deletion while the post that carries the asset has not gone out
    (scheduled, approved, waiting for approval, or publishing); drafts, canceled and published
    posts do not block.
    """
    blocking = [P.PENDING_APPROVAL, P.PENDING_CLIENT_APPROVAL, P.APPROVED, P.SCHEDULED, P.PUBLISHING]
    used = Q(post_media__asset=asset) | Q(targets__target_media__asset=asset)
    posts = Post.objects.filter(used, status__in=blocking).prefetch_related("targets__account")
    uses = []
    for post in posts.distinct():
        platforms = (
            ", ".join(sorted({t.account.get_platform_display() for t in post.targets.all()})) or "no account yet"
        )
        when = f" scheduled for {zones.when(post.scheduled_at, post.client)}" if post.scheduled_at else ""
        uses.append(f"the post “{post}”{when} ({platforms}, {post.get_status_display().lower()})")
    return uses


@transaction.atomic
def media_delete(*, actor, asset: MediaAsset) -> None:
    """Delete the asset and, once the deletion commits, its files (original and renditions).
    Raises :class:`MediaInUse` when ``media_blocking_uses`` names anything."""
    uses = media_blocking_uses(asset)
    if uses:
        raise MediaInUse(asset, uses)
    names = [asset.file.name, *(r.file.name for r in asset.renditions.all())]
    record_event(actor, "media_asset.deleted", asset, {"name": asset.original_name})
    asset.delete()
    transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
    if names and on_filesystem():
        with contextlib.suppress(OSError):  # drop the asset's now empty folder too
            os.rmdir(os.path.dirname(default_storage.path(names[0])))


# --------------------------------------------------------------------------------------------
# Renditions (run by the worker: publishing.tasks.media_renditions_make)
# --------------------------------------------------------------------------------------------


def media_renditions_build(*, asset_id: str, version: int) -> MediaAsset | None:
    """Clean the original if the upload left that to us, make the thumbnail and platform
    renditions (or a video's poster and thumbnail) and swap them in.

    The work runs in a child process under the memory ceiling and time limit of settings
    (publishing.media.work); a file over them, over the work budget, or damaged, leaves the asset
    failed with the reason. Idempotent; a job whose ``version`` is no longer the asset's does
    nothing, and one that finds the version changed when it finishes throws its files away."""
    asset = MediaAsset.objects.filter(pk=asset_id, render_version=version).first()
    if asset is None:
        return None
    MediaAsset.objects.filter(pk=asset_id, render_version=version).update(
        processing_started_at=timezone.now(), processing_attempts=F("processing_attempts") + 1
    )
    made: list[MediaRendition] = []
    cleaned: dict | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="localbzz-work-", dir=settings.MEDIA_UPLOAD_TEMP_DIR) as workdir:
            answer = _work(asset, _original_on_disk(asset, workdir), workdir)
            if answer["cleaned"]:
                cleaned = answer["cleaned"]
                stem = os.path.splitext(os.path.basename(asset.file.name))[0]
                with open(cleaned["path"], "rb") as fh:
                    cleaned["name"] = default_storage.save(
                        f"media/{asset.client_id}/{asset.pk}/{stem}.{cleaned['extension']}", File(fh)
                    )
                cleaned["bytes"] = default_storage.size(cleaned["name"])
            for preset, rendered in answer["renditions"].items():
                with open(rendered["path"], "rb") as fh:
                    data = fh.read()
                name = default_storage.save(
                    f"media/{asset.client_id}/{asset.pk}/{preset}-{secrets.token_hex(4)}.jpg", ContentFile(data)
                )
                made.append(
                    MediaRendition(
                        asset=asset, preset=preset, file=name,
                        width=rendered["width"], height=rendered["height"], bytes=len(data),
                    )
                )  # fmt: skip
    except Exception as exc:
        if isinstance(exc, work.WorkFailed):
            reason = exc.reason
        else:
            logger.exception("Renditions of media asset %s failed", asset_id)
            reason = f"Sizes for platforms could not be made ({exc.__class__.__name__})."
        _delete_files([r.file.name for r in made] + ([cleaned["name"]] if cleaned and cleaned.get("name") else []))
        MediaAsset.objects.filter(pk=asset_id, render_version=version).update(
            status=MediaAsset.Status.FAILED, processing_error=f"{reason[: 499 - len(RETRY_HINT)]} {RETRY_HINT}"
        )
        return None
    return _swap_renditions(asset_id, version, made, cleaned)


_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "HEIF": "heic"}
_FORMATS = {content_type: fmt for fmt, content_type in IMAGE_TYPES.items()}


def _work(asset: MediaAsset, path: str, workdir: str) -> dict:
    limits = {"memory_mb": settings.MEDIA_WORK_MEMORY_MB, "seconds": settings.MEDIA_WORK_SECONDS}
    if asset.kind == MediaAsset.Kind.IMAGE:
        spec = {
            "source": path, "format": _FORMATS.get(asset.content_type, "JPEG"), "clean": is_incoming(asset.file.name),
            "presets": [presets.THUMBNAIL.name, *presets.PRESETS], "focal": asset.focal_point, "outdir": workdir,
        }  # fmt: skip
        return work.run({**spec, **work_limits()}, **limits)
    poster = os.path.join(workdir, "poster-frame.jpg")
    if not video.poster_frame(path, poster, asset.duration, **limits):  # under the same limits as the work child
        return {"cleaned": None, "renditions": {}}  # no ffmpeg: the video is kept without a poster
    spec = {"source": poster, "format": "JPEG", "clean": False, "focal": None, "outdir": workdir,
            "presets": [presets.POSTER.name, presets.THUMBNAIL.name]}  # fmt: skip
    return work.run({**spec, **work_limits()}, **limits)


@transaction.atomic
def _swap_renditions(
    asset_id: str, version: int, made: list[MediaRendition], cleaned: dict | None = None
) -> MediaAsset | None:
    asset = MediaAsset.objects.select_for_update().filter(pk=asset_id).first()
    new_names = [r.file.name for r in made] + ([cleaned["name"]] if cleaned else [])
    if asset is None or asset.render_version != version:
        transaction.on_commit(lambda: _delete_files(new_names))
        return None
    old = list(asset.renditions.all())
    old_names = [r.file.name for r in old]
    if cleaned:
        old_names.append(asset.file.name)
        asset.file.name, asset.content_type = cleaned["name"], cleaned["content_type"]
        asset.width, asset.height, asset.bytes = cleaned["width"], cleaned["height"], cleaned["bytes"]
    MediaRendition.objects.filter(pk__in=[r.pk for r in old]).delete()
    MediaRendition.objects.bulk_create(made)
    asset.status, asset.processing_error = MediaAsset.Status.READY, ""
    asset.save(update_fields=["file", "content_type", "width", "height", "bytes", "status", "processing_error",
                              "updated_at"])  # fmt: skip
    transaction.on_commit(lambda: [default_storage.delete(n) for n in old_names if n])
    return asset


def _original_on_disk(asset: MediaAsset, workdir: str) -> str:
    try:
        return default_storage.path(asset.file.name)
    except NotImplementedError:  # remote storage: stream it to a file in the work directory
        path = os.path.join(workdir, "source")
        with default_storage.open(asset.file.name, "rb") as src, open(path, "wb") as out:
            for chunk in iter(lambda: src.read(1024 * 1024), b""):
                out.write(chunk)
        return path
