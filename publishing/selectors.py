"""Reads of publishing data. Every queryset a page or endpoint lists is built here.

``client=None`` means "every client" and is for agency staff surfaces only; the portal passes
its client, always.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from agency.models import Campaign, Client
from localbzz.text import storable
from publishing.media import presets
from publishing.models import (
    MediaAsset,
    MediaFolder,
    MediaRendition,
    MediaTag,
    Post,
    PostMedia,
    PostTarget,
    SocialAccount,
    TargetMedia,
)
from publishing.states import PostStatus, TargetStatus


def media_assets(
    *,
    client: Client | None,
    kind: str | None = None,
    tag: str | None = None,
    folder: str | None = None,
    source: str | None = None,
    campaign_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    search: str | None = None,
) -> QuerySet[MediaAsset]:
    """A library's assets, newest first, with what a list shows already loaded (no N+1)."""
    qs = MediaAsset.objects.select_related("client", "folder", "uploaded_by").prefetch_related("tags", "renditions")
    if client is not None:
        qs = qs.filter(client=client)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(tags__name=storable(tag).strip().lower())
    if folder:
        qs = qs.filter(folder__name=storable(folder))
    if source:
        qs = qs.filter(source=source)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    if search and storable(search).strip():
        qs = qs.filter(original_name__icontains=storable(search).strip())
    return qs


def media_asset_get(*, asset_id, client: Client | None) -> MediaAsset:
    """One asset (raises MediaAsset.DoesNotExist outside ``client``'s library)."""
    qs = media_assets(client=client).select_related("campaign")
    return qs.get(pk=asset_id)


def media_rendition_for(asset: MediaAsset, platform: str, placement: str = "feed") -> MediaRendition | None:
    """The rendition to publish ``asset`` with on ``platform`` (see presets.preset_for), picked by
    the asset's aspect ratio; None while renditions are being made or for videos."""
    aspect = asset.width / asset.height if asset.width and asset.height else None
    return asset.rendition(presets.preset_for(platform, placement, aspect).name)


def media_clients() -> QuerySet[Client]:
    """Clients to choose from in the library (staff), with how many assets each has."""
    return Client.objects.annotate(media_count=Count("media")).order_by("name")


def media_folders(*, client: Client | None) -> QuerySet[MediaFolder]:
    qs = MediaFolder.objects.order_by("name")
    return qs.filter(client=client) if client is not None else qs


def media_tag_names(*, client: Client | None) -> list[str]:
    qs = MediaTag.objects.filter(client=client) if client is not None else MediaTag.objects.all()
    return sorted(set(qs.values_list("name", flat=True)))


def media_campaigns(*, client: Client) -> QuerySet[Campaign]:
    return Campaign.objects.filter(client=client).order_by("name")


# Posts and accounts --------------------------------------------------------------------------


REVIEW_STATUSES = [PostStatus.PENDING_APPROVAL, PostStatus.PENDING_CLIENT_APPROVAL, PostStatus.CHANGES_REQUESTED]
ON_CALENDAR = [
    PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED,
    PostStatus.PARTIALLY_PUBLISHED, PostStatus.FAILED, PostStatus.PENDING_APPROVAL, PostStatus.PENDING_CLIENT_APPROVAL,
]  # fmt: skip


def posts(*, client: Client | None = None) -> QuerySet[Post]:
    """Posts with their targets, accounts and media loaded (lists stay at a fixed query count)."""
    qs = Post.objects.select_related("client", "campaign", "created_by", "approved_by").prefetch_related(
        Prefetch(
            "targets",
            queryset=PostTarget.objects.select_related("account")
            .prefetch_related(
                Prefetch(
                    "target_media",
                    queryset=TargetMedia.objects.select_related("asset").prefetch_related("asset__renditions"),
                )
            )
            .order_by("account__platform"),
        ),
        Prefetch(
            "post_media", queryset=PostMedia.objects.select_related("asset").prefetch_related("asset__renditions")
        ),
    )
    return qs.filter(client=client) if client is not None else qs


def approval_queue(*, client: Client | None = None) -> QuerySet[Post]:
    return posts(client=client).filter(status__in=REVIEW_STATUSES).order_by("submitted_at", "created_at")


def posts_between(start, end, *, client_id=None, platform: str | None = None) -> list[Post]:
    qs = posts().filter(scheduled_at__gte=start, scheduled_at__lt=end, status__in=ON_CALENDAR)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if platform:
        qs = qs.filter(targets__account__platform=platform).distinct()
    return list(qs.order_by("scheduled_at"))


def social_accounts(*, client: Client | None = None) -> QuerySet[SocialAccount]:
    qs = SocialAccount.objects.select_related("client").annotate(
        open_targets=Count("targets", filter=Q(targets__status__in=[TargetStatus.SCHEDULED, TargetStatus.PENDING]))
    )
    return qs.filter(client=client) if client is not None else qs


def posts_waiting_count() -> int:
    return Post.objects.filter(status=PostStatus.PENDING_APPROVAL).count()
