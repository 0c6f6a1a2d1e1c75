"""THE rule for time on screen, in emails and feeds: a time is shown in a named zone — a post in
its client's zone, anything else in the active zone (the agency's on staff pages, the client's on
its portal) — and always says which zone it is ("Sun 6 Dec, 09:30 CST").

Templates use the filters of ``localbzz.templatetags.ui`` (``when``, ``when_long``, ``clock``),
Python code (emails, messages) ``when()``; both end here."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, tzinfo

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format

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


def when(value: datetime | None, zone=None, fmt: str = SHORT) -> str:
    """The moment in the zone, formatted, followed by the zone's short name."""
    if value is None:
        return ""
    tz = as_zone(zone)
    local = value.astimezone(tz) if timezone.is_aware(value) else timezone.make_aware(value, tz)
    return f"{date_format(local, fmt)} {zone_label(tz, local)}"
