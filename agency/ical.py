"""iCalendar (RFC 5545) feeds of shoots and of scheduled posts, built with the `icalendar` package.

One mechanism for both: a :class:`CalendarFeed` (secret token, kind, scope) is rendered by
:func:`render_feed`, which picks the events of its kind.
"""

from __future__ import annotations

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


def feed_shoots(feed: CalendarFeed):
    qs = Shoot.objects.select_related("client").prefetch_related("crew__user")
    qs = qs.filter(end__gte=timezone.now() - timedelta(days=HISTORY_DAYS))
    if feed.scope == CalendarFeed.Scope.MEMBER:
        qs = qs.filter(crew=feed.member)
    elif feed.scope == CalendarFeed.Scope.CLIENT:
        qs = qs.filter(client=feed.client)
    return qs.order_by("start").distinct()


def feed_name(feed: CalendarFeed) -> str:
    if feed.kind != CalendarFeed.Kind.SHOOTS:
        return f"{feed.client.name} — scheduled posts" if feed.client_id else "LocalBzz scheduled posts"
    if feed.scope == CalendarFeed.Scope.MEMBER:
        return f"LocalBzz shoots — {feed.member.name}"
    if feed.scope == CalendarFeed.Scope.CLIENT:
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
    cal = Calendar()
    cal.add("prodid", "-//LocalBzz//Shoots//EN" if feed.kind == CalendarFeed.Kind.SHOOTS else "-//LocalBzz//Posts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", feed_name(feed))
    cal.add("x-wr-timezone", feed_zone(feed))
    cal.add("x-published-ttl", "PT1H")
    if feed.kind == CalendarFeed.Kind.SHOOTS:
        _add_shoots(cal, feed, url_of)
    else:
        _add_posts(cal, feed, url_of)
    cal.add_missing_timezones()  # a VTIMEZONE for every TZID used
    return cal.to_ical()


def feed_zone(feed: CalendarFeed) -> str:
    """A client's feed is in the client's zone (its posts are planned there); others in the agency's."""
    if feed.scope == CalendarFeed.Scope.CLIENT and feed.client_id:
        return feed.client.timezone
    return settings.AGENCY_TIME_ZONE


def _add_shoots(cal: Calendar, feed: CalendarFeed, shoot_url) -> None:
    now = timezone.now()
    for shoot in feed_shoots(feed):
        event = Event()
        event.add("uid", f"shoot-{shoot.pk}@localbzz")
        event.add("dtstamp", now)
        zone = shoot.client.tz  # DTSTART;TZID=<the client's zone>: where the shoot happens
        event.add("dtstart", shoot.start.astimezone(zone))
        event.add("dtend", shoot.end.astimezone(zone))
        event.add("last-modified", shoot.updated_at)
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


# Scheduled posts ------------------------------------------------------------------------------

POST_MINUTES = 15  # a post is a moment; calendars need a length to draw it
SUMMARY_TEXT = 50


def feed_posts(feed: CalendarFeed):
    """Posts with a time that are (or were) going out: never drafts or posts still in review."""
    from publishing.models import Post
    from publishing.states import PostStatus as P

    qs = Post.objects.select_related("client").prefetch_related("targets__account")
    qs = qs.filter(
        status__in=[P.SCHEDULED, P.PUBLISHING, P.PUBLISHED, P.PARTIALLY_PUBLISHED],
        scheduled_at__gte=timezone.now() - timedelta(days=HISTORY_DAYS),
    )
    if feed.scope == CalendarFeed.Scope.CLIENT:
        qs = qs.filter(client_id=feed.client_id)
    return qs.order_by("scheduled_at", "pk")


def post_summary(post) -> str:
    text = " ".join((post.title or post.caption or "(no text)").split())
    if len(text) > SUMMARY_TEXT:
        text = text[: SUMMARY_TEXT - 1].rstrip() + "…"
    platforms = sorted({t.account.get_platform_display() for t in post.targets.all()})
    return f"Post: {text}" + (f" ({', '.join(platforms)})" if platforms else "")


def _add_posts(cal: Calendar, feed: CalendarFeed, post_url) -> None:
    now = timezone.now()
    for post in feed_posts(feed):
        event = Event()
        event.add("uid", f"post-{post.pk}@localbzz")
        event.add("dtstamp", now)
        start = post.scheduled_at.astimezone(post.client.tz)  # DTSTART;TZID=<the client's zone>
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=POST_MINUTES))
        event.add("last-modified", post.updated_at)
        event.add("summary", post_summary(post))
        event.add("status", "CONFIRMED")
        accounts = ", ".join(f"{t.account.name} ({t.account.get_platform_display()})" for t in post.targets.all())
        lines = [
            f"Client: {post.client.name}",
            f"When: {zones.when(post.scheduled_at, post.client, zones.LONG)} ({post.client.timezone})",
            f"Status: {post.get_status_display()}",
            f"Accounts: {accounts or '—'}",
        ]
        text = post.caption + ("\n\n" + " ".join(f"#{tag}" for tag in post.hashtags) if post.hashtags else "")
        if text.strip():
            lines += ["", text]
        url = post_url(post)
        lines += ["", url]
        event.add("description", "\n".join(lines))
        event.add("url", url)
        cal.add_component(event)
