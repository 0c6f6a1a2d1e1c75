"""The publishing engine: claim due targets atomically, publish each exactly once, classify
failures, verify unknown outcomes, sweep what was missed.

Guarantee (tested in publishing/tests/test_guarantees.py): a target is sent at most once and
ends published, failed (with a reason a person can act on) or canceled.

- ``claim_due`` moves due targets to ``publishing`` with a lease, in one transaction that skips
  rows other dispatchers hold (``SELECT … FOR UPDATE SKIP LOCKED``); each claimed target gets a
  lease token and one django-q2 task.
- ``publish`` first flips ``phase`` "" → "sending" with a conditional UPDATE guarded by the lease
  token and commits; only then does it call the platform. A target whose lease expired while
  "sending" may have gone out, so it becomes ``unconfirmed`` and ``verify`` asks the platform before
  anything is sent again.
- Connector checkpoints (container ids, uploaded media, job ids) are stored as they happen, so a
  retry resumes instead of creating a second container.
- Leases are short (``PUBLISH_LEASE_SECONDS``, 15 s) and renewed every
  ``PUBLISH_HEARTBEAT_SECONDS`` while the claim waits or is in flight (``run_claims``), so the
  sweep finds a dead worker's claims — or claims whose queued task the broker lost — in seconds.
- A worker task runs a batch of claims concurrently on the worker's thread pool (one database
  connection per thread); on shutdown it finishes what is in flight within ``PUBLISH_SHUTDOWN_GRACE_SECONDS`` and
  hands the rest back (``release``): never started → scheduled again, maybe sent → unconfirmed.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import socket
import threading
import time
import uuid
from concurrent import futures
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from agency.services.activity import activity_event, record_event, save_events
from localbzz.queue import broker as queue_broker
from localbzz.queue import stopping
from publishing import delivery, states
from publishing.connectors import errors
from publishing.connectors.base import ErrorKind, PlatformError, PublishResult, Window
from publishing.models import PlatformPause, Post, PostTarget, SocialAccount
from publishing.states import PostStatus as P
from publishing.states import TargetStatus as T

log = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def lease_seconds() -> int:
    return _setting("PUBLISH_LEASE_SECONDS", 15)


def heartbeat_seconds() -> float:
    return _setting("PUBLISH_HEARTBEAT_SECONDS", 4)


def task_size() -> int:
    return max(1, _setting("PUBLISH_TASK_SIZE", 10))


def lookahead_seconds() -> float:
    return _setting("PUBLISH_LOOKAHEAD_SECONDS", 1.5)


def shutdown_grace_seconds() -> float:
    return _setting("PUBLISH_SHUTDOWN_GRACE_SECONDS", 3)


def max_attempts() -> int:
    return _setting("PUBLISH_MAX_ATTEMPTS", 6)


def node_name() -> str:
    return f"{socket.gethostname()[:40]}:{uuid.uuid4().hex[:8]}"


# Claiming ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    target_id: str
    token: str
    verify: bool  # an unconfirmed target: ask the platform, never send


def _due(now: datetime, ahead: float = 0.0):
    """Targets to claim now: due ones, and scheduled ones due within ``ahead`` seconds (the
    worker prepares them and sends at their time, never before)."""
    paused_platforms = list(PlatformPause.objects.filter(paused_until__gt=now).values_list("platform", flat=True))
    paused = Q(account__paused_until__gt=now)
    if paused_platforms:
        direct = Q(account__route=SocialAccount.Route.DIRECT)
        paused |= direct & Q(account__platform__in=paused_platforms)
        if "publer" in paused_platforms:
            paused |= ~direct
    return (
        PostTarget.objects.filter(
            Q(status=T.SCHEDULED, next_attempt_at__lte=now + timedelta(seconds=ahead))
            | Q(status=T.UNCONFIRMED, next_attempt_at__lte=now),
            remote_state="",
        )
        .exclude(paused)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    )


def claim_due(*, owner: str, limit: int = 200, now: datetime | None = None, ahead: float = 0.0) -> list[Claim]:
    """Take up to ``limit`` due targets (or due within ``ahead`` seconds) for this node. Safe
    with any number of dispatchers."""
    now = now or timezone.now()
    token = f"{owner}:{uuid.uuid4().hex[:12]}"
    # Due now → publishing (an attempt); due within ``ahead`` → only reserved (leased, still
    # scheduled: a cancel or a new time in the meantime wins, see ``_take_up``).
    with transaction.atomic():
        rows = list(
            _due(now, ahead)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", "status")[:limit]
        )
        if not rows:
            return []
        ids = [r[0] for r in rows]
        lease = now + timedelta(seconds=lease_seconds())
        PostTarget.objects.filter(id__in=ids, status=T.SCHEDULED, next_attempt_at__lte=now).update(
            status=T.PUBLISHING, lease_owner=token, lease_until=lease, phase="", attempts=F("attempts") + 1
        )
        PostTarget.objects.filter(id__in=ids, status=T.SCHEDULED, next_attempt_at__gt=now).update(
            lease_owner=token, lease_until=lease
        )
        PostTarget.objects.filter(id__in=ids, status=T.UNCONFIRMED).update(lease_owner=token, lease_until=lease)
    return [Claim(str(target_id), token, status == T.UNCONFIRMED) for target_id, status in rows]


def enqueue_claims(claims: list[Claim]) -> None:
    """One django-q2 task per ``PUBLISH_TASK_SIZE`` claims; the worker publishes them concurrently."""
    broker = queue_broker() if claims else None
    size = task_size()
    for start in range(0, len(claims), size):
        batch = [(c.target_id, c.token, c.verify) for c in claims[start : start + size]]
        # The outcome is recorded on the target itself: django-q2 need not store a result row.
        async_task("publishing.tasks.run_claims", batch, q_options={"save": False, "broker": broker})


def dispatch_once(*, owner: str, limit: int = 200, ahead: float = 0.0) -> int:
    """Claim what is due (or due within ``ahead`` s) and enqueue it after the claim committed.
    Answers how many."""
    claims = claim_due(owner=owner, limit=limit, ahead=ahead)
    enqueue_claims(claims)
    return len(claims)


def next_due_at() -> datetime | None:
    row = (
        PostTarget.objects.filter(status__in=[T.SCHEDULED, T.UNCONFIRMED], remote_state="")
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return row


# Running a batch of claims in a worker -------------------------------------------------------


def run_claims(claims: list[Claim]) -> dict[str, int]:
    """Publish (or verify) ``claims`` at once on this worker's thread pool (one database
    connection per thread, kept between claims), renewing their leases every
    ``PUBLISH_HEARTBEAT_SECONDS`` until each is settled.

    When the worker is asked to stop (``localbzz.queue.stopping``) no claim is started any more;
    those in flight get ``PUBLISH_SHUTDOWN_GRACE_SECONDS`` to finish, then every claim still held
    is handed back (``release``) so that it is sent again or, if it may have gone out, verified.
    """
    if Conf.SYNC:  # django-q2's sync mode (tests): in this thread, on this connection, in turn
        for claim in claims:
            _run_claim(claim)
        return {"claims": len(claims), "released": 0}
    running = {_pool().submit(_pooled, claim): claim for claim in claims}
    settled: set[Claim] = set()
    beat_at = time.monotonic() + heartbeat_seconds()
    give_up_at = None
    while running:
        done, _ = futures.wait(running, timeout=0.1, return_when=futures.FIRST_COMPLETED)
        for future in done:
            claim = running.pop(future)
            if not future.cancelled() and future.result():
                settled.add(claim)
        now = time.monotonic()
        if stopping() and give_up_at is None:
            give_up_at = now + shutdown_grace_seconds()
            for future in running:
                future.cancel()  # not started yet: handed back below
        if give_up_at is not None and now >= give_up_at:
            break
        if now >= beat_at and running:
            renew(list(running.values()))
            beat_at = now + heartbeat_seconds()
    left = [c for c in claims if c not in settled]
    if left:
        release(left)
    return {"claims": len(claims), "released": len(left)}


class _Pool:
    """This worker process's publishing threads: daemon threads, so a publish hanging on the
    network never holds the process's exit (``ThreadPoolExecutor`` joins its threads at exit)."""

    def __init__(self, size: int) -> None:
        self.size, self.threads, self.jobs = size, [], queue.SimpleQueue()

    def submit(self, fn, arg) -> futures.Future:
        future: futures.Future = futures.Future()
        self.jobs.put((future, fn, arg))
        if len(self.threads) < self.size:
            thread = threading.Thread(target=self._work, name=f"publish-{len(self.threads)}", daemon=True)
            self.threads.append(thread)
            thread.start()
        return future

    def _work(self) -> None:
        while True:
            future, fn, arg = self.jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(arg))
                except BaseException as error:
                    future.set_exception(error)


_POOL: tuple[int, _Pool] | None = None


def _pool() -> _Pool:
    """Made after the fork, once per process (threads are not inherited)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), _Pool(task_size()))
    return _POOL[1]


def _pooled(claim: Claim) -> bool:
    """One claim on a pool thread. Answers False if it was not started (the worker is stopping)."""
    close_old_connections()  # like a request: a broken or too old connection is replaced
    try:
        if stopping():
            return False
        _run_claim(claim)
        return True
    finally:
        close_old_connections()
        if stopping():
            connection.close()


def _run_claim(claim: Claim) -> None:
    try:
        (verify if claim.verify else publish)(claim.target_id, claim.token)
    except Exception:  # the claim stays held: its lease runs out and the sweep takes it back
        log.exception("Publishing target %s failed", claim.target_id)


def _by_token(claims: list[Claim]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for claim in claims:
        groups.setdefault(claim.token, []).append(claim.target_id)
    return groups


def renew(claims: list[Claim]) -> int:
    """The heartbeat: extend the leases still held by these claims (one UPDATE per token)."""
    lease = timezone.now() + timedelta(seconds=lease_seconds())
    return sum(
        PostTarget.objects.filter(
            pk__in=ids, lease_owner=token, status__in=[T.SCHEDULED, T.PUBLISHING, T.UNCONFIRMED]
        ).update(lease_until=lease)
        for token, ids in _by_token(claims).items()
    )


def release(claims: list[Claim]) -> dict[str, int]:
    """Hand back claims this worker will not finish (it is stopping). A publish that may still be
    under way is verified after ``PUBLISH_VERIFY_DELAY_SECONDS``, never resent blindly."""
    report = {"unconfirmed": 0, "requeued": 0}
    verify_at = timezone.now() + timedelta(seconds=_setting("PUBLISH_VERIFY_DELAY_SECONDS", 5))
    for token, ids in _by_token(claims).items():
        for key, value in _hand_back(PostTarget.objects.filter(pk__in=ids, lease_owner=token), verify_at).items():
            report[key] += value
    return report


def _hand_back(held, verify_at: datetime) -> dict[str, int]:
    """THE rule for claims whose holder is gone or giving up: "sending" → unconfirmed (verify at
    ``verify_at``), not started → scheduled now (the attempt is given back), verifying or
    reserved ahead of time → free."""
    now = timezone.now()
    with transaction.atomic():
        unconfirmed = held.filter(status=T.PUBLISHING, phase="sending").update(
            status=T.UNCONFIRMED,
            lease_owner="",
            lease_until=None,
            next_attempt_at=verify_at,
            error_kind=ErrorKind.UNKNOWN_OUTCOME,
            last_error="The worker stopped while sending; checking with the platform.",
        )
        requeued = held.filter(status=T.PUBLISHING, phase="").update(
            status=T.SCHEDULED, lease_owner="", lease_until=None, next_attempt_at=now, attempts=F("attempts") - 1
        )
        held.filter(status__in=[T.UNCONFIRMED, T.SCHEDULED]).update(lease_owner="", lease_until=None)
    return {"unconfirmed": unconfirmed, "requeued": requeued}


# Publishing one target ----------------------------------------------------------------------


def _load(target_id: str) -> PostTarget | None:
    # Client rows are wide and rarely needed here (Publer credentials load the client on demand).
    return PostTarget.objects.select_related("post", "account").filter(pk=target_id).order_by().first()


def _held(target_id: str, token: str):
    return PostTarget.objects.filter(pk=target_id, lease_owner=token)


def publish(target_id: str, token: str) -> str:
    """Publish one claimed target. Answers what happened (for logs and tests)."""
    target = _load(target_id)
    if target is None or target.status not in (T.PUBLISHING, T.SCHEDULED) or target.lease_owner != token:
        return "stale claim"
    problem = None
    if target.account.status != SocialAccount.Status.CONNECTED:
        problem = (ErrorKind.AUTH_EXPIRED, delivery.reconnect_message(target.account), "account not connected")
    else:
        try:
            request = delivery.build_request(target, on_checkpoint=lambda cp: _save_checkpoint(target_id, token, cp))
        except delivery.NotDeliverable as error:
            problem = (ErrorKind.REJECTED, str(error), "not deliverable")
    if target.status == T.SCHEDULED and not _take_up(target, token):
        return "changed while waiting"
    if problem:
        _fail(target, token, problem[0], problem[1])
        return problem[2]
    # The point of no return: only the lease holder may mark the target as being sent. One
    # UPDATE, committed on its own (autocommit) before the platform is called.
    started = (
        _held(target_id, token)
        .filter(status=T.PUBLISHING, phase="")
        .update(
            phase="sending", sent_at=timezone.now(), lease_until=timezone.now() + timedelta(seconds=lease_seconds())
        )
    )
    if not started:
        return "lost the lease"
    connector = delivery.connector_for(target.account)
    try:
        result = connector.publish(request, dict(target.checkpoint))
    except PlatformError as error:
        _handle_error(target, token, error)
        return f"error: {error.kind}"
    except Exception as error:  # a bug of ours: keep the target safe, do not resend blindly
        log.exception("Connector crashed publishing target %s", target_id)
        _handle_error(
            target,
            token,
            PlatformError(
                ErrorKind.UNKNOWN_OUTCOME,
                f"Unexpected error: {error.__class__.__name__}",
                platform=target.account.platform,
            ),
        )
        return "crashed"
    _succeed(target, token, result)
    return result.state


def _take_up(target: PostTarget, token: str) -> bool:
    """A target reserved ahead of its time (the dispatcher's lookahead): wait for its time, then
    take it up (publishing, one attempt) unless it was canceled, rescheduled or sent back for
    approval meanwhile — those change its status or time, and then it is let go."""
    wait = (target.next_attempt_at - timezone.now()).total_seconds() if target.next_attempt_at else 0
    held = _held(str(target.pk), token)
    if wait > lookahead_seconds() + 1:  # moved to a later time since the claim
        held.update(lease_owner="", lease_until=None)
        return False
    if wait > 0:
        time.sleep(wait)
    if held.filter(status=T.SCHEDULED, next_attempt_at=target.next_attempt_at).update(
        status=T.PUBLISHING, phase="", attempts=F("attempts") + 1,
        lease_until=timezone.now() + timedelta(seconds=lease_seconds()),
    ):  # fmt: skip
        target.status, target.attempts = T.PUBLISHING, target.attempts + 1
        return True
    held.update(lease_owner="", lease_until=None)
    return False


def verify(target_id: str, token: str) -> str:
    """An unconfirmed target: ask the platform whether it went out; never send."""
    target = _load(target_id)
    if target is None or target.status != T.UNCONFIRMED or target.lease_owner != token:
        return "stale claim"
    connector = delivery.connector_for(target.account)
    try:
        request = delivery.build_request(target, on_checkpoint=lambda cp: _save_checkpoint(target_id, token, cp))
        result = connector.verify(request, dict(target.checkpoint), verify_window(target))
    except PlatformError as error:
        if error.kind == ErrorKind.AUTH_EXPIRED:
            _handle_error(target, token, error)
            return "auth expired"
        return _still_unconfirmed(target, token, error.message)
    except delivery.NotDeliverable as error:
        return _still_unconfirmed(target, token, str(error))
    if result is None:  # surely not published: safe to send again
        with transaction.atomic():
            moved = (
                _held(target_id, token)
                .filter(status=T.UNCONFIRMED)
                .update(
                    status=T.SCHEDULED,
                    phase="",
                    next_attempt_at=timezone.now(),
                    lease_owner="",
                    lease_until=None,
                    last_error="Not published yet (checked with the platform); sending again.",
                )
            )
        return "not published: rescheduled" if moved else "lost the lease"
    _succeed(target, token, result, allow_from=T.UNCONFIRMED)
    return "published (verified)"


def verify_window(target: PostTarget) -> Window:
    """Where verification looks: from the latest send's start (never known earlier than the target's
    creation) minus the clock-skew margin, to now plus it; posts other targets of ours on the same
    account already own in that window are skipped, so a same-text post is never taken for this one."""
    skew = timedelta(seconds=_setting("PUBLISH_VERIFY_CLOCK_SKEW_SECONDS", 300))
    since = (target.sent_at or target.created_at) - skew
    owned = (
        PostTarget.objects.filter(account_id=target.account_id, published_at__gte=since)
        .exclude(pk=target.pk)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )
    return Window(since=since, until=timezone.now() + skew, skip_ids=frozenset(owned))


def _still_unconfirmed(target: PostTarget, token: str, reason: str) -> str:
    limit = _setting("PUBLISH_MAX_VERIFY_ATTEMPTS", 6)
    if target.verify_attempts + 1 >= limit:
        platform = target.account.get_platform_display()
        message = (
            f"We could not confirm whether this went out on {platform} (the last check: {reason.rstrip('.')}). "
            f"Look at the account on {platform}; if the post is not there, press Retry."
        )
        _finish(
            target, token, T.FAILED, error_kind=ErrorKind.UNKNOWN_OUTCOME, message=message, allow_from=T.UNCONFIRMED
        )
        return "gave up verifying"
    delay = min(600, 5 * 2**target.verify_attempts)
    _held(str(target.pk), token).filter(status=T.UNCONFIRMED).update(
        verify_attempts=F("verify_attempts") + 1,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        lease_owner="",
        lease_until=None,
        last_error=f"Checking with the platform: {reason}",
    )
    return "still unconfirmed"


def _save_checkpoint(target_id: str, token: str, checkpoint: dict) -> None:
    """Store connector progress at once (one UPDATE, committed on its own) and extend the lease."""
    _held(target_id, token).update(
        checkpoint=checkpoint, lease_until=timezone.now() + timedelta(seconds=lease_seconds())
    )


def _succeed(target: PostTarget, token: str, result: PublishResult, allow_from: str = T.PUBLISHING) -> None:
    now = timezone.now()
    fields = {"external_id": result.external_id or "", "url": result.url or "", "checkpoint": result.checkpoint or {},
              "phase": "", "lease_owner": "", "lease_until": None, "error_kind": "", "last_error": ""}  # fmt: skip
    if result.state == "scheduled":  # the platform (Publer) holds the schedule; its outcome is read back later
        fields.update(status=T.SCHEDULED, remote_state="scheduled")
    elif result.state == "processing":  # accepted, not live yet (e.g. Google Business Profile)
        fields.update(status=T.PUBLISHED, published_at=now, remote_state="processing")
    else:
        fields.update(status=T.PUBLISHED, published_at=now)
    with transaction.atomic():
        # Success wins over a sweeper that already marked it unconfirmed: it did go out.
        done = PostTarget.objects.filter(pk=target.pk, status__in=[allow_from, T.UNCONFIRMED, T.PUBLISHING]).update(
            **fields
        )
        if done and result.slow_down:
            delivery.slow_down(target.account, result.slow_down, result.slow_down_scope)
        if done:
            verb = "post.target_published" if fields["status"] == T.PUBLISHED else "post.target_scheduled_remotely"
            event = activity_event(None, verb, target.post, {"account": str(target.account), "url": fields["url"]})
            refresh_post(target.post_id, with_events=[event])


def _handle_error(target: PostTarget, token: str, error: PlatformError) -> None:
    now = timezone.now()
    if error.checkpoint is not None:
        _held(str(target.pk), token).update(checkpoint=error.checkpoint)
    if error.kind == ErrorKind.UNKNOWN_OUTCOME:
        delay = _setting("PUBLISH_VERIFY_DELAY_SECONDS", 5)
        _finish(
            target,
            token,
            T.UNCONFIRMED,
            error_kind=error.kind,
            message=error.message,
            next_attempt_at=now + timedelta(seconds=delay),
        )
        return
    if error.kind == ErrorKind.AUTH_EXPIRED:
        delivery.mark_needs_reconnect(target.account, error.message)
        _fail(target, token, error.kind, delivery.reconnect_message(target.account, error.message))
        return
    if error.kind == ErrorKind.REJECTED:
        _fail(target, token, error.kind, error.message)
        return
    if error.kind == ErrorKind.RATE_LIMITED:
        wait = error.retry_after or 60
        delivery.slow_down(target.account, wait, error.scope)
        # A rate limit is not the post's fault: it does not use up an attempt.
        _finish(
            target,
            token,
            T.SCHEDULED,
            error_kind=error.kind,
            message=f"Rate limited: {error.message}",
            next_attempt_at=now + timedelta(seconds=wait),
            attempts=max(0, target.attempts - 1),
        )
        return
    # Retryable
    attempts = target.attempts
    if attempts >= max_attempts():
        _fail(target, token, error.kind, errors.gave_up(attempts, error))
        return
    _finish(
        target,
        token,
        T.SCHEDULED,
        error_kind=error.kind,
        message=f"Will retry: {error.message}",
        next_attempt_at=now + timedelta(seconds=backoff(attempts)),
    )


def backoff(attempts: int) -> float:
    """Exponential backoff with jitter: ~2 s, 4 s, 8 s … capped at 10 minutes."""
    base = _setting("PUBLISH_BACKOFF_BASE_SECONDS", 2.0)
    ceiling = min(600.0, base * 2 ** max(0, attempts - 1))
    return ceiling * random.uniform(0.5, 1.0)


def _fail(target: PostTarget, token: str, kind: str, message: str) -> None:
    _finish(target, token, T.FAILED, error_kind=kind, message=message)


def _finish(target: PostTarget, token: str, status: str, *, error_kind: str, message: str,
            next_attempt_at: datetime | None = None, attempts: int | None = None,
            allow_from: str = T.PUBLISHING) -> None:  # fmt: skip
    fields = {"status": status, "error_kind": error_kind, "last_error": message[:2000], "lease_owner": "",
              "lease_until": None, "next_attempt_at": next_attempt_at}  # fmt: skip
    if status != T.UNCONFIRMED:
        fields["phase"] = ""
    if attempts is not None:
        fields["attempts"] = attempts
    with transaction.atomic():
        changed = _held(str(target.pk), token).filter(status=allow_from).update(**fields)
        if changed and status == T.FAILED:
            record_event(None, "post.target_failed", target.post, {"account": str(target.account), "reason": message})
            refresh_post(target.post_id)


def refresh_post(post_id, with_events: list | None = None) -> None:
    """Settle a post's status from its targets once none is still open.

    The post row is locked BEFORE the targets are read: two workers finishing two targets of one
    post at once then settle one after the other, and the second sees both results.
    ``with_events``: unsaved activity events to write together with the post's own (one INSERT).
    """
    events = list(with_events or [])
    post = Post.objects.select_for_update().get(pk=post_id)
    statuses = list(PostTarget.objects.filter(post_id=post_id).values_list("status", flat=True))
    outcome = states.post_outcome(statuses)
    if outcome is not None and post.status != outcome and outcome in states.POST_TRANSITIONS.get(post.status, set()):
        old, post.status = post.status, outcome
        if outcome in {P.PUBLISHED, P.PARTIALLY_PUBLISHED}:
            post.published_at = post.published_at or timezone.now()
        post.save(update_fields=["status", "published_at", "updated_at"])
        events.append(activity_event(None, "post.status_changed", post, {"status": [old, outcome]}))
    save_events(events)


# The sweeper (django-q2 Schedule, every minute) ---------------------------------------------


def sweep(*, owner: str = "sweeper", dispatch: bool = True) -> dict[str, int]:
    """Take back claims whose lease ran out (their worker died, or the broker lost their task:
    nobody renews them) and dispatch whatever is due (when no dispatcher is running). Maybe sent
    → unconfirmed and verified at once; never started → scheduled again."""
    now = timezone.now()
    expired = PostTarget.objects.filter(status__in=[T.PUBLISHING, T.UNCONFIRMED], lease_until__lt=now)
    report = {**_hand_back(expired, now), "dispatched": 0}
    if dispatch:
        report["dispatched"] = dispatch_once(owner=owner)
    return report


def notify_waiting() -> None:
    """Wake dispatchers (PostgreSQL LISTEN/NOTIFY) when something becomes due sooner."""
    if connection.vendor == "postgresql":
        transaction.on_commit(lambda: _notify())


def _notify() -> None:
    with connection.cursor() as cursor:
        cursor.execute("NOTIFY localbzz_dispatch")
