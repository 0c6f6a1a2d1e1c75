"""Month and week grids for calendar pages (shoots now, posts later), in the active time zone."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.utils import timezone

_T = TypeVar("_T")


@dataclass
class Day:
    date: dt.date  # the field's name shadows the class inside the body
    in_range: bool
    is_today: bool
    items: list = field(default_factory=list)
    more: int = 0  # items of the day not shown (a capped cell says "+N more")

    @property
    def next(self) -> dt.date:
        return self.date + timedelta(days=1)


@dataclass
class Period:
    view: str  # "month" or "week"
    anchor: date
    first: date  # first day shown
    last: date  # last day shown (inclusive)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def title(self) -> str:
        if self.view == "month":
            return self.anchor.strftime("%B %Y")
        if self.first.month == self.last.month:
            return f"{self.first:%d}–{self.last:%d %B %Y}"
        return f"{self.first:%d %b} – {self.last:%d %b %Y}"

    @property
    def previous(self) -> date:
        if self.view == "week":
            return self.anchor - timedelta(days=7)
        return (self.anchor.replace(day=1) - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        if self.view == "week":
            return self.anchor + timedelta(days=7)
        return (self.anchor.replace(day=28) + timedelta(days=4)).replace(day=1)


def parse_anchor(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def period(view: str, anchor: date) -> Period:
    """Weeks start on Monday. A month view shows whole weeks around the month."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return Period("week", anchor, first, first + timedelta(days=6))
    month_first = anchor.replace(day=1)
    month_last = month_first.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
    first = month_first - timedelta(days=month_first.weekday())
    last = month_last + timedelta(days=6 - month_last.weekday())
    return Period("month", anchor, first, last)


def grid(
    p: Period, items: Iterable[_T], when: Callable[[_T], datetime | None], *, own_zone: bool = False
) -> list[list[Day]]:
    """Weeks of days from ``p.first`` to ``p.last``, each day holding its items (local dates).

    ``own_zone``: ``when`` already answers each item's time in its own zone (e.g. each client's),
    and the item goes on that local date.
    """
    by_day: dict[date, list[Any]] = defaultdict(list)
    for item in items:
        moment = when(item)
        if moment is None:  # not on the calendar
            continue
        by_day[(moment if own_zone else timezone.localtime(moment)).date()].append(item)
    return grid_of_days(p, {d: (day_items, 0) for d, day_items in by_day.items()})


def grid_of_days(p: Period, by_day: dict[date, tuple[list, int]]) -> list[list[Day]]:
    """Weeks of days from ``p.first`` to ``p.last`` from items already grouped by date, each
    with how many more the day holds than it shows."""
    today = timezone.localdate()
    days, current = [], p.first
    while current <= p.last:
        in_range = p.view == "week" or current.month == p.anchor.month
        shown, more = by_day.get(current, ([], 0))
        days.append(Day(current, in_range, current == today, shown, more))
        current += timedelta(days=1)
    return [days[i : i + 7] for i in range(0, len(days), 7)]
