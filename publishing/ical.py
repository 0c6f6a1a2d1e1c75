"""The scheduled-posts calendar feed: publishing's kind of ``agency.ical`` feed (registered in
``PublishingConfig.ready``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar

from agency.ical import HISTORY_DAYS, FeedKind, event_for, register_kind
from agency.models import CalendarFeed
from localbzz import zones
from publishing.models import Post
from publishing.states import PostStatus as P

POST_MINUTES = 15  # a post is a moment; calendars need a length to draw it
SUMMARY_TEXT = 50


def feed_posts(feed: CalendarFeed):
    """Posts with a time that are (or were) going out: never drafts or posts still in review."""
    qs = Post.objects.select_related("client").prefetch_related("targets__account")
    qs = qs.filter(
        status__in=[P.SCHEDULED, P.PUBLISHING, P.PUBLISHED, P.PARTIALLY_PUBLISHED],
        scheduled_at__gte=timezone.now() - timedelta(days=HISTORY_DAYS),
    )
    if feed.scope == CalendarFeed.Scope.CLIENT:
        qs = qs.filter(client_id=feed.client_id) if feed.client_id else qs.none()
    return qs.order_by("scheduled_at", "pk")


def post_summary(post) -> str:
    text = " ".join((post.title or post.caption or "(no text)").split())
    if len(text) > SUMMARY_TEXT:
        text = text[: SUMMARY_TEXT - 1].rstrip() + "…"
    platforms = sorted({t.account.get_platform_display() for t in post.targets.all()})
    return f"Post: {text}" + (f" ({', '.join(platforms)})" if platforms else "")


def add_posts(cal: Calendar, feed: CalendarFeed, post_url) -> None:
    now = timezone.now()
    for post in feed_posts(feed):
        start, zone = post.scheduled_at, post.client.tz
        end = start + timedelta(minutes=POST_MINUTES)
        event = event_for(f"post-{post.pk}", start, end, zone, post.updated_at, now)
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


def feed_name(feed: CalendarFeed) -> str:
    return f"{feed.client.name} — scheduled posts" if feed.client is not None else "LocalBzz scheduled posts"


def posts_kind(kind: str) -> FeedKind:
    """A feed kind of scheduled posts (the staff's here; the client portal's is registered by portal)."""
    return FeedKind(kind, "Posts", feed_name, add_posts)


def register() -> None:
    register_kind(posts_kind(CalendarFeed.Kind.POSTS))
