"""The publishing engine: claim due targets atomically, publish each exactly once, classify
failures, verify unknown outcomes, sweep what was missed.

Guarantee (tested in publishing/tests/test_guarantees.py): a target is sent at most once and
ends published, failed (with a reason a person can act on) or canceled.

- ``claim_due`` moves due targets to ``publishing`` with a lease, in one transaction that skips
  rows other dispatchers hold (``SELECT … FOR UPDATE SKIP LOCKED``); the claims get a lease token
  and go out as django-q2 tasks of ``PUBLISH_TASK_SIZE`` claims each.
- A claim is sent only after its ``phase`` flipped "" → "sending" in a conditional UPDATE guarded
  by the lease token, committed; only then is the platform called. A target whose lease expired while
  "sending" may have gone out, so it becomes ``unconfirmed`` and ``verify`` asks the platform before
  anything is sent again.
- Connector checkpoints (container ids, uploaded media, job ids) are stored as they happen, so a
  retry resumes instead of creating a second container.
- Leases are short (``PUBLISH_LEASE_SECONDS``, 15 s) and renewed every
  ``PUBLISH_HEARTBEAT_SECONDS`` while the claim waits or is in flight (``run_claims``), so the
  sweep finds a dead worker's claims — or claims whose queued task the broker lost — in seconds.
- A worker task runs a batch of claims together (``run_claims``): the database work is done for
  the whole batch in a constant number of queries (one load; one conditional UPDATE to "sending"
  per due instant, committed before any call; the results recorded together), and only the
  platform calls run on the worker's thread pool, all at once. On shutdown it finishes what is in
  flight within ``PUBLISH_SHUTDOWN_GRACE_SECONDS`` and hands the rest back (``release``): never
  started → scheduled again, maybe sent → unconfirmed.
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
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, F, Prefetch, Q, QuerySet, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from agency.models import ActivityEvent
from agency.services.activity import activity_event, record_event, save_events
from localbzz.queue import broker as queue_broker
from localbzz.queue import stopping
from publishing import delivery, states
from publishing.connectors import errors
from publishing.connectors.base import ErrorKind, PlatformError, PublishRequest, PublishResult, Window
from publishing.models import PlatformPause, Post, PostMedia, PostTarget, SocialAccount, TargetMedia
from publishing.states import PostStatus as P
from publishing.states import TargetStatus as T

log = logging.getLogger(__name__)

_Number = TypeVar("_Number", int, float)


def _setting(name: str, default: _Number) -> _Number:
    value: _Number = getattr(settings, name, default)
    return value


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


def _due(now: datetime, ahead: float = 0.0) -> QuerySet[PostTarget]:
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
    """Publish (or verify) ``claims`` together, renewing their leases every
    ``PUBLISH_HEARTBEAT_SECONDS`` until each is settled.

    The database work is done for the whole batch at once, in this thread: one load of the targets
    with everything their requests need, one conditional UPDATE flipping every target due at the
    same instant to "sending" (committed before any of them is sent), and the outcomes written
    together (``_succeed_many``, ``refresh_posts``). Only the platform calls (and the connectors'
    checkpoints) run on the worker's thread pool, all at once.

    When the worker is asked to stop (``localbzz.queue.stopping``) nothing more is started; calls
    in flight get ``PUBLISH_SHUTDOWN_GRACE_SECONDS`` to finish, then every claim still held is
    handed back (``release``) so that it is sent again or, if it may have gone out, verified.
    """
    batch = _Batch(claims, pool=None if Conf.SYNC else _pool())  # django-q2's sync mode (tests): inline
    batch.run()
    return {"claims": len(batch.claims), "released": batch.released}


def publish(target_id: str, token: str) -> str:
    """Publish one claimed target (a batch of one). Answers what happened (for logs and tests)."""
    return _Batch([Claim(str(target_id), token, False)], pool=None).run()[str(target_id)]


@dataclass
class _Send:
    """A claim on its way: the target, its request, and (once back) what the platform answered."""

    claim: Claim
    target: PostTarget
    request: PublishRequest | None = None
    problem: tuple[str, str, str] | None = None  # (error kind, message for people, outcome)
    answer: PublishResult | PlatformError | None = None
    crashed: bool = False  # the connector raised something unexpected (a bug of ours)


class _Batch:
    """One worker task's claims (see ``run_claims``)."""

    def __init__(self, claims: list[Claim], pool: _Pool | None) -> None:
        self.claims = list(dict.fromkeys(claims))
        self.pool = pool
        self.outcomes: dict[str, str] = {}
        self.settled: set[Claim] = set()  # claims no longer ours to hand back: finished, let go, stale
        self.groups: dict[datetime | None, list[_Send]] = {}  # by the time they may be sent (None: now)
        self.released = 0

    def run(self) -> dict[str, str]:
        self._prepare()
        in_flight: dict[futures.Future[Any], Claim | _Send] = {}
        for claim in self.claims:
            if claim.verify and claim not in self.settled:
                in_flight[self._submit(_verify_job, claim)] = claim
        beat_at = time.monotonic() + heartbeat_seconds()
        give_up_at = None
        while (self.groups and give_up_at is None) or in_flight:
            if stopping() and give_up_at is None:
                give_up_at = time.monotonic() + shutdown_grace_seconds()
                self.groups.clear()  # never started: handed back below
                for future in list(in_flight):
                    if future.cancel():  # not started yet (may have been flipped: verified later)
                        in_flight.pop(future)
            if give_up_at is None:
                for send in self._start_due():
                    in_flight[self._submit(_send_job, send)] = send
            timeout = 0.1
            later = [at for at in self.groups if at is not None]
            if later and give_up_at is None:  # wake at the next group's time, not after it
                timeout = min(timeout, max(0.0, (min(later) - timezone.now()).total_seconds()))
            if in_flight:
                done, _ = futures.wait(in_flight, timeout=timeout, return_when=futures.FIRST_COMPLETED)
                if done and len(done) < len(in_flight):  # answers come close together: record them together
                    done, _ = futures.wait(in_flight, timeout=0.02, return_when=futures.ALL_COMPLETED)
            else:
                done = set()
                time.sleep(timeout)
            self._record([(in_flight.pop(future), future) for future in done])
            now = time.monotonic()
            if give_up_at is not None and now >= give_up_at:
                break
            if now >= beat_at:
                held = [c for c in self.claims if c not in self.settled]
                if held:
                    renew(held)
                beat_at = now + heartbeat_seconds()
        left = [c for c in self.claims if c not in self.settled]
        if left:
            release(left)
            self.released = len(left)
        return self.outcomes

    # The steps ---------------------------------------------------------------------------------

    def _settle(self, claim: Claim, outcome: str) -> None:
        self.outcomes[claim.target_id] = outcome
        self.settled.add(claim)

    def _submit(self, job: Callable[[Any], Any], arg: Any) -> futures.Future[Any]:
        if self.pool is not None:
            return self.pool.submit(_pooled, (job, arg))
        future: futures.Future[Any] = futures.Future()
        future.set_result(job(arg))
        return future

    def _prepare(self) -> None:
        """Load every target of the batch at once and build their requests; let go of those whose
        time moved past the lookahead since the claim."""
        sends = [c for c in self.claims if not c.verify]
        targets = _load_many([c.target_id for c in sends])
        let_go: list[Claim] = []
        for claim in sends:
            target = targets.get(claim.target_id)
            if target is None or target.status not in (T.PUBLISHING, T.SCHEDULED) or target.lease_owner != claim.token:
                self._settle(claim, "stale claim")
                continue
            send = _Send(claim, target)
            if target.account.status != SocialAccount.Status.CONNECTED:
                send.problem = (
                    ErrorKind.AUTH_EXPIRED,
                    delivery.reconnect_message(target.account),
                    "account not connected",
                )
            else:
                try:
                    send.request = delivery.build_request(target, on_checkpoint=_checkpointer(claim))
                except delivery.NotDeliverable as error:
                    send.problem = (ErrorKind.REJECTED, str(error), "not deliverable")
            at = target.next_attempt_at if target.status == T.SCHEDULED else None
            if at is not None and (at - timezone.now()).total_seconds() > lookahead_seconds() + 1:
                let_go.append(claim)  # moved to a later time since the claim
                continue
            self.groups.setdefault(at, []).append(send)
        if let_go:
            _let_go(let_go)
            for claim in let_go:
                self._settle(claim, "changed while waiting")

    def _start_due(self) -> list[_Send]:
        """The groups whose time has come: flip them to "sending" (reserved ones are taken up in the
        same UPDATE), fail those that cannot be sent. Answers what to send now."""
        now = timezone.now()
        due = [s for at in [at for at in self.groups if at is None or at <= now] for s in self.groups.pop(at)]
        if not due:
            return []
        for send in due:
            if send.problem is None:
                continue
            kind, message, outcome = send.problem
            if send.target.status == T.SCHEDULED and not _take_up(send.target, send.claim.token):
                self._settle(send.claim, "changed while waiting")
            else:
                _fail(send.target, send.claim.token, kind, message)
                self._settle(send.claim, outcome)
        sendable = [s for s in due if not s.problem]
        started = _start_sending(sendable) if sendable else set()
        unreserved = [s.claim for s in sendable if s.target.pk not in started and s.target.status == T.SCHEDULED]
        if unreserved:  # canceled, rescheduled or sent back for approval while it waited
            _let_go(unreserved)
        for send in sendable:
            if send.target.pk in started:
                if send.target.status == T.SCHEDULED:
                    send.target.status, send.target.attempts = T.PUBLISHING, send.target.attempts + 1
            else:
                lost = "changed while waiting" if send.target.status == T.SCHEDULED else "lost the lease"
                self._settle(send.claim, lost)
        return [s for s in sendable if s.target.pk in started]

    def _record(self, finished: list[tuple[Claim | _Send, futures.Future[Any]]]) -> None:
        """Write what came back: every success of this round together, each failure by its rule."""
        successes: list[tuple[_Send, PublishResult]] = []
        for item, future in finished:
            if isinstance(item, Claim):  # a verification: it recorded its own outcome (on a crash the
                # claim stays held: its lease runs out and the sweep takes it back)
                self._settle(item, future.result() if future.exception() is None else "crashed")
                continue
            send = item
            if future.exception() is not None:  # not sent (a bug before the call): the sweep verifies it
                log.error("Publishing target %s failed", send.target.pk, exc_info=future.exception())
                continue
            answer = future.result()
            if isinstance(answer, PublishResult):
                successes.append((send, answer))
                continue
            try:
                _handle_error(send.target, send.claim.token, answer)
            except Exception:  # the claim stays held: its lease runs out and the sweep takes it back
                log.exception("Recording the failure of target %s failed", send.target.pk)
                continue
            self._settle(send.claim, "crashed" if send.crashed else f"error: {answer.kind}")
        if successes:
            try:
                _succeed_many([(s.target, result) for s, result in successes])
            except Exception:  # not settled: handed back at the end (sending → unconfirmed → verified)
                log.exception("Recording %d published targets failed", len(successes))
                return
            for send, result in successes:
                self._settle(send.claim, result.state)


def _send_job(send: _Send) -> PublishResult | PlatformError:
    """On a pool thread: the platform call, and only that (its checkpoints are written as they come)."""
    answer: PublishResult | PlatformError
    try:
        if send.request is None:  # _prepare sets a problem instead; such sends never reach a thread
            raise RuntimeError("nothing to send: the request was not built")
        answer = delivery.connector_for(send.target.account).publish(send.request, dict(send.target.checkpoint))
    except PlatformError as error:
        answer = error
    except Exception as error:  # a bug of ours: keep the target safe, do not resend blindly
        log.exception("Connector crashed publishing target %s", send.target.pk)
        answer = PlatformError(
            ErrorKind.UNKNOWN_OUTCOME,
            f"Unexpected error: {error.__class__.__name__}",
            platform=send.target.account.platform,
        )
        send.crashed = True
    send.answer = answer
    return answer


def _verify_job(claim: Claim) -> str:
    try:
        return verify(claim.target_id, claim.token)
    except Exception:  # the claim stays held: its lease runs out and the sweep takes it back
        log.exception("Verifying target %s failed", claim.target_id)
        raise


class _Pool:
    """This worker process's publishing threads: daemon threads, so a publish hanging on the
    network never holds the process's exit (``ThreadPoolExecutor`` joins its threads at exit)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.threads: list[threading.Thread] = []
        self.jobs: queue.SimpleQueue[tuple[futures.Future[Any], Callable[[Any], Any], Any]] = queue.SimpleQueue()

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> futures.Future[Any]:
        future: futures.Future[Any] = futures.Future()
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


def _pooled(job_and_arg: tuple[Callable[[Any], Any], Any]) -> Any:
    """A job on a pool thread. A job that needs the database (checkpoints, verification) opens this
    thread's own connection and closes it when done: the pool has ``PUBLISH_TASK_SIZE`` threads per
    worker, too many to keep a connection each, and a text post never opens one."""
    job, arg = job_and_arg
    try:
        return job(arg)
    finally:
        if connection.connection is not None:
            connection.close()


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


def _hand_back(held: QuerySet[PostTarget], verify_at: datetime) -> dict[str, int]:
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


# Publishing: the batch's database steps ---------------------------------------------------------


def _load_many(target_ids: list[str]) -> dict[str, PostTarget]:
    """The targets with their post, account and media (renditions too): a few queries for any
    number of targets. Client rows are wide and rarely needed here: only Publer accounts get theirs
    (their credentials are the client's Publer key)."""

    if not target_ids:
        return {}
    media = {"asset__renditions"}
    targets = list(
        PostTarget.objects.select_related("post", "account")
        .filter(pk__in=target_ids)
        .order_by()
        .prefetch_related(
            Prefetch("target_media", TargetMedia.objects.select_related("asset").prefetch_related(*media)),
            Prefetch("post__post_media", PostMedia.objects.select_related("asset").prefetch_related(*media)),
        )
    )
    publer = [t.account for t in targets if t.account.route == SocialAccount.Route.PUBLER]
    if publer:
        prefetch_related_objects(publer, "client__publer")
    return {str(t.pk): t for t in targets}


def _held(target_id: str, token: str) -> QuerySet[PostTarget]:
    return PostTarget.objects.filter(pk=target_id, lease_owner=token)


def _let_go(claims: list[Claim]) -> None:
    """Give up claims reserved ahead of time that changed meanwhile (one UPDATE per token)."""
    for token, ids in _by_token(claims).items():
        PostTarget.objects.filter(pk__in=ids, lease_owner=token).update(lease_owner="", lease_until=None)


def _start_sending(sends: list[_Send]) -> set[UUID]:
    """The point of no return, for a whole group at once: only the lease holder may mark a target as
    being sent. Due targets (publishing) get ``phase`` "" → "sending"; targets reserved ahead of
    time are taken up in the same step (scheduled → publishing, one attempt) unless they were
    canceled, rescheduled or sent back for approval meanwhile (their status or time changed). One
    transaction, committed before any platform is called. Answers the ids of the targets started."""
    now = timezone.now()
    lease = now + timedelta(seconds=lease_seconds())
    started: set[UUID] = set()
    with transaction.atomic():
        for token, group in _sends_by_token(sends).items():
            eligible = Q(pk__in=[s.target.pk for s in group if s.target.status == T.PUBLISHING], status=T.PUBLISHING)
            at_time: dict[datetime | None, list[UUID]] = {}
            for send in group:
                if send.target.status == T.SCHEDULED:
                    at_time.setdefault(send.target.next_attempt_at, []).append(send.target.pk)
            for at, pks in at_time.items():
                eligible |= Q(pk__in=pks, status=T.SCHEDULED, next_attempt_at=at)
            ids = set(
                PostTarget.objects.filter(eligible, lease_owner=token, phase="")
                .order_by("pk")
                .select_for_update()
                .values_list("pk", flat=True)
            )
            due = [s.target.pk for s in group if s.target.pk in ids and s.target.status == T.PUBLISHING]
            reserved = [s.target.pk for s in group if s.target.pk in ids and s.target.status == T.SCHEDULED]
            sending = {"phase": "sending", "sent_at": now, "lease_until": lease}
            if due:
                PostTarget.objects.filter(pk__in=due).update(**sending)
            if reserved:
                PostTarget.objects.filter(pk__in=reserved).update(
                    status=T.PUBLISHING, attempts=F("attempts") + 1, **sending
                )
            started |= ids
    return started


def _sends_by_token(sends: list[_Send]) -> dict[str, list[_Send]]:
    groups: dict[str, list[_Send]] = {}
    for send in sends:
        groups.setdefault(send.claim.token, []).append(send)
    return groups


def _checkpointer(claim: Claim) -> Callable[[dict[str, Any]], None]:
    return lambda checkpoint: _save_checkpoint(claim.target_id, claim.token, checkpoint)


def _take_up(target: PostTarget, token: str) -> bool:
    """A target reserved ahead of its time (the dispatcher's lookahead) that cannot be sent: take it
    up at its time (publishing, one attempt) to fail it, unless it was canceled, rescheduled or sent
    back for approval meanwhile — those change its status or time, and then it is let go."""
    held = _held(str(target.pk), token)
    if held.filter(status=T.SCHEDULED, next_attempt_at=target.next_attempt_at).update(
        status=T.PUBLISHING, phase="", attempts=F("attempts") + 1,
        lease_until=timezone.now() + timedelta(seconds=lease_seconds()),
    ):  # fmt: skip
        target.status, target.attempts = T.PUBLISHING, target.attempts + 1
        return True
    held.update(lease_owner="", lease_until=None)
    return False


def _load(target_id: str) -> PostTarget | None:
    return _load_many([target_id]).get(str(target_id))


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


def _save_checkpoint(target_id: str, token: str, checkpoint: dict[str, Any]) -> None:
    """Store connector progress at once (one UPDATE, committed on its own) and extend the lease."""
    _held(target_id, token).update(
        checkpoint=checkpoint, lease_until=timezone.now() + timedelta(seconds=lease_seconds())
    )


def _concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a relation's reverse side, not a column")
    return field


def _succeed(target: PostTarget, token: str, result: PublishResult, allow_from: str = T.PUBLISHING) -> None:
    _succeed_many([(target, result)], allow_from=allow_from)


def _succeed_many(results: list[tuple[PostTarget, PublishResult]], allow_from: str = T.PUBLISHING) -> None:
    """Record targets that went out, in one transaction for all of them: the targets (one UPDATE
    per kind of result, the per-target values in CASE expressions), their activity and their posts'
    new status (``refresh_posts``). Success wins over a sweeper that already marked a target
    unconfirmed: it did go out."""
    now = timezone.now()
    with transaction.atomic():
        open_ = [allow_from, T.UNCONFIRMED, T.PUBLISHING]
        recorded = set(
            PostTarget.objects.filter(pk__in=[t.pk for t, _ in results], status__in=open_)
            .order_by("pk")
            .select_for_update()
            .values_list("pk", flat=True)
        )
        kinds: dict[str, list[tuple[PostTarget, PublishResult]]] = {}
        for target, result in results:
            if target.pk in recorded:
                kinds.setdefault(result.state if result.state in ("scheduled", "processing") else "", []).append(
                    (target, result)
                )
        events = []
        for state, group in kinds.items():
            fields: dict[str, Any] = {
                "phase": "", "lease_owner": "", "lease_until": None, "error_kind": "", "last_error": ""
            }  # fmt: skip
            if state == "scheduled":  # the platform (Publer) holds the schedule; its outcome is read back later
                fields.update(status=T.SCHEDULED, remote_state="scheduled")
            elif state == "processing":  # accepted, not live yet (e.g. Google Business Profile)
                fields.update(status=T.PUBLISHED, published_at=now, remote_state="processing")
            else:
                fields.update(status=T.PUBLISHED, published_at=now)
            values: tuple[tuple[str, Callable[[PublishResult], object]], ...] = (
                ("external_id", lambda r: r.external_id or ""),
                ("url", lambda r: r.url or ""),
                ("checkpoint", lambda r: r.checkpoint or {}),
            )
            for name, value_of in values:
                field = _concrete_field(PostTarget, name)
                whens = [When(pk=t.pk, then=Value(value_of(r), output_field=field)) for t, r in group]
                fields[name] = Case(*whens, output_field=field)
            PostTarget.objects.filter(pk__in=[t.pk for t, _ in group]).update(**fields)
            verb = "post.target_published" if fields["status"] == T.PUBLISHED else "post.target_scheduled_remotely"
            for target, result in group:
                if result.slow_down:
                    delivery.slow_down(target.account, result.slow_down, result.slow_down_scope)
                changes = {"account": str(target.account), "url": result.url or ""}
                events.append(activity_event(None, verb, target.post, changes))
        if events:
            posts = {t.post_id: t.post for t, _ in results if t.pk in recorded}
            refresh_posts(list(posts), with_events=events, posts=posts)


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
    return float(ceiling * random.uniform(0.5, 1.0))


def _fail(target: PostTarget, token: str, kind: str, message: str) -> None:
    _finish(target, token, T.FAILED, error_kind=kind, message=message)


def _finish(target: PostTarget, token: str, status: str, *, error_kind: str, message: str,
            next_attempt_at: datetime | None = None, attempts: int | None = None,
            allow_from: str = T.PUBLISHING) -> None:  # fmt: skip
    fields: dict[str, object] = {"status": status, "error_kind": error_kind, "last_error": message[:2000],
              "lease_owner": "", "lease_until": None, "next_attempt_at": next_attempt_at}  # fmt: skip
    if status != T.UNCONFIRMED:
        fields["phase"] = ""
    if attempts is not None:
        fields["attempts"] = attempts
    with transaction.atomic():
        changed = _held(str(target.pk), token).filter(status=allow_from).update(**fields)
        if changed and status == T.FAILED:
            record_event(None, "post.target_failed", target.post, {"account": str(target.account), "reason": message})
            refresh_post(target.post_id)


def refresh_post(post_id: UUID | str, with_events: list[ActivityEvent] | None = None) -> None:
    refresh_posts([post_id], with_events=with_events)


def refresh_posts(
    post_ids: Iterable[UUID | str],
    with_events: list[ActivityEvent] | None = None,
    posts: dict[UUID, Post] | None = None,
) -> None:
    """Settle posts' statuses from their targets once none is still open.

    The post rows are locked (in id order) BEFORE the targets are read: two workers finishing two
    targets of one post at once then settle one after the other, and the second sees both results.
    ``with_events``: unsaved activity events to write together with the posts' own (one INSERT).
    ``posts``: the Post objects already at hand, by id (for the events' labels). Four queries for
    any number of posts (one more for each other status they move to).
    """
    events = list(with_events or [])
    locked = dict(
        Post.objects.select_for_update().filter(pk__in=list(post_ids)).order_by("pk").values_list("pk", "status")
    )
    statuses: dict[UUID, list[str]] = {}
    for post_id, status in (
        PostTarget.objects.filter(post_id__in=list(locked)).order_by().values_list("post_id", "status")
    ):
        statuses.setdefault(post_id, []).append(status)
    moved: dict[str, list[UUID]] = {}
    for post_id, current in locked.items():
        outcome = states.post_outcome(statuses.get(post_id, []))
        if outcome is None or current == outcome or outcome not in states.POST_TRANSITIONS.get(current, set()):
            continue
        moved.setdefault(outcome, []).append(post_id)
    known = dict(posts or {})
    missing = [pk for ids in moved.values() for pk in ids if pk not in known]
    if missing:
        known.update(Post.objects.in_bulk(missing))
    now = timezone.now()
    for outcome, ids in moved.items():
        fields = {"status": outcome, "updated_at": now}
        if outcome in {P.PUBLISHED, P.PARTIALLY_PUBLISHED}:
            fields["published_at"] = Coalesce("published_at", Value(now))
        Post.objects.filter(pk__in=ids).update(**fields)
        for post_id in ids:
            post = known[post_id]
            events.append(activity_event(None, "post.status_changed", post, {"status": [locked[post_id], outcome]}))
            post.status = outcome
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
