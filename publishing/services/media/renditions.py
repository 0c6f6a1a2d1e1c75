"""The platform-sized versions of an asset, made by the worker (``publishing.tasks.media_renditions_make``)."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agency.services.activity import record_event
from publishing.media import presets, video, work
from publishing.media.probe import IMAGE_TYPES, work_limits
from publishing.media.urls import is_incoming
from publishing.models import MediaAsset, MediaRendition
from publishing.models.media import RETRY_HINT
from publishing.services.media.edit import delete_files

logger = logging.getLogger(__name__)


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
    cleaned: dict[str, Any] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="localbzz-work-", dir=settings.MEDIA_UPLOAD_TEMP_DIR) as workdir:
            answer = _work(asset, stored_on_disk(asset.file.name or "", workdir), workdir)
            if answer["cleaned"]:
                cleaned = answer["cleaned"]
                stem = os.path.splitext(os.path.basename(asset.file.name or ""))[0]
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
        made_names = [r.file.name for r in made if r.file.name]
        delete_files(made_names + ([cleaned["name"]] if cleaned and cleaned.get("name") else []))
        with transaction.atomic():
            if MediaAsset.objects.filter(pk=asset_id, render_version=version).update(
                status=MediaAsset.Status.FAILED, processing_error=f"{reason[: 499 - len(RETRY_HINT)]} {RETRY_HINT}"
            ):
                record_event(None, "media_asset.processing_failed", asset, {"reason": reason[:200]})
        return None
    return _swap_renditions(asset_id, version, made, cleaned)


_FORMATS = {content_type: fmt for fmt, content_type in IMAGE_TYPES.items()}


def _work(asset: MediaAsset, path: str, workdir: str) -> dict[str, Any]:
    limits = {"memory_mb": settings.MEDIA_WORK_MEMORY_MB, "seconds": settings.MEDIA_WORK_SECONDS}
    if asset.kind == MediaAsset.Kind.IMAGE:
        spec = {
            "source": path, "format": _FORMATS.get(asset.content_type, "JPEG"),
            "clean": is_incoming(asset.file.name or ""),
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
    asset_id: str, version: int, made: list[MediaRendition], cleaned: dict[str, Any] | None = None
) -> MediaAsset | None:
    asset = MediaAsset.objects.select_for_update().filter(pk=asset_id).first()
    new_names = [r.file.name for r in made if r.file.name] + ([cleaned["name"]] if cleaned else [])
    if asset is None or asset.render_version != version:
        transaction.on_commit(lambda: delete_files(new_names))
        return None
    old = list(asset.renditions.all())
    old_names = [r.file.name for r in old if r.file.name]
    if cleaned:
        old_names.append(asset.file.name or "")
        asset.file.name, asset.content_type = cleaned["name"], cleaned["content_type"]
        asset.width, asset.height, asset.bytes = cleaned["width"], cleaned["height"], cleaned["bytes"]
    MediaRendition.objects.filter(pk__in=[r.pk for r in old]).delete()
    MediaRendition.objects.bulk_create(made)
    asset.status, asset.processing_error = MediaAsset.Status.READY, ""
    asset.save(update_fields=["file", "content_type", "width", "height", "bytes", "status", "processing_error",
                              "updated_at"])  # fmt: skip
    record_event(None, "media_asset.processed", asset, {"sizes made": len(made)})  # the open pages show it
    transaction.on_commit(lambda: _delete_each(old_names))
    return asset


def _delete_each(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def stored_on_disk(name: str, workdir: str) -> str:
    """A local path holding the stored file ``name``: itself on disk, or a copy in ``workdir``."""
    try:
        return default_storage.path(name)
    except NotImplementedError:  # remote storage: stream it to a file in the work directory
        path = os.path.join(workdir, "source")
        with default_storage.open(name, "rb") as src, open(path, "wb") as out:
            for chunk in iter(lambda: src.read(1024 * 1024), b""):
                out.write(chunk)
        return path
