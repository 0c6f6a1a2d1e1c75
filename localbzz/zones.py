"""THE rule for time on screen, in emails and feeds: a time is shown in a named zone and always
says which zone it is ("Sun 6 Dec, 09:30 CST").

- What happens at or for a client — a post (when it goes out) and a shoot (when the crew is at the
  business) — is shown and taken in that client's zone, on staff pages and on the portal alike, so
  the agency and the client read the same wall-clock time.
- Everything else — tasks and time entries, activity, audit, leads, requests, notifications — is
  shown in the active zone: the agency's (``AGENCY_TIME_ZONE``) on staff pages, the client's on its
  portal. Dates without a time (due dates) are days of the agency's calendar and name no zone.
- A form that takes a time says in its label which zone it reads it in.

Templates use the filters of ``localbzz.templatetags.ui`` (``when``, ``when_long``, ``clock``,
``zone_label``) and the ``span`` tag; Python code (emails, messages) ``when()`` and ``span()``;
all end here."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, tzinfo

from django.conf import settings
from django.db.models import DateField, Func
from django.utils import timezone
from django.utils.dateformat import format as date_format

# Models whose times are shown in their client's zone (the first point of the rule above).
CLIENT_ZONED = frozenset({"publishing.Post", "agency.Shoot"})

SHORT = "D j M, H:i"  # Sun 6 Dec, 09:30
LONG = "l j F Y, H:i"  # Sunday 6 December 2026, 09:30
CLOCK = "H:i"


def default_zone_name() -> str:
    """The zone a client gets unless someone picks another: the agency's."""
    return settings.AGENCY_TIME_ZONE


def as_zone(zone) -> tzinfo:
    """A zone from a name, a ZoneInfo or anything with ``.tz`` (a client) or ``.client`` (a
    post, a shoot); None → the active zone."""
    if zone is None or zone == "":
        return timezone.get_current_timezone()
    if isinstance(zone, tzinfo):
        return zone
    if isinstance(zone, str):
        return zoneinfo.ZoneInfo(zone)
    if hasattr(zone, "tz"):
        return zone.tz
    if hasattr(zone, "client"):
        return zone.client.tz
    raise TypeError(f"Not a time zone: {zone!r}")


def zone_label(zone, at: datetime | None = None) -> str:
    """The zone's short name at a moment ("CST", "CEST"), or its offset ("UTC+04") where the
    zone has no letters for it."""
    tz = as_zone(zone)
    name = (at or timezone.now()).astimezone(tz).tzname() or str(tz)
    if name and name[0] in "+-":
        name = f"UTC{name}"
    return name


def zone_name(zone) -> str:
    """The zone's full name: "America/Chicago"."""
    tz = as_zone(zone)
    return getattr(tz, "key", str(tz))


def _local(value: datetime, tz: tzinfo) -> datetime:
    return value.astimezone(tz) if timezone.is_aware(value) else timezone.make_aware(value, tz)


def zone_title(zone) -> str:
    """The zone's full name as people read it: "America/Los Angeles"."""
    return zone_name(zone).replace("_", " ")


def when(value: datetime | None, zone=None, fmt: str = SHORT) -> str:
    """The moment in the zone, formatted, followed by the zone's short name."""
    if value is None:
        return ""
    tz = as_zone(zone)
    local = _local(value, tz)
    return f"{date_format(local, fmt)} {zone_label(tz, local)}"


def span(start: datetime | None, end: datetime | None, zone=None, fmt: str = SHORT) -> str:
    """From ``start`` to ``end`` in the zone, the zone named once: "Sun 6 Dec, 10:00–12:30 CST";
    the end's date too when it falls on another day."""
    if start is None:
        return ""
    if end is None:
        return when(start, zone, fmt)
    tz = as_zone(zone)
    first, last = _local(start, tz), _local(end, tz)
    if first.date() == last.date():
        return f"{date_format(first, fmt)}–{date_format(last, CLOCK)} {zone_label(tz, last)}"
    return f"{when(first, tz, fmt)} – {when(last, tz, fmt)}"


def input_label(zone) -> str:
    """What a form's time field says it reads: "America/Chicago time" (the key, readable)."""
    return f"{zone_title(zone)} time"


class LocalDate(Func):
    """In SQL, the date of a moment (``when``) in a zone named row by row (``zone``, e.g.
    ``"client__timezone"``): a post's day on its client's calendar, summer time included.
    ``TruncDate`` takes one zone for every row. Written for PostgreSQL and SQLite."""

    output_field = DateField()
    arity = 2

    def _parts(self, compiler, connection) -> tuple[str, str, list]:
        when, when_params = compiler.compile(self.source_expressions[0])
        zone, zone_params = compiler.compile(self.source_expressions[1])
        return when, zone, [*when_params, *zone_params]

    def as_postgresql(self, compiler, connection, **extra):
        when, zone, params = self._parts(compiler, connection)
        return f"(({when}) AT TIME ZONE ({zone}))::date", params

    def as_sqlite(self, compiler, connection, **extra):
        # Django's own function for TruncDate; the zone may be a column (it is Python, row by row).
        when, zone, params = self._parts(compiler, connection)
        return f"django_datetime_cast_date({when}, {zone}, %s)", [*params, connection.timezone_name]
