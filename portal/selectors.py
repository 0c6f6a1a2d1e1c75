"""Reads for a client's portal. Every function takes the client and filters by it: nothing here
can answer another client's data.

The monthly limit: a post counts in the calendar month (in the client's time zone) in which it
was submitted; canceled and rejected posts do not count. ``quota`` is the one place that rule is
computed; ``portal.services.content.content_submit`` holds it under concurrency.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from agency.models import CalendarFeed, Client, Deliverable, PortalRequest, RequestMessage
from localbzz.text import counted
from portal.models import ClientUser
from publishing import selectors as publishing_selectors
from publishing.models import MediaAsset, MediaRendition, Post, PostTarget, SocialAccount
from publishing.states import NOT_COUNTED, client_side_label
from publishing.states import PostStatus as P

# What a client sees of posts (drafts are the agency's working copies).
CLIENT_VISIBLE = [s for s in P.values if s != P.DRAFT]
IN_REVIEW = [P.PENDING_APPROVAL, P.CHANGES_REQUESTED]
WENT_OUT = [P.PUBLISHED, P.PARTIALLY_PUBLISHED]


def month_bounds(client: Client, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The start of this calendar month and of the next, in the client's time zone."""
    local = (now or timezone.now()).astimezone(client.tz)
    start = datetime(local.year, local.month, 1, tzinfo=client.tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return start, datetime(year, month, 1, tzinfo=client.tz)


@dataclass(frozen=True)
class Quota:
    limit: int
    used: int
    month_start: datetime
    resets_at: datetime
    by_client: int = 0  # of ``used``: submitted by the client's own people; the rest by the agency

    @property
    def by_agency(self) -> int:
        return self.used - self.by_client

    @property
    def breakdown(self) -> str:
        """Which posts count, e.g. '4 by the agency, 2 by you'."""
        return f"{self.by_agency} by the agency, {self.by_client} by you"

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def percent(self) -> int:
        return 100 if not self.limit else min(100, round(100 * self.used / self.limit))

    @property
    def month_label(self) -> str:
        return self.month_start.strftime("%B %Y")

    @property
    def resets_on(self) -> date:
        return self.resets_at.date()

    def exhausted_message(self) -> str:
        who = settings.AGENCY_NAME + (f" ({settings.AGENCY_CONTACT_EMAIL})" if settings.AGENCY_CONTACT_EMAIL else "")
        return (
            f"You have used {'the' if self.limit == 1 else 'all'} {counted(self.limit, 'post')} of your plan for "
            f"{self.month_label} ({self.breakdown}). "
            f"Your limit resets on {self.resets_at.strftime('%B')} {self.resets_at.day}; to post more this month, "
            f"ask {who} to raise it, or send a request from the Requests page."
        )


def _counted(start: datetime, end: datetime) -> Q:
    return Q(submitted_at__gte=start, submitted_at__lt=end) & ~Q(status__in=NOT_COUNTED)


def _by_client(client: Client) -> Q:
    """Posts made by the client's own people (the portal or the client API), not by the agency."""
    return Q(created_by__client_user__client=client)


def quota(client: Client, *, now: datetime | None = None) -> Quota:
    start, end = month_bounds(client, now)
    figures = Post.objects.filter(_counted(start, end), client=client).aggregate(
        used=Count("pk"), by_client=Count("pk", filter=_by_client(client))
    )
    return Quota(
        limit=client.monthly_post_limit, used=figures["used"], by_client=figures["by_client"], month_start=start,
        resets_at=end,
    )  # fmt: skip


@dataclass
class Stats:
    quota: Quota
    posts_total: int
    posts_this_month: int
    scheduled: int
    waiting_for_agency: int
    waiting_for_you: int
    published_this_month: int
    by_status: dict[str, int]  # every status the client sees, by code (seed 002), zeros included
    platforms: list[dict[str, Any]] = field(default_factory=list)
    accounts: int = 0

    @property
    def by_status_shown(self) -> list[tuple[str, int]]:
        """(label, count) of the statuses that have posts, for the dashboard page."""
        return [(client_side_label(code), n) for code, n in self.by_status.items() if n]


def stats(client: Client, *, now: datetime | None = None) -> Stats:
    """The dashboard's figures in three queries, however many posts the client has."""
    start, end = month_bounds(client, now)
    visible = Post.objects.filter(client=client, status__in=CLIENT_VISIBLE)
    figures = Post.objects.filter(client=client).aggregate(
        total=Count("pk", filter=Q(status__in=CLIENT_VISIBLE)),
        this_month=Count("pk", filter=_counted(start, end)),
        this_month_by_client=Count("pk", filter=_counted(start, end) & _by_client(client)),
        published_this_month=Count("pk", filter=Q(status__in=WENT_OUT, published_at__gte=start, published_at__lt=end)),
    )
    by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    platforms: dict[str, dict[str, Any]] = {}
    accounts = 0
    for platform, status in connected_accounts(client).order_by().values_list("platform", "status"):
        accounts += 1
        entry = platforms.setdefault(
            platform,
            {"platform": platform, "label": SocialAccount.Platform(platform).label, "accounts": 0, "attention": 0},
        )
        entry["accounts"] += 1
        entry["attention"] += status == SocialAccount.Status.NEEDS_RECONNECT
    return Stats(
        quota=Quota(
            limit=client.monthly_post_limit,
            used=figures["this_month"],
            by_client=figures["this_month_by_client"],
            month_start=start,
            resets_at=end,
        ),  # fmt: skip
        posts_total=figures["total"],
        posts_this_month=figures["this_month"],
        scheduled=by_status.get(P.SCHEDULED, 0),
        waiting_for_agency=sum(by_status.get(s, 0) for s in IN_REVIEW),
        waiting_for_you=by_status.get(P.PENDING_CLIENT_APPROVAL, 0),
        published_this_month=figures["published_this_month"],
        by_status={s: by_status.get(s, 0) for s in CLIENT_VISIBLE},
        platforms=sorted(platforms.values(), key=lambda p: p["label"]),
        accounts=accounts,
    )


# Posts --------------------------------------------------------------------------------------


def posts_feed(client: Client) -> CalendarFeed | None:
    """The client's own calendar feed of scheduled posts, or None before it asks for one."""
    return CalendarFeed.objects.filter(kind=CalendarFeed.Kind.PORTAL_POSTS, client=client).first()


def posts(client: Client, *, thumbnails_only: bool = False, plain_lists: bool = False) -> QuerySet[Post]:
    """The client's posts (never the agency's drafts), targets and media loaded (of the media's
    renditions only thumbnails with ``thumbnails_only``, for lists; in plain lists with
    ``plain_lists``, for the client API: ``publishing.selectors.posts``)."""
    qs = publishing_selectors.posts(client=client, thumbnails_only=thumbnails_only, plain_lists=plain_lists)
    return qs.filter(status__in=CLIENT_VISIBLE)


def calendar_posts(client: Client, start: datetime, end: datetime, statuses: Iterable[str]) -> list[Post]:
    """The client's posts of a calendar period, in time order, with only what a cell shows — time,
    title, status and each target's platform (``p.platform_keys``, a plain list) — not every
    target's media and renditions, nor a target and an account object per platform."""
    qs = Post.objects.filter(client=client, status__in=[s for s in statuses if s in CLIENT_VISIBLE])
    qs = qs.filter(scheduled_at__gte=start, scheduled_at__lt=end).only(
        "pk", "client_id", "title", "caption", "status", "scheduled_at"
    )
    posts = list(qs.order_by("scheduled_at"))
    by_pk = {}
    for p in posts:
        p.client, p.platform_keys = client, []
        by_pk[p.pk] = p
    platforms = PostTarget.objects.filter(post_id__in=by_pk).order_by("account__platform")
    for post_id, platform in platforms.values_list("post_id", "account__platform") if posts else []:
        by_pk[post_id].platform_keys.append(platform)
    return posts


def post_get(client: Client, post_id: UUID | str) -> Post:
    """One of the client's posts (raises Post.DoesNotExist for anything else)."""
    return posts(client).get(pk=post_id)


def scheduled_posts(client: Client, *, start: datetime | None = None, end: datetime | None = None) -> QuerySet[Post]:
    qs = posts(client, plain_lists=True).filter(status=P.SCHEDULED)
    if start is not None:
        qs = qs.filter(scheduled_at__gte=start)
    if end is not None:
        qs = qs.filter(scheduled_at__lt=end)
    return qs.order_by("scheduled_at", "pk")


def waiting_for_client(client: Client) -> QuerySet[Post]:
    return posts(client).filter(status=P.PENDING_CLIENT_APPROVAL).order_by("scheduled_at", "submitted_at")


def connected_accounts(client: Client) -> QuerySet[SocialAccount]:
    """Accounts a client's post may go to (disabled ones never; ones needing reconnecting still
    take posts, which wait until the agency reconnects them)."""
    return SocialAccount.objects.filter(client=client).exclude(status=SocialAccount.Status.DISABLED)


def connected_platforms(client: Client) -> list[tuple[str, str]]:
    """(platform, label) of every platform the client has an account on, in a stable order."""
    present = set(connected_accounts(client).values_list("platform", flat=True))
    return [(value, label) for value, label in SocialAccount.Platform.choices if value in present]


# Media --------------------------------------------------------------------------------------


def media(client: Client, **filters: Any) -> QuerySet[MediaAsset]:
    return publishing_selectors.media_assets(client=client, **filters)


def media_get(client: Client, asset_id: UUID | str) -> MediaAsset:
    return media(client).get(pk=asset_id)


def media_by_urls(client: Client, urls: list[str]) -> tuple[list[MediaAsset], list[str]]:
    """The client's assets named by stored-file URLs (as the upload answered them, signed or not;
    a rendition's URL names its asset), and the URLs that name none of them."""
    wanted: dict[str, list[str]] = {}
    for url in urls:
        path = unquote(urlparse(url.strip()).path).lstrip("/")
        parts = path.split("/")
        # Every suffix of the path: "bucket/clients/a/b.jpg" → "clients/a/b.jpg" → … (S3 or our files view).
        wanted[url] = ["/".join(parts[i:]) for i in range(len(parts)) if parts[i]]
    names = {name for candidates in wanted.values() for name in candidates}
    by_name = {a.file.name: a for a in media(client).filter(file__in=names)}
    for rendition in MediaRendition.objects.filter(asset__client=client, file__in=names).select_related("asset"):
        by_name.setdefault(rendition.file.name, rendition.asset)
    # A URL the upload answered while the file was still being cleaned names it under incoming/;
    # the asset's id in the path still finds it once the cleaned file has taken its place.
    segments = {c.split("/")[0] for candidates in wanted.values() for c in candidates}  # every path segment
    by_id = {str(a.pk): a for a in media(client).filter(pk__in=[p for p in segments if _is_uuid(p)])}
    found, unknown = [], []
    for url, candidates in wanted.items():
        asset = next((by_name[n] for n in candidates if n in by_name), None)
        asset = asset or next((by_id[c.split("/")[0]] for c in candidates if c.split("/")[0] in by_id), None)
        if asset is None:
            unknown.append(url)
        else:
            found.append(asset)
    return found, unknown


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def portal_uploader_ids(client: Client) -> set[int]:
    """Users whose uploads the client may delete: the client's own portal users."""
    return set(ClientUser.objects.filter(client=client).values_list("user_id", flat=True))


# Requests and deliverables -----------------------------------------------------------------


def requests(client: Client) -> QuerySet[PortalRequest]:
    return (
        PortalRequest.objects.filter(client=client)
        .annotate(message_count=Count("messages"))
        .select_related("created_by")
        .order_by("-created_at")
    )


def request_get(client: Client, request_id: UUID | str) -> PortalRequest:
    return (
        PortalRequest.objects.filter(client=client)
        .prefetch_related(Prefetch("messages", queryset=RequestMessage.objects.order_by("created_at")))
        .get(pk=request_id)
    )


CLIENT_DELIVERABLES = [
    Deliverable.Status.NEEDS_REVIEW,
    Deliverable.Status.READY_TO_POST,
    Deliverable.Status.DELIVERED,
]


def deliverables(client: Client) -> QuerySet[Deliverable]:
    """What a client sees of the agency's work: for review, ready, delivered (not work in progress)."""
    return (
        Deliverable.objects.filter(client=client, status__in=CLIENT_DELIVERABLES)
        .select_related("shoot", "campaign")
        .order_by("-updated_at")
    )


def deliverable_get(client: Client, deliverable_id: UUID | str) -> Deliverable:
    return deliverables(client).get(pk=deliverable_id)


def portal_users(client: Client) -> QuerySet[ClientUser]:
    return ClientUser.objects.filter(client=client).select_related("user", "invited_by").order_by("user__email")
