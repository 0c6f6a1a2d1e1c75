"""iCalendar (RFC 5545) feeds of shoots and of scheduled posts, built with the `icalendar` package.

One mechanism for both: a :class:`CalendarFeed` (secret token, kind, scope) is rendered by
:func:`render_feed` with the :class:`FeedKind` registered for its kind: shoots here, scheduled
posts by publishing (``publishing/ical.py``, from its ``AppConfig.ready``), so agency never
imports the apps above it. A new kind: a ``CalendarFeed.Kind`` choice and one ``register_kind``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vText

from agency.models import CalendarFeed, Shoot
from localbzz import zones

_STATUS = {
    Shoot.Status.SCHEDULED: "CONFIRMED",
    Shoot.Status.POSTPONED: "TENTATIVE",
    Shoot.Status.COMPLETED: "CONFIRMED",
    Shoot.Status.CANCELLED: "CANCELLED",
}
HISTORY_DAYS = 90


@dataclass(frozen=True)
class FeedKind:
    kind: str
    product: str  # PRODID's product name ("-//LocalBzz//<product>//EN")
    name: Callable[[CalendarFeed], str]  # the calendar's name in calendar apps
    add_events: Callable[[Calendar, CalendarFeed, Callable], None]  # (calendar, feed, url_of)


_KINDS: dict[str, FeedKind] = {}


def register_kind(kind: FeedKind) -> None:
    _KINDS[kind.kind] = kind


def feed_shoots(feed: CalendarFeed):
    qs = Shoot.objects.select_related("client").prefetch_related("crew__user")
    qs = qs.filter(end__gte=timezone.now() - timedelta(days=HISTORY_DAYS))
    if feed.scope == CalendarFeed.Scope.MEMBER:
        qs = qs.filter(crew=feed.member)
    elif feed.scope == CalendarFeed.Scope.CLIENT:
        qs = qs.filter(client=feed.client)
    return qs.order_by("start").distinct()


def feed_name(feed: CalendarFeed) -> str:
    return _KINDS[feed.kind].name(feed)


def _shoots_name(feed: CalendarFeed) -> str:
    if feed.scope == CalendarFeed.Scope.MEMBER and feed.member is not None:
        return f"LocalBzz shoots — {feed.member.name}"
    if feed.scope == CalendarFeed.Scope.CLIENT and feed.client is not None:
        return f"LocalBzz shoots — {feed.client.name}"
    return "LocalBzz shoots"


def feed_response(feed: CalendarFeed, url_of) -> HttpResponse:
    """The feed as calendar apps subscribe to it (the staff host and the client portals)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
    response = HttpResponse(render_feed(feed, url_of), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{feed.kind}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def render_feed(feed: CalendarFeed, url_of) -> bytes:
    """The feed as an .ics document. ``url_of(item)`` gives the link to a shoot's or post's page."""
    kind = _KINDS[feed.kind]
    cal = Calendar()
    cal.add("prodid", f"-//LocalBzz//{kind.product}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", feed_name(feed))
    cal.add("x-wr-timezone", feed_zone(feed))
    cal.add("x-published-ttl", "PT1H")
    kind.add_events(cal, feed, url_of)
    cal.add_missing_timezones()  # a VTIMEZONE for every TZID used
    return cal.to_ical()


def feed_zone(feed: CalendarFeed) -> str:
    """A client's feed is in the client's zone (its posts are planned there); others in the agency's."""
    if feed.scope == CalendarFeed.Scope.CLIENT and feed.client is not None:
        return feed.client.timezone
    return settings.AGENCY_TIME_ZONE


def event_for(uid: str, start, end, zone, updated_at, now) -> Event:
    """A feed's event with what every kind sets: its uid, the times in ``zone`` (the client's:
    DTSTART;TZID=<zone>, where it happens) and when it last changed."""
    event = Event()
    event.add("uid", f"{uid}@localbzz")
    event.add("dtstamp", now)
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("last-modified", updated_at)
    return event


def _add_shoots(cal: Calendar, feed: CalendarFeed, shoot_url) -> None:
    now = timezone.now()
    for shoot in feed_shoots(feed):
        event = event_for(f"shoot-{shoot.pk}", shoot.start, shoot.end, shoot.client.tz, shoot.updated_at, now)
        event.add("summary", f"{shoot.title} — {shoot.client.name}")
        event.add("status", _STATUS[shoot.status])
        if shoot.location:
            event.add("location", vText(shoot.location))
        crew = ", ".join(m.name for m in shoot.crew.all()) or "no crew yet"
        lines = [
            f"Client: {shoot.client.name}",
            f"When: {zones.span(shoot.start, shoot.end, shoot.client, zones.LONG)} ({shoot.client.timezone})",
            f"Crew: {crew}",
            f"Status: {shoot.status}",
        ]
        if shoot.drive_folder_link:
            lines.append(f"Drive folder: {shoot.drive_folder_link}")
        if shoot.notes:
            lines += ["", shoot.notes]
        event.add("description", "\n".join(lines))
        event.add("url", shoot_url(shoot))
        cal.add_component(event)


register_kind(FeedKind(CalendarFeed.Kind.SHOOTS, "Shoots", _shoots_name, _add_shoots))
