"""iCalendar (RFC 5545) feeds of shoots, built with the `icalendar` package."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from agency.models import CalendarFeed, Shoot

_STATUS = {
    Shoot.Status.SCHEDULED: "CONFIRMED",
    Shoot.Status.POSTPONED: "TENTATIVE",
    Shoot.Status.COMPLETED: "CONFIRMED",
    Shoot.Status.CANCELLED: "CANCELLED",
}
HISTORY_DAYS = 90


def feed_shoots(feed: CalendarFeed):
    qs = Shoot.objects.select_related("client").prefetch_related("crew__user")
    qs = qs.filter(end__gte=timezone.now() - timedelta(days=HISTORY_DAYS))
    if feed.scope == CalendarFeed.Scope.MEMBER:
        qs = qs.filter(crew=feed.member)
    elif feed.scope == CalendarFeed.Scope.CLIENT:
        qs = qs.filter(client=feed.client)
    return qs.order_by("start").distinct()


def feed_name(feed: CalendarFeed) -> str:
    if feed.scope == CalendarFeed.Scope.MEMBER:
        return f"LocalBzz shoots — {feed.member.name}"
    if feed.scope == CalendarFeed.Scope.CLIENT:
        return f"LocalBzz shoots — {feed.client.name}"
    return "LocalBzz shoots"


def render_feed(feed: CalendarFeed, shoot_url) -> bytes:
    """The feed as an .ics document. ``shoot_url(shoot)`` gives the link to a shoot's page."""
    cal = Calendar()
    cal.add("prodid", "-//LocalBzz//Shoots//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", feed_name(feed))
    cal.add("x-wr-timezone", settings.AGENCY_TIME_ZONE)
    cal.add("x-published-ttl", "PT1H")
    now = timezone.now()
    for shoot in feed_shoots(feed):
        event = Event()
        event.add("uid", f"shoot-{shoot.pk}@localbzz")
        event.add("dtstamp", now)
        event.add("dtstart", shoot.start)
        event.add("dtend", shoot.end)
        event.add("last-modified", shoot.updated_at)
        event.add("summary", f"{shoot.title} — {shoot.client.name}")
        event.add("status", _STATUS[shoot.status])
        if shoot.location:
            event.add("location", vText(shoot.location))
        crew = ", ".join(m.name for m in shoot.crew.all()) or "no crew yet"
        lines = [f"Client: {shoot.client.name}", f"Crew: {crew}", f"Status: {shoot.status}"]
        if shoot.drive_folder_link:
            lines.append(f"Drive folder: {shoot.drive_folder_link}")
        if shoot.notes:
            lines += ["", shoot.notes]
        event.add("description", "\n".join(lines))
        event.add("url", shoot_url(shoot))
        cal.add_component(event)
    return cal.to_ical()
