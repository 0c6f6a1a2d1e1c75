"""Edits of the media library: an asset's details, and deleting it (refused while a post needs it)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from agency.models import Campaign
from agency.services.activity import diff, record_event
from agency.types import Actor
from localbzz import zones
from localbzz.queue import enqueue
from publishing.media.urls import on_filesystem
from publishing.models import MediaAsset, Post
from publishing.services.media.upload import folder_get_or_create, tags_get_or_create
from publishing.states import PostStatus as P

KEEP: Any = object()  # "leave this field as it is" in media_update


class MediaInUse(Exception):
    """The asset cannot be deleted: ``uses`` describes what needs it."""

    def __init__(self, asset: MediaAsset, uses: list[str]):
        self.uses = uses
        super().__init__(
            f"{asset.original_name} is used by {'; '.join(uses)}. Remove it from "
            f"{'that post' if len(uses) == 1 else 'those posts'} (or cancel them) first, then delete it."
        )


@transaction.atomic
def media_update(
    *,
    actor: Actor,
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
    changes: dict[str, list[Any]] = {}
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
def media_delete(*, actor: Actor, asset: MediaAsset) -> None:
    """Delete the asset and, once the deletion commits, its files (original and renditions).
    Raises :class:`MediaInUse` when ``media_blocking_uses`` names anything."""
    uses = media_blocking_uses(asset)
    if uses:
        raise MediaInUse(asset, uses)
    names = [name for name in [asset.file.name, *(r.file.name for r in asset.renditions.all())] if name]
    record_event(actor, "media_asset.deleted", asset, {"name": asset.original_name})
    asset.delete()
    transaction.on_commit(lambda: delete_files(names))


def delete_files(names: Sequence[str | None]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
    if names and names[0] and on_filesystem():
        with contextlib.suppress(OSError):  # drop the asset's now empty folder too
            os.rmdir(os.path.dirname(default_storage.path(names[0])))
