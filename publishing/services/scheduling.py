"""Writes about when posts go out: validate, schedule, reschedule, publish now, cancel, retry,
and "add to queue" (each account's next free posting slot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency import permissions
from agency.services.activity import record_event
from agency.types import Actor
from publishing import delivery, engine, rules, states
from publishing.models import Post, PostTarget, SocialAccount
from publishing.services import publer
from publishing.states import PostStatus as P
from publishing.states import TargetStatus as T

MAX_AHEAD = timedelta(days=365)


@dataclass
class TargetProblems:
    target: PostTarget
    problems: list[rules.Problem]


class PostNotReady(ValidationError):
    """Some targets break their platform's rules; ``by_target`` says which and why."""

    def __init__(self, by_target: list[TargetProblems]):
        self.by_target = by_target
        lines = [f"{tp.target.account}: {p.message}" for tp in by_target for p in tp.problems]
        super().__init__(lines)


def validate(post: Post) -> list[TargetProblems]:
    """Check every target against its platform; remembers the media version each will use."""
    targets = list(post.targets.select_related("account").exclude(status__in=[T.CANCELED, T.PUBLISHED]))
    if not targets:
        return []
    assets = [pm.asset for pm in post.post_media.select_related("asset").prefetch_related("asset__renditions")]
    post_facts = [delivery.media_facts(a) for a in assets]
    report = []
    for target in targets:
        own = [tm.asset for tm in target.target_media.select_related("asset").prefetch_related("asset__renditions")]
        facts = [delivery.media_facts(a) for a in own] if own else post_facts
        cta = {"action_type": post.cta_action, "url": post.cta_url} if post.cta_action else None
        if cta and target.account.platform != "google_business":
            cta = None  # the button is a Google Business Profile feature; elsewhere the CTA line is in the text
        problems, choices = rules.check(
            target.account.platform, text=target.text, media=facts, placement=post.placement, cta=cta
        )
        if target.account.status == SocialAccount.Status.NEEDS_RECONNECT:
            problems.append(rules.Problem(delivery.reconnect_message(target.account), "accounts"))
        if problems:
            report.append(TargetProblems(target, problems))
        else:
            target.media_choices = [c.source if c else "original" for c in choices]
            target.save(update_fields=["media_choices", "updated_at"])
    return report


def check_time(when: datetime) -> None:
    now = timezone.now()
    if when < now - timedelta(seconds=30):
        raise ValidationError({"scheduled_at": "That time has passed; pick a time in the future (or publish now)."})
    if when > now + MAX_AHEAD:
        raise ValidationError({"scheduled_at": "Posts can be scheduled up to a year ahead."})


@transaction.atomic
def post_schedule(*, actor: Actor, post: Post, scheduled_at: datetime, check_access: bool = True) -> Post:
    """Schedule (or reschedule) an approved post for ``scheduled_at``; every target must pass its
    platform's rules first. Targets on Publer are handed to Publer, which holds the schedule."""
    if check_access:
        permissions.require(actor, "approve_posts")
    post = Post.objects.select_for_update().select_related("client").get(pk=post.pk)
    if post.status not in {P.APPROVED, P.SCHEDULED}:
        raise ValidationError(f"Only approved posts can be scheduled; this one is {post.get_status_display().lower()}.")
    if not post.targets.exclude(status=T.CANCELED).exists():
        raise ValidationError({"accounts": "Choose at least one account to post to."})
    check_time(scheduled_at)
    problems = validate(post)
    if problems:
        raise PostNotReady(problems)
    held = list(
        post.targets.select_related("account__client__publer", "post")
        .filter(status=T.SCHEDULED)
        .exclude(remote_state="")
    )
    if held and scheduled_at != post.scheduled_at:
        publer.reschedule_remote(held, scheduled_at)  # raises if Publer refuses: nothing changes here
    old_time = post.scheduled_at
    old = states.move_post(post, P.SCHEDULED)
    post.scheduled_at, post.missed_at = scheduled_at, None
    post.save(update_fields=["status", "scheduled_at", "missed_at", "updated_at"])
    for target in post.targets.select_related("account").filter(status__in=[T.PENDING, T.SCHEDULED, T.FAILED]):
        if target.remote_state:  # held by Publer: moved there by the reschedule service
            continue
        target.status, target.scheduled_at, target.phase = T.SCHEDULED, scheduled_at, ""
        # Publer holds the schedule itself: hand it over now; direct targets wait for their time.
        target.next_attempt_at = timezone.now() if target.account.route == SocialAccount.Route.PUBLER else scheduled_at
        target.save(update_fields=["status", "scheduled_at", "phase", "next_attempt_at", "updated_at"])
    changes: dict[str, list[Any]] = {"status": [old, post.status]}
    if old_time != scheduled_at:
        changes["scheduled_at"] = [old_time, scheduled_at]
    record_event(actor, "post.rescheduled" if old == P.SCHEDULED else "post.scheduled", post, changes)
    engine.notify_waiting()
    return post


@transaction.atomic
def post_publish_now(*, actor: Actor, post: Post, check_access: bool = True) -> Post:
    """Send an approved post now: straight to the queue, no waiting for the dispatcher.
    (``check_access`` False: the client's own late approval, when its setting says publish at once.)"""
    if check_access:
        permissions.require(actor, "approve_posts")
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in {P.APPROVED, P.SCHEDULED}:
        raise ValidationError(f"Only approved posts can be published; this one is {post.get_status_display().lower()}.")
    problems = validate(post)
    if problems:
        raise PostNotReady(problems)
    now = timezone.now()
    old = states.move_post(post, P.SCHEDULED)
    post.scheduled_at, post.missed_at = now, None
    post.save(update_fields=["status", "scheduled_at", "missed_at", "updated_at"])
    post.targets.filter(status__in=[T.PENDING, T.SCHEDULED], remote_state="").update(
        status=T.SCHEDULED, scheduled_at=now, next_attempt_at=now, phase=""
    )
    record_event(actor, "post.publish_now", post, {"status": [old, post.status]})
    transaction.on_commit(lambda: engine.dispatch_once(owner="publish-now"))
    return post


@transaction.atomic
def post_cancel(*, actor: Actor, post: Post) -> Post:
    """Cancel a post before it goes out (anything held by Publer is deleted there first)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in states.CANCELABLE:
        raise ValidationError(f"This post is {post.get_status_display().lower()}; it can no longer be canceled.")
    remote = list(
        post.targets.select_related("account__client__publer").filter(status=T.SCHEDULED).exclude(remote_state="")
    )
    if remote:
        publer.cancel_remote(remote)  # raises with the platform's reason: nothing changes here then
    old = states.move_post(post, P.CANCELED)
    post.save(update_fields=["status", "updated_at"])
    post.targets.filter(status__in=[T.PENDING, T.SCHEDULED]).update(
        status=T.CANCELED, next_attempt_at=None, remote_state=""
    )
    record_event(actor, "post.canceled", post, {"status": [old, post.status]})
    return post


@transaction.atomic
def target_retry(*, actor: Actor, target: PostTarget) -> PostTarget:
    """A person retries a failed target (e.g. after reconnecting the account)."""
    permissions.require(actor, "approve_posts")
    target = PostTarget.objects.select_for_update().select_related("account", "post").get(pk=target.pk)
    states.check_target(target.status, T.SCHEDULED)
    if target.account.status != SocialAccount.Status.CONNECTED:
        raise ValidationError(delivery.reconnect_message(target.account))
    now = timezone.now()
    target.status, target.next_attempt_at, target.attempts, target.verify_attempts = T.SCHEDULED, now, 0, 0
    target.phase, target.error_kind = "", ""
    target.save(
        update_fields=["status", "next_attempt_at", "attempts", "verify_attempts", "phase", "error_kind", "updated_at"]
    )
    post = target.post
    if post.status in {P.FAILED, P.PARTIALLY_PUBLISHED}:
        post.status = P.PUBLISHING
        post.save(update_fields=["status", "updated_at"])
    record_event(actor, "post.target_retried", post, {"account": str(target.account)})
    transaction.on_commit(lambda: engine.dispatch_once(owner="retry"))
    return target


def next_free_slot(account: SocialAccount, *, after: datetime, taken: set[datetime]) -> datetime | None:
    """The account's next posting slot after ``after`` with nothing else scheduled on it."""
    slots = account.posting_slots or []
    if not slots:
        return None
    zone = account.tz
    local = after.astimezone(zone)
    for day in range(0, 60):
        date = (local + timedelta(days=day)).date()
        for slot in sorted(slots, key=lambda s: s["time"]):
            if int(slot["day"]) != date.weekday():
                continue
            hour, minute = (int(x) for x in slot["time"].split(":"))
            when = datetime(date.year, date.month, date.day, hour, minute, tzinfo=zone)
            if when > after and when not in taken:
                return when
    return None


@transaction.atomic
def post_add_to_queue(*, actor: Actor, post: Post) -> Post:
    """Schedule each target at its account's next free posting slot."""
    permissions.require(actor, "approve_posts")
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in {P.APPROVED, P.SCHEDULED}:
        raise ValidationError("Only approved posts can be added to the queue.")
    now, planned = timezone.now(), {}
    for target in post.targets.select_related("account").exclude(status__in=[T.CANCELED, T.PUBLISHED]):
        taken = {
            when
            for when in PostTarget.objects.filter(account=target.account, status=T.SCHEDULED)
            .exclude(post=post)
            .values_list("scheduled_at", flat=True)
            if when is not None
        }
        when = next_free_slot(target.account, after=now + timedelta(minutes=5), taken=taken)
        if when is None:
            raise ValidationError(
                {
                    "accounts": f"{target.account} has no posting times set; add some in Accounts, "
                    "or pick a time yourself."
                }
            )
        planned[target.pk] = when
    post_schedule(actor=actor, post=post, scheduled_at=min(planned.values()))
    for target_id, when in planned.items():
        planned_target = PostTarget.objects.filter(pk=target_id, remote_state="", status=T.SCHEDULED)
        planned_target.update(scheduled_at=when)
        planned_target.filter(account__route=SocialAccount.Route.DIRECT).update(next_attempt_at=when)
    record_event(actor, "post.queued", post, {"slots": {str(k): v for k, v in planned.items()}})
    return post
