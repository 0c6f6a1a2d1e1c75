"""What a client's monthly report says: read once from the analytics selectors and publishing, then
laid out by ``reports/pdf.py``. The PDF shows exactly the figures ``analytics.selectors`` answers
for the same month (the API's figures; a test compares them)."""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils.safestring import SafeString
from PIL import Image, UnidentifiedImageError

from agency.models import Client
from analytics.selectors import ClientAnalytics, client_analytics, period_bounds
from localbzz.theme import portal_theme
from publishing.models import MediaRendition, Post, PostMedia, SocialAccount
from publishing.states import PostStatus
from reports import charts
from reports.figures import METRIC_LABELS, WEEKDAYS, Change, Total, month_bounds, next_month, percent, totals

log = logging.getLogger(__name__)

TOP_POSTS = 6
NEXT_POSTS = 30  # next month's scheduled posts listed (then "+N more")
IMAGE_SIDE = 240  # px: the pictures of top posts and the logo are scaled down to this (keeps the PDF small)
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a stored file larger than this is not read into a report
PLATFORM_NAMES = dict(SocialAccount.Platform.choices)


@dataclass(frozen=True)
class TopPostRow:
    title: str
    published_at: datetime | None
    platforms: list[str]
    image: str | None  # a data: URI (the PDF fetches nothing from the network)
    impressions: int | None
    engagements: int | None
    rate: str


@dataclass(frozen=True)
class ScheduledRow:
    when: datetime
    title: str
    platforms: list[str]


@dataclass(frozen=True)
class ReportContent:
    client: Client
    month: date
    agency_name: str
    theme: dict[str, str]
    logo: str | None
    analytics: ClientAnalytics
    totals: list[Total]
    engagement_rate: str
    rate_change: Change
    highlights: list[str]
    charts: list[SafeString]
    top_posts: list[TopPostRow]
    published: int
    package: int  # the monthly package: posts a month (Client.monthly_post_limit)
    platforms: list[tuple[str, int, int | None, int | None, str]]  # name, posts, impressions, engagements, rate
    followers: list[tuple[str, str, int | None, int | None, int | None]]  # platform, account, start, end, change
    next_month: date
    scheduled: list[ScheduledRow]
    scheduled_more: int

    @property
    def package_percent(self) -> int:
        return min(100, round(self.published * 100 / self.package)) if self.package else 0


def platform_name(key: str) -> str:
    return PLATFORM_NAMES.get(key, key.replace("_", " ").title())


def _thumbnail_data(name: str) -> str | None:
    """A stored image as a small JPEG data URI; None when it cannot be read (the report goes on
    without the picture rather than failing)."""
    try:
        if default_storage.size(name) > MAX_IMAGE_BYTES:
            return None
        with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
            image.draft("RGB", (IMAGE_SIDE, IMAGE_SIDE))  # JPEG: decode at a fraction of full size
            picture = image.convert("RGB")
            picture.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=78, optimize=True)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        log.warning("Report: could not read image %s", name)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def _logo_data(client: Client) -> str | None:
    if not client.logo or not client.logo.name:
        return None
    try:
        with default_storage.open(client.logo.name, "rb") as handle, Image.open(handle) as image:
            picture = image.convert("RGBA")
            picture.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
            out = io.BytesIO()
            picture.save(out, "PNG", optimize=True)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        log.warning("Report: could not read the logo of %s", client.pk)
        return None
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _pictures(posts: list[Post]) -> dict[object, str]:
    """Each post's first picture (its thumbnail rendition), file names read in one query."""
    if not posts:
        return {}
    uses = (
        PostMedia.objects.filter(post__in=posts)
        .select_related("asset")
        .prefetch_related(Prefetch("asset__renditions", queryset=MediaRendition.objects.filter(preset="thumbnail")))
        .order_by("post", "position")
    )
    names: dict[object, str] = {}
    for use in uses:
        if use.post_id in names:
            continue
        rendition = next(iter(use.asset.renditions.all()), None)
        if rendition is not None and rendition.file.name:
            names[use.post_id] = rendition.file.name
        elif use.asset.kind == "image" and use.asset.file.name and not use.asset.file.name.startswith("incoming/"):
            names[use.post_id] = use.asset.file.name
    return {post_id: data for post_id, name in names.items() if (data := _thumbnail_data(name))}


def _highlights(a: ClientAnalytics, month: date) -> list[str]:
    """A few sentences a client reads first."""
    out = [f"{a.posts_published} post{'s' if a.posts_published != 1 else ''} published in {month:%B}."]
    for key in ("impressions", "engagements"):
        change = Change(a.totals.get(key), a.previous.get(key))
        if change.value is not None and change.percent is not None and abs(change.percent) >= 1:
            way = "up" if change.percent > 0 else "down"
            out.append(f"{METRIC_LABELS[key]} {way} {abs(change.percent):.0f}% on the month before "
                       f"({charts.number(change.value)}).")  # fmt: skip
    gained = sum(row.change for row in a.followers if row.change)
    if gained:
        out.append(f"{'+' if gained > 0 else '−'}{abs(gained):,} followers across your accounts.")
    if a.top_posts and a.top_posts[0].engagements:
        best = a.top_posts[0]
        out.append(f"Best post: “{str(best.post)[:80]}” with {charts.number(best.engagements)} engagements.")
    if a.best_slots:
        slot = a.best_slots[0]
        out.append(f"Posts on {WEEKDAYS[slot.weekday]} around {slot.hour:02d}:00 do best for you.")
    return out


def _charts(a: ClientAnalytics) -> list[SafeString]:
    labels = [f"{p.day.day}" for p in a.series]
    made = [
        charts.line_chart(
            title="Impressions and engagements per day",
            labels=labels,
            series=[
                charts.Series("Impressions", [p.impressions for p in a.series]),
                charts.Series("Engagements", [p.engagements for p in a.series]),
            ],
            table_visible=False,
        )
    ]
    if a.by_platform:
        made.append(
            charts.bar_chart(
                title="Engagements by platform",
                labels=[platform_name(row.platform) for row in a.by_platform],
                values=[row.engagements for row in a.by_platform],
                name="Engagements",
                table_visible=False,
            )
        )
    return made


def _scheduled(client: Client, month: date) -> tuple[list[ScheduledRow], int]:
    start, end = month_bounds(month)
    lo, hi = period_bounds(start, end, client.tz)
    qs = (
        Post.objects.filter(client=client, status=PostStatus.SCHEDULED, scheduled_at__gte=lo, scheduled_at__lt=hi)
        .prefetch_related("targets__account")
        .order_by("scheduled_at", "id")
    )
    rows = [
        ScheduledRow(
            when=post.scheduled_at.astimezone(client.tz),
            title=str(post),
            platforms=sorted({platform_name(t.account.platform) for t in post.targets.all()}),
        )
        for post in qs[:NEXT_POSTS]
        if post.scheduled_at is not None  # filtered on it: for the type checker
    ]
    more = max(0, qs.count() - NEXT_POSTS) if len(rows) == NEXT_POSTS else 0
    return rows, more


def report_content(client: Client, month: date) -> ReportContent:
    """Everything the report for ``client`` and ``month`` (its first day) shows."""
    start, end = month_bounds(month)
    a = client_analytics(client=client, start=start, end=end)
    top = a.top_posts[:TOP_POSTS]
    pictures = _pictures([row.post for row in top])
    following = next_month(month)
    scheduled, more = _scheduled(client, following)
    return ReportContent(
        client=client,
        month=start,
        agency_name=settings.AGENCY_NAME,
        theme=portal_theme(client.brand_colors) or {},
        logo=_logo_data(client),
        analytics=a,
        totals=totals(a.totals, a.previous, a.unavailable),
        engagement_rate=percent(a.engagement_rate),
        rate_change=Change(
            None if a.engagement_rate is None else round(a.engagement_rate * 10000),
            None if a.previous_engagement_rate is None else round(a.previous_engagement_rate * 10000),
        ),
        highlights=_highlights(a, start),
        charts=_charts(a),
        top_posts=[
            TopPostRow(
                title=str(row.post),
                published_at=row.post.published_at.astimezone(client.tz) if row.post.published_at else None,
                platforms=[platform_name(p) for p in row.platforms],
                image=pictures.get(row.post.pk),
                impressions=row.impressions,
                engagements=row.engagements,
                rate=percent(row.rate),
            )
            for row in top
        ],
        published=a.posts_published,
        package=client.monthly_post_limit,
        platforms=[
            (platform_name(row.platform), row.posts, row.impressions, row.engagements, percent(row.rate))
            for row in a.by_platform
        ],
        followers=[
            (platform_name(row.platform), row.account.name, row.start, row.end, row.change) for row in a.followers
        ],
        next_month=following,
        scheduled=scheduled,
        scheduled_more=more,
    )
