"""Reads of analytics. The staff pages, the portal, the PDF report and the API read these and nothing else.

Counting rules (the same everywhere):
- A post's figures count on the day it was published, in the client's time zone; a period is whole
  days ``start``..``end`` inclusive. ``previous`` is the period of the same length just before.
- A figure is the sum over the published targets that have it. None means no target in the period
  has it (not permitted, not offered, not synced yet): never shown as 0. Why it is missing is in
  ``unavailable``.
- ``engagements`` adds up the interactions a platform gives (likes/reactions, comments, shares,
  saves, clicks); the engagement rate is engagements / impressions (a fraction, 0.043 = 4.3 %).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

from agency.models import Campaign, Client
from analytics.models import FIGURES, AccountMetrics, MetricSnapshot, TargetMetrics
from localbzz import zones
from publishing.models import MediaAsset, MediaRendition, Post, PostMedia, PostTarget, SocialAccount, TargetMedia

TOP_POSTS = 10
# Best slots look at this much of the client's history, and need this many posts in a slot to rank it.
SLOT_HISTORY_DAYS = 180
SLOT_MIN_POSTS = 2

Figures = dict[str, int | None]


@dataclass(frozen=True)
class FollowerRow:
    platform: str
    account: SocialAccount
    start: int | None  # followers on the first synced day of the period
    end: int | None  # followers on the last synced day of the period
    change: int | None  # end - start; None when either is unknown


@dataclass(frozen=True)
class DayPoint:
    day: date
    impressions: int | None
    engagements: int | None
    posts: int


@dataclass(frozen=True)
class TopPost:
    post: Post
    platforms: list[str]
    thumbnail_url: str | None
    impressions: int | None
    engagements: int | None
    rate: float | None


@dataclass(frozen=True)
class PlatformRow:
    platform: str
    posts: int
    impressions: int | None
    engagements: int | None
    rate: float | None


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday (like SocialAccount.posting_slots)
    hour: int  # 0-23, the client's local time
    score: float  # mean engagements per post published in this slot
    posts: int


@dataclass(frozen=True)
class ClientAnalytics:
    client: Client
    start: date
    end: date
    platform: str | None
    totals: Figures
    previous: Figures
    engagement_rate: float | None
    previous_engagement_rate: float | None
    followers: list[FollowerRow]
    series: list[DayPoint]
    top_posts: list[TopPost]
    by_platform: list[PlatformRow]
    best_slots: list[Slot]
    unavailable: dict[str, list[str]]
    posts_published: int
    previous_posts_published: int

    def change(self, metric: str) -> float | None:
        """The relative change of a total against the previous period (0.25 = +25 %); None when unknown."""
        now, before = self.totals.get(metric), self.previous.get(metric)
        if now is None or not before:
            return None
        return (now - before) / before


@dataclass(frozen=True)
class ClientRow:
    client: Client
    posts: int
    impressions: int | None
    engagements: int | None
    rate: float | None
    previous_engagements: int | None
    change: float | None  # relative change of engagements against the previous period


@dataclass(frozen=True)
class AgencyAnalytics:
    start: date
    end: date
    platform: str | None
    totals: Figures
    previous: Figures
    posts_published: int
    clients: list[ClientRow]  # by engagements, highest first
    by_platform: list[PlatformRow]
    grew_most: list[FollowerRow]  # accounts by follower growth in the period, largest first
    unavailable: dict[str, list[str]]


@dataclass(frozen=True)
class HistoryPoint:
    taken_at: datetime
    figures: Figures


@dataclass(frozen=True)
class TargetMetricsRow:
    target: PostTarget
    platform: str
    account: SocialAccount
    figures: Figures
    unavailable: dict[str, str]
    synced_at: datetime | None
    next_sync_at: datetime | None
    last_error: str
    history: list[HistoryPoint] = field(default_factory=list)


def rate(engagements: int | None, impressions: int | None) -> float | None:
    if engagements is None or not impressions:
        return None
    return engagements / impressions


def period_bounds(start: date, end: date, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a period of local days covers: [start 00:00, the day after end 00:00)."""
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def previous_period(start: date, end: date) -> tuple[date, date]:
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def _published(
    *,
    client: Client | None,
    start: date,
    end: date,
    tz: zoneinfo.ZoneInfo,
    platform: str | None,
    campaign: Campaign | None = None,
) -> QuerySet[TargetMetrics]:
    lo, hi = period_bounds(start, end, tz)
    qs = TargetMetrics.objects.filter(published_at__gte=lo, published_at__lt=hi)
    if client is not None:
        qs = qs.filter(client=client)
    if platform:
        qs = qs.filter(platform=platform)
    if campaign is not None:
        qs = qs.filter(post__campaign=campaign)
    return qs


def _both_totals(both: QuerySet[TargetMetrics], split: datetime) -> tuple[Figures, int, Figures, int]:
    """The totals before and from ``split`` over a queryset covering both periods, in one query."""
    now, before = Q(published_at__gte=split), Q(published_at__lt=split)
    row = both.aggregate(
        **{f"now_{name}": Sum(name, filter=now) for name in FIGURES},
        **{f"was_{name}": Sum(name, filter=before) for name in FIGURES},
        now_posts=Count("post", distinct=True, filter=now),
        was_posts=Count("post", distinct=True, filter=before),
    )
    return (
        {name: row[f"now_{name}"] for name in FIGURES},
        int(row["now_posts"] or 0),
        {name: row[f"was_{name}"] for name in FIGURES},
        int(row["was_posts"] or 0),
    )


def _sum(values: Iterable[int | None]) -> int | None:
    """A total of sums that may be unknown: None when every one is (like SQL's SUM over no figures)."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _unavailable(rows: Iterable[dict[str, str]]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for reasons in rows:
        for metric, reason in (reasons or {}).items():
            out.setdefault(metric, set()).add(reason)
    return {metric: sorted(reasons) for metric, reasons in sorted(out.items())}


def _reasons(qs: QuerySet[Any]) -> list[dict[str, str]]:
    """The distinct ``unavailable`` maps of a queryset (a handful: one per platform and permission set)."""
    return list(qs.exclude(unavailable={}).order_by().values_list("unavailable", flat=True).distinct())


def _by_platform(qs: QuerySet[TargetMetrics]) -> list[PlatformRow]:
    rows = (
        qs.order_by()
        .values("platform")
        .annotate(
            posts=Count("post", distinct=True),
            impressions_sum=Sum("impressions"),
            engagements_sum=Sum("engagements"),
        )
        .order_by("platform")
    )
    return sorted(
        (
            PlatformRow(
                platform=r["platform"],
                posts=r["posts"],
                impressions=r["impressions_sum"],
                engagements=r["engagements_sum"],
                rate=rate(r["engagements_sum"], r["impressions_sum"]),
            )
            for r in rows
        ),
        key=lambda row: (-(row.engagements or 0), row.platform),
    )


def _series(qs: QuerySet[TargetMetrics], start: date, end: date, tz: zoneinfo.ZoneInfo) -> list[DayPoint]:
    rows = {
        r["day"]: r
        for r in qs.order_by()
        .annotate(day=TruncDate("published_at", tzinfo=tz))
        .values("day")
        .annotate(
            impressions_sum=Sum("impressions"),
            engagements_sum=Sum("engagements"),
            posts=Count("post", distinct=True),
        )
    }
    out = []
    day = start
    while day <= end:
        r = rows.get(day)
        if r is None:  # nothing published that day: nothing seen, nothing to miss
            out.append(DayPoint(day=day, impressions=0, engagements=0, posts=0))
        else:
            out.append(
                DayPoint(day=day, impressions=r["impressions_sum"], engagements=r["engagements_sum"], posts=r["posts"])
            )
        day += timedelta(days=1)
    return out


def _cards(ids: list[Any]) -> tuple[dict[Any, Post], dict[Any, list[str]], dict[Any, str | None]]:
    """What a top-post card shows, for these few posts: the post, its platforms, one picture (its
    first medium's thumbnail; a post without media of its own: its first target's, e.g. a
    generated image). A fixed handful of queries, whatever the number of posts."""
    posts = Post.objects.in_bulk(ids)
    platforms: dict[Any, set[str]] = {}
    published = PostTarget.objects.filter(post_id__in=ids, status=PostTarget.Status.PUBLISHED)
    for post_id, platform in published.values_list("post_id", "account__platform"):
        platforms.setdefault(post_id, set()).add(platform)
    first: dict[Any, Any] = {}
    own = PostMedia.objects.filter(post_id__in=ids).order_by("post_id", "position")
    for post_id, asset_id in own.values_list("post_id", "asset_id"):
        first.setdefault(post_id, asset_id)
    others = [i for i in ids if i not in first]
    if others:
        per_target = TargetMedia.objects.filter(target__post_id__in=others).order_by("target__post_id", "position")
        for post_id, asset_id in per_target.values_list("target__post_id", "asset_id"):
            first.setdefault(post_id, asset_id)
    pictures: dict[Any, str | None] = {}
    if first:
        thumbnail = MediaRendition.objects.filter(asset=OuterRef("pk"), preset="thumbnail").values("file")[:1]
        assets = {
            a["pk"]: a
            for a in MediaAsset.objects.filter(pk__in=set(first.values()))
            .annotate(thumb=Subquery(thumbnail))
            .values("pk", "kind", "file", "thumb")
        }
        storage = MediaAsset._meta.get_field("file").storage
        for post_id, asset_id in first.items():
            asset = assets.get(asset_id)
            name = asset and (asset["thumb"] or (asset["file"] if asset["kind"] == "image" else ""))
            pictures[post_id] = storage.url(name) if name else None
    return posts, {k: sorted(v) for k, v in platforms.items()}, pictures


def _top_posts(qs: QuerySet[TargetMetrics], limit: int = TOP_POSTS) -> list[TopPost]:
    rows = list(
        qs.order_by()
        .values("post")
        .annotate(
            impressions_sum=Sum("impressions"),
            engagements_sum=Sum("engagements"),
            first=Min("published_at"),
        )
        .order_by(F("engagements_sum").desc(nulls_last=True), F("impressions_sum").desc(nulls_last=True), "-first")[
            :limit
        ]
    )
    if not rows:
        return []
    posts, platforms, pictures = _cards([r["post"] for r in rows])
    return [
        TopPost(
            post=posts[r["post"]],
            platforms=platforms.get(r["post"], []),
            thumbnail_url=pictures.get(r["post"]),
            impressions=r["impressions_sum"],
            engagements=r["engagements_sum"],
            rate=rate(r["engagements_sum"], r["impressions_sum"]),
        )
        for r in rows
    ]


def _followers(
    *, client: Client | None, platform: str | None, start: date, end: date, limit: int | None = None
) -> list[FollowerRow]:
    """Per account with figures in the period: followers on its first and last synced day (of the
    days with a follower count). Two index probes per account (the unique (account, day) index
    gives its first and last such day) rather than a pass over every account's every day; only
    the account columns a row shows (no token columns)."""
    days = AccountMetrics.objects.filter(
        account=OuterRef("pk"), day__gte=start, day__lte=end, followers__isnull=False
    ).order_by()
    accounts = SocialAccount.objects.order_by()
    if client is not None:
        days = days.filter(client=client)
        accounts = accounts.filter(client=client)
    if platform:
        days = days.filter(platform=platform)
        accounts = accounts.filter(platform=platform)
    columns = ("id", "client_id", "platform", "name")
    found = accounts.annotate(
        first=Subquery(days.order_by("day").values("followers")[:1]),
        last=Subquery(days.order_by("-day").values("followers")[:1]),
    ).values_list(*columns, "first", "last")
    # Accounts without a count in the period are left out here, not in SQL (a WHERE on the
    # subquery would run it a third time per account). Plain tuples first: only the rows kept
    # become model instances (the agency page keeps 10 of ~800).
    kept = sorted((r for r in found if r[4] is not None), key=lambda r: (-(r[5] - r[4]), r[2], r[3]))
    if limit:
        kept = kept[:limit]
    return [
        FollowerRow(
            platform=r[2],
            account=SocialAccount.from_db(SocialAccount.objects.db, columns, r[:4]),
            start=r[4],
            end=r[5],
            change=r[5] - r[4],
        )
        for r in kept
    ]


def best_slots(client: Client, limit: int = 5, *, today: date | None = None) -> list[Slot]:
    """The client's best weekdays and hours to post, from its own history (the last 180 days):
    mean engagements per post published in the slot, slots with at least two posts."""
    tz = client.tz
    today = today or datetime.now(tz).date()
    lo, _ = period_bounds(today - timedelta(days=SLOT_HISTORY_DAYS), today, tz)
    rows = (
        TargetMetrics.objects.filter(client=client, published_at__gte=lo, engagements__isnull=False)
        .order_by()
        .annotate(
            weekday=ExtractIsoWeekDay("published_at", tzinfo=tz),
            hour=ExtractHour("published_at", tzinfo=tz),
        )
        .values("weekday", "hour")
        .annotate(posts=Count("post", distinct=True), total=Sum("engagements"))
        .filter(posts__gte=SLOT_MIN_POSTS)
    )
    slots = [
        Slot(weekday=r["weekday"] - 1, hour=r["hour"], score=round(r["total"] / r["posts"], 2), posts=r["posts"])
        for r in rows
    ]
    slots.sort(key=lambda s: (-s.score, -s.posts, s.weekday, s.hour))
    return slots[:limit]


def client_analytics(
    *,
    client: Client,
    start: date,
    end: date,
    platform: str | None = None,
    campaign: Campaign | None = None,
) -> ClientAnalytics:
    """One client's results for the local days ``start``..``end`` (inclusive)."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    tz = client.tz
    current = _published(client=client, start=start, end=end, tz=tz, platform=platform, campaign=campaign)
    p_start, _ = previous_period(start, end)
    both = _published(client=client, start=p_start, end=end, tz=tz, platform=platform, campaign=campaign)
    totals, posts, previous, previous_posts = _both_totals(both, period_bounds(start, end, tz)[0])
    accounts = AccountMetrics.objects.filter(client=client)
    if platform:
        accounts = accounts.filter(platform=platform)
    unavailable = _unavailable(_reasons(current) + _reasons(accounts.filter(day__gte=start, day__lte=end)))
    return ClientAnalytics(
        client=client,
        start=start,
        end=end,
        platform=platform or None,
        totals=totals,
        previous=previous,
        engagement_rate=rate(totals["engagements"], totals["impressions"]),
        previous_engagement_rate=rate(previous["engagements"], previous["impressions"]),
        followers=_followers(client=client, platform=platform, start=start, end=end),
        series=_series(current, start, end, tz),
        top_posts=_top_posts(current),
        by_platform=_by_platform(current),
        best_slots=best_slots(client, today=end),
        unavailable=unavailable,
        posts_published=posts,
        previous_posts_published=previous_posts,
    )


def agency_analytics(
    *, start: date, end: date, platform: str | None = None, tz: zoneinfo.ZoneInfo | None = None
) -> AgencyAnalytics:
    """Every client's results for the days ``start``..``end`` (in ``tz``, default the agency's zone)."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    zone = tz or zoneinfo.ZoneInfo(zones.default_zone_name())
    current = _published(client=None, start=start, end=end, tz=zone, platform=platform)
    p_start, _ = previous_period(start, end)
    both = _published(client=None, start=p_start, end=end, tz=zone, platform=platform)
    # One pass over both periods, per client: its figures now and before. The agency's totals are
    # the sums of the clients' (a post belongs to one client, so its distinct posts add up too).
    split = period_bounds(start, end, zone)[0]
    now, before = Q(published_at__gte=split), Q(published_at__lt=split)
    sums: dict[str, Any] = {
        "now_posts": Count("post", distinct=True, filter=now),
        **{f"now_{name}": Sum(name, filter=now) for name in FIGURES},
        **{f"was_{name}": Sum(name, filter=before) for name in FIGURES},
    }
    per_client: list[dict[str, Any]] = [dict(r) for r in both.order_by().values("client").annotate(**sums)]
    totals = {name: _sum(r[f"now_{name}"] for r in per_client) for name in FIGURES}
    previous = {name: _sum(r[f"was_{name}"] for r in per_client) for name in FIGURES}
    posts = sum(r["now_posts"] for r in per_client)
    shown = [r for r in per_client if r["now_posts"]]  # clients with something published in the period
    # Every client (a few hundred short rows) rather than an IN list of hundreds of ids to send.
    clients = Client.objects.only("id", "name", "slug").in_bulk()
    rows = []
    for r in shown:
        was = r["was_engagements"]
        now_engagements = r["now_engagements"]
        rows.append(
            ClientRow(
                client=clients[r["client"]],
                posts=r["now_posts"],
                impressions=r["now_impressions"],
                engagements=now_engagements,
                rate=rate(now_engagements, r["now_impressions"]),
                previous_engagements=was,
                change=None if now_engagements is None or not was else (now_engagements - was) / was,
            )
        )
    rows.sort(key=lambda row: (-(row.engagements or 0), row.client.name))
    return AgencyAnalytics(
        start=start,
        end=end,
        platform=platform or None,
        totals=totals,
        previous=previous,
        posts_published=posts,
        clients=rows,
        by_platform=_by_platform(current),
        grew_most=[r for r in _followers(client=None, platform=platform, start=start, end=end, limit=10) if r.change],
        unavailable=_unavailable(_reasons(current)),
    )


def post_metrics(post: Post) -> list[TargetMetricsRow]:
    """Per published target of a post: its latest figures, what is missing and why, and its history."""
    targets = list(
        PostTarget.objects.filter(post=post, status=PostTarget.Status.PUBLISHED)
        .select_related("account", "metrics")
        .order_by("account__platform", "account__name")
    )
    history: dict[Any, list[HistoryPoint]] = {}
    for snap in MetricSnapshot.objects.filter(target__in=targets).order_by("target", "taken_at"):
        history.setdefault(snap.target_id, []).append(HistoryPoint(taken_at=snap.taken_at, figures=snap.figures()))
    rows = []
    for target in targets:
        metrics: TargetMetrics | None = getattr(target, "metrics", None)
        rows.append(
            TargetMetricsRow(
                target=target,
                platform=target.account.platform,
                account=target.account,
                figures=metrics.figures() if metrics else dict.fromkeys(FIGURES),
                unavailable=dict(metrics.unavailable) if metrics else {},
                synced_at=metrics.synced_at if metrics else None,
                next_sync_at=metrics.next_sync_at if metrics else None,
                last_error=metrics.last_error if metrics else "",
                history=history.get(target.pk, []),
            )
        )
    return rows
