"""Reads of publishing data. Every queryset a page or endpoint lists is built here.

``client=None`` means "every client" and is for agency staff surfaces only; the portal passes
its client, always.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet

from agency.models import Campaign, Client
from publishing.media import presets
from publishing.models import MediaAsset, MediaFolder, MediaRendition, MediaTag


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
        qs = qs.filter(tags__name=tag.strip().lower())
    if folder:
        qs = qs.filter(folder__name=folder)
    if source:
        qs = qs.filter(source=source)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    if search:
        qs = qs.filter(original_name__icontains=search.strip())
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
