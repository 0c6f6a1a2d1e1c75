"""How figures read to people: the metric names, changes against the previous period, periods from
a request's filters. Shared by the staff pages, the portal, the PDF and the CSV export."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

METRIC_LABELS = {
    "impressions": "Impressions",
    "reach": "Reach",
    "engagements": "Engagements",
    "likes": "Likes & reactions",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "clicks": "Clicks",
    "views": "Views",
}
# The totals a summary shows first, in this order.
HEADLINE = ("impressions", "reach", "engagements", "clicks")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PERIODS = {
    "7": "Last 7 days",
    "28": "Last 28 days",
    "90": "Last 90 days",
    "month": "This month",
    "last-month": "Last month",
}
DEFAULT_PERIOD = "28"
MAX_DAYS = 366


@dataclass(frozen=True)
class Change:
    """A figure against the previous period: ``+12%``, ``−3%``, ``new`` or nothing to compare."""

    value: int | None
    previous: int | None

    @property
    def percent(self) -> float | None:
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) * 100 / self.previous

    @property
    def direction(self) -> str:
        """ "up", "down", "flat" or "" (no comparison): for a class and an arrow."""
        if self.value is None or self.previous is None:
            return ""
        return "up" if self.value > self.previous else "down" if self.value < self.previous else "flat"

    @property
    def text(self) -> str:
        if self.value is None or self.previous is None:
            return ""
        if self.previous == 0:
            return "new" if self.value else "no change"
        percent = self.percent or 0
        if abs(percent) < 0.5:
            return "no change"
        sign = "+" if percent > 0 else "−"
        return f"{sign}{abs(percent):.0f}%"


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    value: int | None
    change: Change
    unavailable: list[str]  # why there is no figure (missing permission, not offered by a platform)


def totals(current: dict[str, int | None], previous: dict[str, int | None], unavailable: dict[str, list[str]],
           keys: tuple[str, ...] = HEADLINE) -> list[Total]:  # fmt: skip
    return [
        Total(
            key,
            METRIC_LABELS.get(key, key.title()),
            current.get(key),
            Change(current.get(key), previous.get(key)),
            unavailable.get(key, []),
        )  # fmt: skip
        for key in keys
    ]


def percent(rate: float | None) -> str:
    """An engagement rate (a fraction) as people read it: ``4.2%``; ``–`` without a figure."""
    return "–" if rate is None else f"{rate * 100:.1f}%"


def month_bounds(month: date) -> tuple[date, date]:
    """The first and the last day of ``month``."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def parse_month(text: str) -> date | None:
    """``2026-11`` → 1 November 2026; None when it is not a month."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return None


class PeriodError(ValueError):
    pass


def period(choice: str | None, start: str | None, end: str | None, *, today: date | None = None) -> tuple[date, date]:
    """The days a page or export covers: a named period (``PERIODS``) or ``start``–``end``
    (ISO dates, both given, at most a year). Raises PeriodError with a message a person can act on."""
    today = today or timezone.localdate()
    if start or end:
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError:
            raise PeriodError("Give both dates of the period as YYYY-MM-DD, e.g. 2026-11-01 and 2026-11-30.") from None
        if last < first:
            raise PeriodError("The period ends before it starts: swap the two dates.")
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError(f"A period can cover at most {MAX_DAYS} days: pick a shorter one.")
        return first, last
    choice = choice or DEFAULT_PERIOD
    if choice == "month":
        return today.replace(day=1), today
    if choice == "last-month":
        return month_bounds(previous_month(today))
    if choice in PERIODS:
        return today - timedelta(days=int(choice) - 1), today
    raise PeriodError(f"Unknown period {choice!r}: choose one of {', '.join(PERIODS)}, or give a start and an end.")
