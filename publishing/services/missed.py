"""Missed times: a post whose planned time passes while it waits — for the agency's approval,
for the client's, for someone to schedule it, or on an account that cannot post (paused,
needing reconnecting) — is never silent.

- :func:`flag_missed` (the sweeper, every minute) marks each such post once (``Post.missed_at``)
  and records ``post.missed_time``, which notifies the approvers (``notifications``) and shows
  on the post page and the dashboard's attention panel.
- :func:`client_approved_late` decides what a late client approval does, per the client's
  ``late_approval`` setting: publish at once, or ask the agency (never "approved, not scheduled"
  without anyone knowing).
- :func:`post_missed_resolve` is the agency's one step: publish now, or a new time — approving
  the post on the way when it still waited for the agency.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agency.models import Client
from agency.services.activity import record_event
from agency.types import Actor
from publishing.models import Post, PostTarget
from publishing.services.scheduling import post_publish_now
from publishing.states import PostStatus as P
from publishing.states import TargetStatus as T

# How late a scheduled target may be before its post counts as missed (the dispatcher takes due
# targets within a second; only a paused account, a dead dispatcher or a long retry holds one).
GRACE = timedelta(minutes=2)

WAITING_FOR: dict[str, str] = {
    P.PENDING_APPROVAL: "approval",
    P.PENDING_CLIENT_APPROVAL: "client",
    P.APPROVED: "schedule",
    P.SCHEDULED: "account",
}
REASONS = {
    "approval": "Its time passed while it waited for the agency's approval.",
    "client": "Its time passed while it waited for the client's approval.",
    "client_late": "The client approved it after its time had passed.",
    "client_no_time": "The client approved it; it has no time yet.",
    "schedule": "It is approved but was never scheduled, and its time has passed.",
    "account": "Its time passed and it has not gone out to every account (an account is paused or cannot post).",
    "publish_failed": "The client approved it late and it could not be published at once.",
}


def _stuck_targets(now: datetime) -> QuerySet[PostTarget]:
    return PostTarget.objects.filter(
        post=OuterRef("pk"), status=T.SCHEDULED, remote_state="", attempts=0, scheduled_at__lt=now - GRACE
    )


def missed_posts(now: datetime | None = None) -> QuerySet[Post]:
    """Posts whose time has passed while they waited, plus those already flagged and not yet resolved.

    Two queries. First the candidates' ids, a UNION of three index scans of a handful of rows each:
    waiting (``status, scheduled_at``), unsent targets past their time (``target_unsent_idx``),
    flagged (``post_missed_idx``); then the posts among them that match the rule below. One WHERE
    with the three ORed made PostgreSQL walk every post by time (370 ms at 100k posts), and a
    single statement with the UNION inside reads every post too (PostgreSQL expects thousands of
    unsent targets in the past: it cannot know that they all lie in the future).
    """
    now = now or timezone.now()
    waiting_statuses = [P.PENDING_APPROVAL, P.PENDING_CLIENT_APPROVAL, P.APPROVED]
    waiting = Q(status__in=waiting_statuses, scheduled_at__lt=now)
    stuck = Q(status=P.SCHEDULED) & Q(Exists(_stuck_targets(now)))
    flagged = Q(missed_at__isnull=False, status__in=list(WAITING_FOR))
    unsent = PostTarget.objects.filter(status=T.SCHEDULED, remote_state="", attempts=0, scheduled_at__lt=now - GRACE)
    candidates = (
        Post.objects.filter(waiting)
        .order_by()
        .values_list("pk", flat=True)
        .union(
            unsent.order_by().values_list("post_id", flat=True),
            Post.objects.filter(flagged).order_by().values_list("pk", flat=True),
        )
    )
    return Post.objects.filter(pk__in=list(candidates)).filter(waiting | stuck | flagged)


def waited_for(post: Post, now: datetime | None = None) -> str:
    """What the post waited for when it missed its time (a key of REASONS), or "" when it has not."""
    now = now or timezone.now()
    if post.status not in WAITING_FOR:
        return ""
    if post.missed_at and post.missed_reason in REASONS:
        return post.missed_reason
    if post.status == P.SCHEDULED:
        stuck = any(  # the prefetched targets in lists
            t.status == T.SCHEDULED and not t.remote_state and not t.attempts and t.scheduled_at
            and t.scheduled_at < now - GRACE
            for t in post.target_list()
        )  # fmt: skip
        return "account" if post.missed_at or stuck else ""
    if post.scheduled_at and post.scheduled_at < now:
        return WAITING_FOR[post.status]
    return ""


def client_note(post: Post, now: datetime | None = None) -> str:
    """What a client reads about a missed time on its approval pages (portal, emailed link)."""
    now = now or timezone.now()
    if post.status == P.PENDING_CLIENT_APPROVAL and post.scheduled_at and post.scheduled_at < now:
        when = timezone.localtime(post.scheduled_at, post.client.tz).strftime("%A %-d %B, %H:%M")
        then = (
            "If you approve it now, it goes out at once."
            if post.client.late_approval == Client.LateApproval.PUBLISH_NOW
            else "If you approve it now, the team picks a new time and lets you know; it does not go out before then."
        )
        return f"Its planned time, {when} ({post.client.timezone}), has passed. {then}"
    if post.status == P.APPROVED and post.missed_at:
        if post.scheduled_at is None:
            return "Approved. The team is picking a time for it and will let you know."
        return (
            "You approved it after its planned time had passed; the team is picking a new time and will let you know."
        )
    return ""


def client_approved_message(post: Post) -> str:
    """What the client is told right after approving: when it goes out, or who picks a time."""
    post.refresh_from_db()
    if post.status == P.APPROVED and post.missed_at:
        return client_note(post)
    if post.status in {P.SCHEDULED, P.PUBLISHING, P.PUBLISHED} and post.scheduled_at:
        if post.scheduled_at <= timezone.now() + timedelta(seconds=5):
            return "Approved. Its planned time had passed, so it is going out now."
        when = timezone.localtime(post.scheduled_at, post.client.tz).strftime("%A %-d %B, %H:%M")
        return f"Approved. It goes out {when} ({post.client.timezone})."
    return "Approved. Thank you!"


def suggested_time(now: datetime | None = None) -> datetime:
    """What the "new time" field offers: the next quarter hour at least 15 minutes ahead."""
    now = (now or timezone.now()) + timedelta(minutes=15)
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + timedelta(minutes=15)


def _flag(post: Post, reason: str, now: datetime, **extra: Any) -> None:
    post.missed_at, post.missed_reason = now, reason
    post.save(update_fields=["missed_at", "missed_reason", "updated_at"])
    record_event(
        None,  # the system noticed; the approval itself is recorded by whoever approved
        "post.missed_time",
        post,
        {"waited_for": reason, "reason": REASONS[reason], "scheduled_at": post.scheduled_at, **extra},
    )


def flag_missed(now: datetime | None = None) -> int:
    """Mark (once) and announce every post that missed its time since the last sweep."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for post in missed_posts(now).filter(missed_at__isnull=True).select_for_update(skip_locked=True, of=("self",)):
            reason = waited_for(post, now)
            if reason:
                _flag(post, reason, now)
                count += 1
    return count


def client_approved_late(post: Post, user: Actor) -> None:
    """After the client's approval of a post whose time has passed (or that has none): publish
    it at once when the client said so, otherwise tell the agency. Runs in the approval's
    transaction."""
    now = timezone.now()
    if post.scheduled_at is None:
        _flag(post, "client_no_time", now)
        return
    if post.client.late_approval == Client.LateApproval.PUBLISH_NOW:
        try:
            with transaction.atomic():
                post_publish_now(actor=user, post=post, check_access=False)
            return
        except ValidationError as error:
            post.refresh_from_db()
            _flag(post, "publish_failed", now, problem=" ".join(error.messages))
            return
    _flag(post, "client_late", now)
