"""Reads of publishing data. Every queryset a page or endpoint lists is built here.

``client=None`` means "every client" and is for agency staff surfaces only; the portal passes
its client, always.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import RowNumber

from agency.models import Campaign, Client, Deliverable, PortalRequest, Shoot
from localbzz.text import storable
from localbzz.zones import LocalDate
from publishing.media import presets
from publishing.models import (
    Attachment,
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
    tiles_only: bool = False,
) -> QuerySet[MediaAsset]:
    """A library's assets, newest first, with what a list shows already loaded (no N+1).
    ``tiles_only``: what a library tile shows and no more — the thumbnail, in a plain list
    (``MediaAsset.prefetched_renditions``), and no client, folder, uploader or tags: a page of 48
    built ~300 renditions and ~150 related objects nobody looked at. Of the asset and the
    thumbnail only the columns a tile reads (``publishing/partials/media_tile.html``)."""
    if tiles_only:
        thumbnails = MediaRendition.objects.filter(preset=presets.THUMBNAIL.name).only(
            "id", "asset_id", "preset", "file", "width", "height"
        )
        qs = MediaAsset.objects.only("id", "original_name", "kind", "status", "duration", "created_at")
        qs = qs.prefetch_related(Prefetch("renditions", queryset=thumbnails, to_attr=MediaAsset.PREFETCHED_RENDITIONS))
    else:
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


def media_asset_get(*, asset_id: UUID | str, client: Client | None) -> MediaAsset:
    """One asset (raises MediaAsset.DoesNotExist outside ``client``'s library)."""
    qs = media_assets(client=client).select_related("campaign")
    return qs.get(pk=asset_id)


def media_asset_state(*, asset_id: UUID | str, client: Client | None) -> MediaAsset | None:
    """Only what an upload row shows (status and failure reason), in one query: it is polled every
    two seconds while the asset is processed. None when it is gone (or outside ``client``'s library)."""
    qs = MediaAsset.objects.filter(pk=asset_id)
    if client is not None:
        qs = qs.filter(client=client)
    return qs.only("id", "client_id", "status", "processing_error").first()


def media_rendition_for(asset: MediaAsset, platform: str, placement: str = "feed") -> MediaRendition | None:
    """The rendition to publish ``asset`` with on ``platform`` (see presets.preset_for), picked by
    the asset's aspect ratio; None while renditions are being made or for videos."""
    aspect = asset.width / asset.height if asset.width and asset.height else None
    return asset.rendition(presets.preset_for(platform, placement, aspect).name)


MEDIA_COUNTS_KEY = "publishing:media-counts"


def media_clients() -> Sequence[Client]:
    """Clients to choose from in the library (staff), their id and name only (an agency has
    hundreds), with how many assets each has (``media_count``). The counts are kept in the cache,
    not counted over the whole media table on every view; adding or deleting an asset drops them
    (publishing.apps), at worst they are five minutes old (assets written in bulk)."""
    counts = cache.get(MEDIA_COUNTS_KEY)
    if counts is None:  # count (one query, as the clients are read) and keep
        counted = list(Client.objects.only("pk", "name").annotate(media_count=Count("media")).order_by("name"))
        cache.set(MEDIA_COUNTS_KEY, {c.pk: c.media_count for c in counted}, 300)
        return list(counted)
    clients = list(Client.objects.only("pk", "name").annotate(media_count=Value(0)).order_by("name"))  # from the cache
    for c in clients:
        c.media_count = counts.get(c.pk, 0)
    return clients


def media_counts_changed(*, created: bool = True, **kwargs: Any) -> None:
    if created:  # an asset added (post_save) or deleted (post_delete); not a mere update
        cache.delete(MEDIA_COUNTS_KEY)


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


def posts(*, client: Client | None = None, thumbnails_only: bool = False, plain_lists: bool = False) -> QuerySet[Post]:
    """Posts with their targets, accounts and media loaded (lists stay at a fixed query count).
    ``thumbnails_only``: of each media's renditions only the thumbnail (lists show no other; an
    asset has up to seven), kept in a plain list (``MediaAsset.prefetched_renditions``, read by
    ``MediaAsset.rendition``): Django builds a QuerySet per asset to hold a prefetch otherwise;
    and of the post's relations only the client (a list shows no author, approver or campaign
    name: two users per post were built for nothing).
    ``plain_lists`` (the posts API's and the client API's lists; thumbnails only, as above): the
    targets and both kinds of media rows go into plain lists too, read by ``Post.target_list``,
    ``Post.media_list`` and ``PostTarget.media_list`` (``targets.all()`` would query again per
    post), and only the columns those answers and the missed-time rule read are loaded."""
    if plain_lists:
        return _posts_in_plain_lists(Post.objects.select_related("client")).filter(
            **({"client": client} if client is not None else {})
        )

    def renditions() -> Prefetch[Any, Any, Any]:
        if not thumbnails_only:
            return Prefetch("asset__renditions")
        return _thumbnails()

    related = ("client",) if thumbnails_only else ("client", "campaign", "created_by", "approved_by")
    qs = Post.objects.select_related(*related).prefetch_related(
        Prefetch(
            "targets",
            queryset=PostTarget.objects.select_related("account")
            .prefetch_related(
                Prefetch(
                    "target_media", queryset=TargetMedia.objects.select_related("asset").prefetch_related(renditions())
                )
            )
            .order_by("account__platform"),
        ),
        Prefetch("post_media", queryset=PostMedia.objects.select_related("asset").prefetch_related(renditions())),
    )
    return qs.filter(client=client) if client is not None else qs


def _thumbnails() -> Prefetch[Any, Any, Any]:
    return Prefetch(
        "asset__renditions",
        queryset=MediaRendition.objects.filter(preset=presets.THUMBNAIL.name).only("id", "asset_id", "preset", "file"),
        to_attr=MediaAsset.PREFETCHED_RENDITIONS,
    )


# What a listed post's targets and media are read for: the posts API (``post_out``), the client
# API (``client_post_out``) and ``missed.waited_for``. Anything else read off them is a query per row.
_TARGET_FIELDS = (
    "id", "post_id", "account_id", "caption_override", "status", "scheduled_at", "attempts", "external_id", "url",
    "remote_state", "published_at", "error_kind", "last_error",
    "account__id", "account__platform", "account__route", "account__name",
)  # fmt: skip
_ASSET_FIELDS = ("asset__id", "asset__file", "asset__original_name", "asset__kind")


def _posts_in_plain_lists(qs: QuerySet[Post]) -> QuerySet[Post]:
    target_media = TargetMedia.objects.select_related("asset").only("id", "target_id", "asset_id", *_ASSET_FIELDS)
    post_media = PostMedia.objects.select_related("asset").only("id", "post_id", "asset_id", *_ASSET_FIELDS)
    targets = (
        PostTarget.objects.select_related("account")
        .only(*_TARGET_FIELDS)
        .prefetch_related(
            Prefetch(
                "target_media",
                queryset=target_media.prefetch_related(_thumbnails()),
                to_attr=PostTarget.PREFETCHED_MEDIA,
            )
        )
        .order_by("account__platform")
    )
    return qs.prefetch_related(
        Prefetch("targets", queryset=targets, to_attr=Post.PREFETCHED_TARGETS),
        Prefetch("post_media", queryset=post_media.prefetch_related(_thumbnails()), to_attr=Post.PREFETCHED_MEDIA),
    )


def post_rows() -> QuerySet[Post]:
    """The content list's rows: each post with its client and its targets' accounts (the platform
    icons), the targets in a plain list (``Post.target_list``). No media: the list shows none."""
    targets = (
        PostTarget.objects.select_related("account")
        .only("id", "post_id", "account_id", "account__id", "account__platform", "account__name")
        .order_by("account__platform")
    )
    return Post.objects.select_related("client").prefetch_related(
        Prefetch("targets", queryset=targets, to_attr=Post.PREFETCHED_TARGETS)
    )


def approval_queue(*, client: Client | None = None) -> QuerySet[Post]:
    return posts(client=client).filter(status__in=REVIEW_STATUSES).order_by("submitted_at", "created_at")


def _on_calendar(
    start: datetime, end: datetime, *, client_id: UUID | str | None = None, platform: str | None = None
) -> QuerySet[Post]:
    qs = Post.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end, status__in=ON_CALENDAR)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if platform:
        qs = qs.filter(Exists(PostTarget.objects.filter(post=OuterRef("pk"), account__platform=platform)))
    return qs


@dataclass
class CalendarDay:
    posts: list[Post]  # the first ``per_day`` of the day, in time order
    more: int  # how many more the day holds


def calendar_posts(
    start: datetime, end: datetime, *, per_day: int, client_id: UUID | str | None = None, platform: str | None = None
) -> dict[date, CalendarDay]:
    """The calendar's cells: by each post's local date (its client's time zone), at most
    ``per_day`` posts with only what a cell shows — time, client, title, status, platform names
    (``p.platform_names``) and the file name of the first media's thumbnail (``p.thumbnail``, or
    None) — and how many more the day holds.

    Three small queries whatever the month holds: the cells' posts, each with its place in its day
    and the day's count (window functions over the local day, in SQL: a month of 4,500 posts reads
    at most ``per_day`` a day), then their platforms and their first thumbnails.
    """
    day = LocalDate("scheduled_at", "client__timezone")
    in_time_order = [F("scheduled_at").asc(), F("pk").asc()]
    shown = list(
        _on_calendar(start, end, client_id=client_id, platform=platform)
        .select_related("client")
        .only("pk", "title", "caption", "status", "scheduled_at", "client__name", "client__timezone")
        .annotate(
            day=day,
            place=Window(RowNumber(), partition_by=[day], order_by=in_time_order),
            of_day=Window(Count("pk"), partition_by=[day]),
        )
        .filter(place__lte=per_day)
        .order_by("scheduled_at", "pk")
    )
    days: dict[date, CalendarDay] = {}
    by_pk: dict[UUID, Post] = {}
    for p in shown:
        p.platform_names, p.platform_keys, p.thumbnail = [], [], None
        by_pk[p.pk] = p
        cell = days.setdefault(p.day, CalendarDay([], p.of_day))
        cell.posts.append(p)
        cell.more -= 1
    if not shown:
        return days
    labels = dict(SocialAccount.Platform.choices)
    platforms = PostTarget.objects.filter(post_id__in=by_pk).order_by("account__platform")
    for post_id, platform_name in platforms.values_list("post_id", "account__platform"):
        by_pk[post_id].platform_names.append(labels.get(platform_name, platform_name))
        by_pk[post_id].platform_keys.append(platform_name)
    thumbnail = MediaRendition.objects.filter(asset_id=OuterRef("asset_id"), preset=presets.THUMBNAIL.name)
    firsts = (
        PostMedia.objects.filter(post_id__in=by_pk)
        .annotate(thumb=Subquery(thumbnail.values("file")[:1]))
        .order_by("-position")  # the first position is written last
        .values_list("post_id", "thumb")
    )
    for post_id, file in firsts:
        by_pk[post_id].thumbnail = file or None
    return days


def social_accounts(*, client: Client | None = None) -> QuerySet[SocialAccount]:
    qs = SocialAccount.objects.select_related("client").annotate(
        open_targets=Count("targets", filter=Q(targets__status__in=[TargetStatus.SCHEDULED, TargetStatus.PENDING]))
    )
    return qs.filter(client=client) if client is not None else qs


def posts_waiting_count() -> int:
    return Post.objects.filter(status=PostStatus.PENDING_APPROVAL).count()


# Attachments -----------------------------------------------------------------------------------

ATTACHABLE: dict[str, type[Shoot | Deliverable | PortalRequest]] = {
    "shoot": Shoot,
    "deliverable": Deliverable,
    "request": PortalRequest,
}


def attachment_target(kind: str, pk: UUID | str) -> Shoot | Deliverable | PortalRequest:
    """Staff surfaces: the shoot, deliverable or request ``pk`` (any client); DoesNotExist otherwise."""
    model: type[Shoot | Deliverable | PortalRequest] = ATTACHABLE[kind]
    return model._default_manager.select_related("client").get(pk=pk)


def attachments_of(target: Shoot | Deliverable | PortalRequest) -> QuerySet[Attachment]:
    """The files attached to ``target``, newest first (the column names who uploaded: no join)."""
    return Attachment.objects.filter(**{Attachment.field_for(target): target}).order_by("-created_at", "-id")


def attachments_by_target(field: str, ids: Sequence[Any]) -> dict[Any, list[Attachment]]:
    """Attachments of many shoots/deliverables/requests in one query (a portal list), by their id."""
    grouped: dict[Any, list[Attachment]] = {pk: [] for pk in ids}
    for attachment in Attachment.objects.filter(**{f"{field}_id__in": ids}).order_by("-created_at", "-id"):
        grouped[getattr(attachment, f"{field}_id")].append(attachment)
    return grouped


def attachment_get(attachment_id: UUID | str) -> Attachment | None:
    """Staff surfaces: one attachment (any client) with the thing it is on."""
    return Attachment.objects.select_related("shoot", "deliverable", "request").filter(pk=attachment_id).first()
