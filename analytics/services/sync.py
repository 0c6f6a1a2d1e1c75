"""Reading figures from the platforms into TargetMetrics, MetricSnapshot and AccountMetrics.

Posts: a published target is synced on a ladder counted from its publishing time — 1 h, 6 h, 24 h,
3 d, 7 d, 28 d (``SYNC_LADDER_HOURS``) — then no more (a "Refresh now" still can). Each run
(``sync_due``, every five minutes on django-q2) takes what is due:

- enrolls newly published targets (a TargetMetrics row, due at 1 h);
- claims up to ``batch`` due rows by moving their ``next_sync_at`` a lease ahead in one conditional
  UPDATE (a concurrent run, or a crashed one, cannot take them twice; a crash leaves them due again
  when the lease ends: resumable);
- asks each account's connector once for all its due posts (X: 100 a call, LinkedIn and Google:
  20, Publer: one walk over the days), skipping paused accounts and platforms, like the publisher;
- writes the figures and one snapshot for the ladder step reached — a step passed while nothing
  ran (a late first sync) is not taken twice, and the (target, step) unique constraint makes a
  second snapshot for a step impossible.

A rate limit pauses the account (or platform) exactly as publishing does (``delivery.slow_down``)
and leaves its posts due when the pause ends; a dead token marks the account "needs reconnect".

Accounts (``sync_accounts``, hourly): each connected account once per day (its local day):
followers and the platform's extras, one AccountMetrics row per (account, day), updated in place.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from analytics.models import FIGURES, INTERACTIONS, SYNC_LADDER_HOURS, AccountMetrics, MetricSnapshot, TargetMetrics
from publishing import delivery
from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.insights import InsightsReader, PostInsights, PostRef
from publishing.models import PlatformPause, Post, PostMedia, PostTarget, SocialAccount
from publishing.states import TargetStatus

log = logging.getLogger("analytics.sync")

BATCH = 500
LEASE = timedelta(minutes=10)
RETRY_AFTER = timedelta(minutes=15)  # a temporary platform error
AUTH_RETRY_AFTER = timedelta(days=1)  # a dead token: the account must be reconnected first
MANUAL_STEP = -1  # the snapshot step of a "Refresh now"
REFRESH_COOLDOWN = timedelta(seconds=60)


@dataclass
class SyncReport:
    enrolled: int = 0
    synced: int = 0
    unavailable: int = 0  # rows with at least one figure unavailable
    missing: int = 0  # posts the platform no longer has
    paused: int = 0  # rows left for later: rate limits
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}


def step_at(published_at: datetime, moment: datetime) -> int:
    """The ladder step a sync at ``moment`` takes: the last one whose time has come (-1: none yet)."""
    age = moment - published_at
    step = -1
    for index, hours in enumerate(SYNC_LADDER_HOURS):
        if age >= timedelta(hours=hours):
            step = index
    return step


def next_sync(published_at: datetime, step_taken: int) -> datetime | None:
    following = step_taken + 1
    if following >= len(SYNC_LADDER_HOURS):
        return None
    return published_at + timedelta(hours=SYNC_LADDER_HOURS[following])


def engagements(figures: dict[str, int]) -> int | None:
    present = [figures[name] for name in INTERACTIONS if name in figures]
    return sum(present) if present else None


# Enrolling ----------------------------------------------------------------------------------------


def enroll(limit: int = 5000) -> int:
    """A TargetMetrics row for every published target that has none (due 1 h after publishing)."""
    fresh = list(
        PostTarget.objects.filter(status=TargetStatus.PUBLISHED, published_at__isnull=False, metrics__isnull=True)
        .exclude(external_id="")
        .values("pk", "post_id", "post__client_id", "account__platform", "published_at")[:limit]
    )
    rows = [
        TargetMetrics(
            target_id=t["pk"],
            post_id=t["post_id"],
            client_id=t["post__client_id"],
            platform=t["account__platform"],
            published_at=when,
            next_sync_at=when + timedelta(hours=SYNC_LADDER_HOURS[0]),
            sync_step=0,
        )
        for t in fresh
        if (when := t["published_at"]) is not None
    ]
    TargetMetrics.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# Posts --------------------------------------------------------------------------------------------


def _paused(now: datetime) -> Q:
    """Rows whose account (or platform) is paused by a rate limit, or cannot be read at all."""
    paused = Q(target__account__paused_until__gt=now) | ~Q(target__account__status=SocialAccount.Status.CONNECTED)
    platforms = list(PlatformPause.objects.filter(paused_until__gt=now).values_list("platform", flat=True))
    if platforms:
        direct = Q(target__account__route=SocialAccount.Route.DIRECT)
        paused |= direct & Q(target__account__platform__in=platforms)
        if "publer" in platforms:
            paused |= ~direct
    return paused


def claim_due(now: datetime, batch: int = BATCH) -> list[int]:
    """Take up to ``batch`` due rows: their ``next_sync_at`` moves a lease ahead, in one UPDATE
    that only succeeds for rows still due (so two runs never take the same row)."""
    with transaction.atomic():
        ids = list(
            TargetMetrics.objects.filter(next_sync_at__lte=now)
            .exclude(_paused(now))
            .order_by("next_sync_at")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return []
        taken = list(
            TargetMetrics.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, next_sync_at__lte=now)
            .values_list("pk", flat=True)
        )
        TargetMetrics.objects.filter(pk__in=taken).update(next_sync_at=now + LEASE)
    return taken


def sync_due(*, now: datetime | None = None, batch: int = BATCH, budget: float | None = None) -> SyncReport:
    """One scheduled run: enroll, claim what is due, read it from the platforms, record it — batch
    after batch while rows are due and the run's time budget (ANALYTICS_SYNC_SECONDS, default 120 s,
    under the worker's timeout) lasts, so a backlog (a deploy, a long outage) drains quickly."""
    fixed = now
    budget = budget if budget is not None else float(getattr(settings, "ANALYTICS_SYNC_SECONDS", 120))
    started = time.monotonic()
    report = SyncReport()
    while True:
        moment = fixed or timezone.now()
        report.enrolled += enroll()
        ids = claim_due(moment, batch)
        if ids:
            sync_rows(list(TargetMetrics.objects.filter(pk__in=ids)), now=moment, report=report, manual=False)
        if len(ids) < batch or time.monotonic() - started > budget:
            return report


def refresh_post(post: Post, *, now: datetime | None = None) -> SyncReport:
    """ "Refresh now" for one post: every published target read at once, a manual snapshot each
    (ladder steps are not used up). Refused within a minute of the last sync, and for accounts a
    platform asked us to leave alone for now (rate limit) or that need reconnecting (RefreshTooSoon)."""
    now = now or timezone.now()
    report = SyncReport(enrolled=enroll_post(post))
    everything = TargetMetrics.objects.filter(post=post)
    rows = list(everything.exclude(_paused(now)))
    recent = [r.synced_at for r in rows if r.synced_at and now - r.synced_at < REFRESH_COOLDOWN]
    if recent:
        wait = int((REFRESH_COOLDOWN - (now - max(recent))).total_seconds()) + 1
        raise RefreshTooSoon(f"The figures were read less than a minute ago; try again in {wait} s.")
    if not rows and everything.exists():
        raise RefreshTooSoon(
            "The platform asked us to wait (rate limit) or the account needs reconnecting: the figures are "
            "read as soon as it may be."
        )
    if rows:
        sync_rows(rows, now=now, report=report, manual=True)
    return report


class RefreshTooSoon(Exception):
    pass


def enroll_post(post: Post) -> int:
    """Rows for a post's published targets that have none yet (a "Refresh now" right after publishing)."""
    targets = (
        PostTarget.objects.filter(post=post, status=TargetStatus.PUBLISHED, published_at__isnull=False)
        .exclude(external_id="")
        .filter(metrics__isnull=True)
        .select_related("account")
    )
    rows = []
    for t in targets:
        if t.published_at is None:  # excluded by the filter; says so to the type checker
            continue
        rows.append(
            TargetMetrics(
                target=t,
                post=post,
                client_id=post.client_id,
                platform=t.account.platform,
                published_at=t.published_at,
                next_sync_at=t.published_at + timedelta(hours=SYNC_LADDER_HOURS[0]),
            )
        )
    TargetMetrics.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def sync_rows(rows: list[TargetMetrics], *, now: datetime, report: SyncReport, manual: bool) -> None:
    loaded = {
        t.pk: t
        for t in PostTarget.objects.filter(pk__in=[r.target_id for r in rows]).select_related(
            "account", "account__client", "account__client__publer", "post"
        )
    }
    videos = set(
        PostMedia.objects.filter(post_id__in={t.post_id for t in loaded.values()}, asset__kind="video").values_list(
            "post_id", flat=True
        )
    )
    by_account: dict[Any, list[TargetMetrics]] = defaultdict(list)
    for row in rows:
        if row.target_id in loaded:
            by_account[loaded[row.target_id].account_id].append(row)
    for group in by_account.values():
        account = loaded[group[0].target_id].account
        refs = {
            row.target_id: PostRef(
                external_id=loaded[row.target_id].external_id,
                published_at=row.published_at,
                placement=loaded[row.target_id].post.placement,
                video=loaded[row.target_id].post_id in videos,
            )
            for row in group
        }
        try:
            credentials = delivery.account_credentials(account)
            reader: InsightsReader = delivery.connector_for(account)
            answers = reader.post_insights(credentials, list(refs.values()))
        except delivery.NotDeliverable as problem:
            _failed(group, str(problem), now + AUTH_RETRY_AFTER, report)
            continue
        except PlatformError as error:
            _platform_error(account, group, error, now, report)
            continue
        with transaction.atomic():
            for row in group:
                answer = answers.get(refs[row.target_id].external_id)
                _record(row, answer, now=now, manual=manual, report=report)


def _record(
    row: TargetMetrics, answer: PostInsights | None, *, now: datetime, manual: bool, report: SyncReport
) -> None:
    step = MANUAL_STEP if manual else step_at(row.published_at, now)
    if answer is None or answer.missing:
        row.last_error = (answer.missing if answer else "The platform did not answer for this post.")[:500]
        row.next_sync_at = None if (answer and answer.missing) else now + RETRY_AFTER
        row.synced_at = now
        row.save(update_fields=["last_error", "next_sync_at", "synced_at"])
        report.missing += 1
        return
    figures = dict(answer.figures)
    values: dict[str, int | None] = {name: figures.get(name) for name in FIGURES if name != "engagements"}
    values["engagements"] = engagements(figures)
    for name, value in values.items():
        setattr(row, name, value)
    row.raw = answer.raw
    row.unavailable = answer.unavailable
    row.synced_at = now
    row.last_error = ""
    written = [*FIGURES, "raw", "unavailable", "synced_at", "last_error"]
    if not manual:  # the ladder moves on; a manual refresh leaves it where it is
        step = max(step, row.sync_step)
        row.sync_step = step + 1
        row.next_sync_at = next_sync(row.published_at, step)
        written += ["sync_step", "next_sync_at"]
    row.save(update_fields=written)
    MetricSnapshot.objects.bulk_create(
        [MetricSnapshot(target_id=row.target_id, taken_at=now, step=step, **values)], ignore_conflicts=True
    )
    report.synced += 1
    if answer.unavailable:
        report.unavailable += 1


def _failed(group: list[TargetMetrics], message: str, retry_at: datetime | None, report: SyncReport) -> None:
    TargetMetrics.objects.filter(pk__in=[r.pk for r in group]).update(last_error=message[:500], next_sync_at=retry_at)
    report.failed += len(group)
    report.errors.append(message)


def _platform_error(
    account: SocialAccount, group: list[TargetMetrics], error: PlatformError, now: datetime, report: SyncReport
) -> None:
    if error.kind == ErrorKind.RATE_LIMITED:
        wait = error.retry_after or 60
        delivery.slow_down(account, wait, error.scope)
        TargetMetrics.objects.filter(pk__in=[r.pk for r in group]).update(
            next_sync_at=now + timedelta(seconds=wait), last_error=f"Rate limited: {error.message}"[:500]
        )
        report.paused += len(group)
        return
    if error.kind == ErrorKind.AUTH_EXPIRED:
        delivery.mark_needs_reconnect(account, error.message)
        _failed(group, error.message, now + AUTH_RETRY_AFTER, report)
        return
    if error.kind == ErrorKind.REJECTED:  # a refusal we cannot classify: do not ask again and again
        for row in group:
            nxt = next_sync(row.published_at, max(step_at(row.published_at, now), row.sync_step))
            TargetMetrics.objects.filter(pk=row.pk).update(last_error=error.message[:500], next_sync_at=nxt)
        report.failed += len(group)
        report.errors.append(error.message)
        return
    _failed(group, error.message, now + RETRY_AFTER, report)


# Accounts -----------------------------------------------------------------------------------------


def _local_day(account: SocialAccount, now: datetime) -> date:
    return now.astimezone(account.tz).date()


def sync_accounts(*, now: datetime | None = None, batch: int = 200) -> SyncReport:
    """Each connected, unpaused account whose local day has no figures yet (once a day)."""
    now = now or timezone.now()
    report = SyncReport()
    paused = list(PlatformPause.objects.filter(paused_until__gt=now).values_list("platform", flat=True))
    accounts = (
        SocialAccount.objects.filter(status=SocialAccount.Status.CONNECTED)
        .exclude(paused_until__gt=now)
        .exclude(token_encrypted="", route=SocialAccount.Route.DIRECT)
        .select_related("client", "client__publer")
        .order_by("pk")
    )
    done = set(
        AccountMetrics.objects.filter(day__gte=(now - timedelta(days=1)).date()).values_list("account_id", "day")
    )
    taken = 0
    for account in accounts.iterator(chunk_size=500):
        if taken >= batch:
            break
        platform = "publer" if account.route == SocialAccount.Route.PUBLER else account.platform
        day = _local_day(account, now)
        if platform in paused or (account.pk, day) in done:
            continue
        taken += 1
        sync_account(account, now=now, report=report)
    return report


def sync_account(account: SocialAccount, *, now: datetime | None = None, report: SyncReport | None = None) -> None:
    now = now or timezone.now()
    report = report if report is not None else SyncReport()
    try:
        credentials = delivery.account_credentials(account)
        reader: InsightsReader = delivery.connector_for(account)
        answer = reader.account_insights(credentials)
    except delivery.NotDeliverable as problem:
        report.failed += 1
        report.errors.append(str(problem))
        return
    except PlatformError as error:
        report.failed += 1
        report.errors.append(error.message)
        if error.kind == ErrorKind.RATE_LIMITED:
            delivery.slow_down(account, error.retry_after or 60, error.scope)
        elif error.kind == ErrorKind.AUTH_EXPIRED:
            delivery.mark_needs_reconnect(account, error.message)
        return
    day = _local_day(account, now)
    with transaction.atomic():
        for past, extras in answer.daily.items():
            if past != day:
                row, _ = AccountMetrics.objects.get_or_create(
                    account=account,
                    day=past,
                    defaults={"client_id": account.client_id, "platform": account.platform},
                )
                row.extras = {**row.extras, **extras}
                row.save(update_fields=["extras", "synced_at"])
        AccountMetrics.objects.update_or_create(
            account=account,
            day=day,
            defaults={
                "client_id": account.client_id,
                "platform": account.platform,
                "followers": answer.followers,
                # Daily figures belong to their own days (written above); others to today.
                "extras": answer.daily.get(day, {}) if answer.daily else answer.extras,
                "unavailable": answer.unavailable,
            },
        )
    report.synced += 1
    if answer.unavailable:
        report.unavailable += 1
