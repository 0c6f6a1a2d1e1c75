"""A client's results as the pages show them (the staff Analytics tab and the portal's Results page
share it): headline tiles, charts, tables, best times. Built from ``analytics.selectors`` only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.safestring import SafeString

from analytics.selectors import AgencyAnalytics, ClientAnalytics, Slot
from reports import charts
from reports.content import platform_name
from reports.figures import WEEKDAYS, Change, Total, percent, totals


@dataclass(frozen=True)
class SlotRow:
    label: str  # "Tue 18:00"
    posts: int
    score: float


@dataclass(frozen=True)
class ClientResults:
    analytics: ClientAnalytics
    totals: list[Total]
    posts: Change
    engagement_rate: str
    rate_change: Change
    over_time: SafeString
    by_platform_chart: SafeString
    by_weekday_chart: SafeString
    platforms: list[tuple[str, int, int | None, int | None, str]]
    best_slots: list[SlotRow]
    followers_gained: int | None


def slot_label(slot: Slot) -> str:
    return f"{WEEKDAYS[slot.weekday]} {slot.hour:02d}:00"


def _day_label(day: date, days: int) -> str:
    return f"{day:%-d %b}" if days <= 62 else f"{day:%b %Y}"


def client_results(a: ClientAnalytics) -> ClientResults:
    days = len(a.series)
    labels = [_day_label(p.day, days) for p in a.series]
    over_time = charts.line_chart(
        title="Impressions and engagements per day",
        labels=labels,
        series=[
            charts.Series("Impressions", [p.impressions for p in a.series]),
            charts.Series("Engagements", [p.engagements for p in a.series]),
        ],
    )
    by_platform = charts.bar_chart(
        title="Engagements by platform",
        labels=[platform_name(r.platform) for r in a.by_platform],
        values=[r.engagements for r in a.by_platform],
        name="Engagements",
    )
    # Posts per weekday in the period, from the daily series (what the client did, beside what worked).
    per_weekday = [0] * 7
    engagements_per_weekday: list[int | None] = [None] * 7
    for point in a.series:
        wd = point.day.weekday()
        per_weekday[wd] += point.posts
        if point.engagements is not None:
            engagements_per_weekday[wd] = (engagements_per_weekday[wd] or 0) + point.engagements
    by_weekday = charts.bar_chart(
        title="Engagements by the weekday posts went out", labels=list(WEEKDAYS), values=engagements_per_weekday,
        name="Engagements",
    )  # fmt: skip
    changes = [row.change for row in a.followers if row.change is not None]
    return ClientResults(
        analytics=a,
        totals=totals(a.totals, a.previous, a.unavailable),
        posts=Change(a.posts_published, a.previous_posts_published),
        engagement_rate=percent(a.engagement_rate),
        rate_change=Change(
            None if a.engagement_rate is None else round(a.engagement_rate * 10000),
            None if a.previous_engagement_rate is None else round(a.previous_engagement_rate * 10000),
        ),
        over_time=over_time,
        by_platform_chart=by_platform,
        by_weekday_chart=by_weekday,
        platforms=[
            (platform_name(r.platform), r.posts, r.impressions, r.engagements, percent(r.rate)) for r in a.by_platform
        ],
        best_slots=[SlotRow(slot_label(s), s.posts, s.score) for s in a.best_slots],
        followers_gained=sum(changes) if changes else None,
    )


@dataclass(frozen=True)
class AgencyResults:
    analytics: AgencyAnalytics
    totals: list[Total]
    posts: int
    engagement_rate: str
    by_platform_chart: SafeString
    clients_chart: SafeString
    platforms: list[tuple[str, int, int | None, int | None, str]]


CLIENTS_CHARTED = 8


def agency_results(a: AgencyAnalytics) -> AgencyResults:
    top = a.clients[:CLIENTS_CHARTED]
    impressions, engagements = a.totals.get("impressions"), a.totals.get("engagements")
    return AgencyResults(
        analytics=a,
        totals=totals(a.totals, a.previous, a.unavailable),
        posts=a.posts_published,
        engagement_rate=percent(engagements / impressions if engagements is not None and impressions else None),
        by_platform_chart=charts.bar_chart(
            title="Posts by platform",
            labels=[platform_name(r.platform) for r in a.by_platform],
            values=[r.posts for r in a.by_platform],
            name="Posts",
        ),
        clients_chart=charts.bar_chart(
            title=f"Engagements of the top {len(top)} clients",
            labels=[c.client.name if len(c.client.name) <= 12 else c.client.name[:11] + "…" for c in top],
            values=[c.engagements for c in top],
            name="Engagements",
        ),
        platforms=[
            (platform_name(r.platform), r.posts, r.impressions, r.engagements, percent(r.rate)) for r in a.by_platform
        ],
    )
