"""The staff dashboard's figures, gathered from each domain's selectors."""

from __future__ import annotations

from datetime import timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from agency import permissions
from agency import selectors as agency
from agency.models import Lead
from localbzz import datacache
from publishing.models import Post, PostTarget, SocialAccount
from publishing.services.missed import missed_posts
from publishing.states import PostStatus, TargetStatus


def panels(user) -> str:
    """The dashboard's panels as HTML, kept in the cache until a table they read is written
    (localbzz.datacache) or a minute at most (relative times, running timers, what is on now), per permission level,
    time zone and day. They hold nothing only some staff may see; the level is in the key all the same."""
    level = permissions.staff_level(user)
    parts = (level.name if level else "none", timezone.get_current_timezone_name(), timezone.localdate())
    return datacache.fragment(
        "dashboard", parts, lambda: render_to_string("localbzz/_dashboard_panels.html", build(user))
    )


def build(user) -> dict:
    """The panels' context: thirteen queries at most (two of them for missed posts, one when none
    is a candidate), each reading only what the panels show (pinned by localbzz/tests/test_pages.py)."""
    overdue, overdue_count = agency.deliverables_overdue_first(8)
    shoots_today, now = agency.shoots_today(), timezone.now()
    return {
        "shoots_today": shoots_today,
        # The hint under today's count: what is on now or comes next, never a shoot already over.
        "shoot_on_now": next((s for s in shoots_today if s.start <= now < s.end), None),
        "shoot_next": next((s for s in shoots_today if s.start > now), None),
        "overdue": overdue,
        "overdue_count": overdue_count,
        "timers": agency.running_timers(),
        "new_leads": list(
            agency.leads()
            .select_related(None)
            .filter(status=Lead.Status.NEW)
            .only("id", "business_name", "contact_name", "created_at")[:6]
        ),
        "urgent": list(agency.urgent_requests()[:6]),
        "activity": agency.activity_recent(limit=12),
        **_publishing(),
    }


# A post as a panel names it (``str(post)``, its time in its client's zone) and links to it.
_POST_FIELDS = ("id", "title", "caption", "scheduled_at", "client")


def _publishing() -> dict:
    now = timezone.now()
    missed = list(  # two queries
        missed_posts(now).select_related("client").only(*_POST_FIELDS).order_by("scheduled_at")[:100]
    )
    return {
        "missed_posts": missed[:6],
        "missed_count": len(missed),
        "posts_waiting": Post.objects.filter(status=PostStatus.PENDING_APPROVAL).count(),
        "posts_next_24h": list(
            Post.objects.filter(status=PostStatus.SCHEDULED, scheduled_at__range=(now, now + timedelta(days=1)))
            .select_related("client")
            .only(*_POST_FIELDS)
            .order_by("scheduled_at")[:8]
        ),
        "failed_targets": list(
            PostTarget.objects.filter(status=TargetStatus.FAILED, updated_at__gte=now - timedelta(days=7))
            .select_related("post", "account")
            .only(
                "id",
                "last_error",
                "post",
                "post__title",
                "post__caption",
                "account",
                "account__name",
                "account__platform",
            )
            .order_by("-updated_at")[:6]
        ),
        "accounts_to_reconnect": list(
            SocialAccount.objects.filter(status=SocialAccount.Status.NEEDS_RECONNECT)
            .select_related("client")
            .only("id", "name", "platform", "client", "client__name")[:6]
        ),
    }
