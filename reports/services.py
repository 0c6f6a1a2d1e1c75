"""Writes of reports: ask for a report, make it (a django-q2 job, with progress), email it, and the
monthly round on the first of each month.

A report is one row per client and month. Asking again makes it again (figures grow as the sync
goes on); a job claims its row atomically (queued → running, stamping ``started_at``), so two workers
never make the same report. A running job's progress writes are its heartbeat (``updated_at``); a row
queued or running without one for ``REPORT_STALE_SECONDS`` (its worker killed, its task lost) is
queued again by ``report_sweep`` (every minute) or by the next ask. Every write of a run is
conditional on its claim (``started_at``), so a run that was taken over (stalled, not dead) changes
nothing when it wakes: the report is made ready, and ``report.ready`` fired, once per claim.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from agency.models import Client
from agency.services.activity import record_event
from agency.types import Actor, acting_user
from localbzz.app_urls import portal_url
from localbzz.outbox import Attachment, send_email
from localbzz.queue import enqueue
from reports import selectors
from reports.content import report_content
from reports.figures import previous_month
from reports.models import Report, ReportSettings
from reports.pdf import report_pdf

log = logging.getLogger(__name__)

GENERATE_TASK = "reports.tasks.report_generate"
MAX_PDF_BYTES = 5 * 1024 * 1024


class ReportBusy(Exception):
    """The report is being made right now: wait for it."""


class TakenOver(Exception):
    """This run's claim is gone: the report was queued again (the run was taken for dead)."""


def stale_after() -> timedelta:
    return timedelta(seconds=settings.REPORT_STALE_SECONDS)


def _mine(report: Report) -> QuerySet[Report]:
    """The row while this run's claim holds: still running, and claimed at this run's ``started_at``."""
    return Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING, started_at=report.started_at)


def _set(report: Report, *, progress: int, step: str) -> None:
    """Progress a person can watch (the page polls it) and the run's heartbeat; written on its own,
    outside any transaction. Raises TakenOver when the claim is gone."""
    if not _mine(report).update(progress=progress, step=step, updated_at=timezone.now()):
        raise TakenOver(str(report.pk))


@transaction.atomic
def report_request(*, client: Client, month: date, actor: Actor = None, email_owners: bool = False) -> Report:
    """Ask for ``client``'s report of ``month``: (re)made in the background, after commit.

    Raises ReportBusy while a job is making it; a job silent for REPORT_STALE_SECONDS is taken over.
    """
    month = month.replace(day=1)
    requester = acting_user(actor)
    report, created = Report.objects.select_for_update().get_or_create(
        client=client, month=month, defaults={"requested_by": requester}
    )
    if not created:
        running = report.status in {Report.Status.QUEUED, Report.Status.RUNNING}
        fresh = timezone.now() - report.updated_at < stale_after()
        if running and fresh:
            if email_owners and not report.email_owners:
                report.email_owners = True
                report.save(update_fields=["email_owners", "updated_at"])
            raise ReportBusy(f"The {report.label} report is being made right now: it will be ready in a moment.")
        report.status, report.progress, report.step, report.error = Report.Status.QUEUED, 0, "Waiting to start", ""
        report.requested_by = requester or report.requested_by
        report.email_owners = email_owners
        report.save()
    else:
        report.step, report.email_owners = "Waiting to start", email_owners
        report.save(update_fields=["step", "email_owners"])
    enqueue(GENERATE_TASK, str(report.pk), group="reports")
    return report


def report_generate(*, report_id: str) -> str:
    """Make the PDF of a queued report (the django-q2 job). Answers what happened; a failure is
    recorded on the row with a message a person can act on, and re-raised for django-q2 to log."""
    claimed_at = timezone.now()
    claimed = Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(
        status=Report.Status.RUNNING, progress=5, step="Reading the month's figures", started_at=claimed_at,
        updated_at=claimed_at,
    )  # fmt: skip
    if not claimed:
        return "not queued"
    report = Report.objects.select_related("client").get(pk=report_id)
    report.started_at = claimed_at  # the claim every later write is conditional on
    began = time.monotonic()
    storage, stored = report.file.storage, ""
    try:
        content = report_content(report.client, report.month)
        _set(report, progress=45, step="Drawing the charts and pictures")
        _set(report, progress=60, step="Laying out the PDF")
        pdf = report_pdf(content)
        if len(pdf) > MAX_PDF_BYTES:
            raise ValueError(
                f"The PDF came out at {len(pdf) / 1_048_576:.1f} MB, over the {MAX_PDF_BYTES // 1_048_576} MB an email "
                "can carry: shrink the client's logo or the top posts' pictures and make it again."
            )
        _set(report, progress=90, step="Saving")
        old = report.file.name if report.file else ""
        # A new file under a new random name: the row points at it only once it is whole (below).
        stored = storage.save(report.file.field.generate_filename(report, report.filename), ContentFile(pdf))
        with transaction.atomic():
            if not _mine(report).update(
                status=Report.Status.READY, progress=100, step="", file=stored, size=len(pdf),
                finished_at=timezone.now(), updated_at=timezone.now(),
            ):  # fmt: skip
                raise TakenOver(str(report.pk))
            report.refresh_from_db()
            record_event(
                None, "report.ready", report, {"month": report.slug, "bytes": len(pdf)}, by=settings.AGENCY_NAME
            )
            if report.email_owners:
                enqueue("reports.tasks.report_email", str(report.pk), group="reports")
    except TakenOver:
        if stored:
            storage.delete(stored)
        log.warning(
            "Report %s: this run was taken over (it stalled past the stale time); its work is dropped", report_id
        )
        return "taken over"
    except Exception as exc:
        if stored:
            storage.delete(stored)
        _mine(report).update(
            status=Report.Status.FAILED, step="", finished_at=timezone.now(), updated_at=timezone.now(),
            error=str(exc)[:500] if isinstance(exc, ValueError) else
            "The report could not be made (an internal error, logged for the team): try again in a few minutes.",
        )  # fmt: skip
        raise
    if old and old != stored:
        storage.delete(old)
    log.info("Report %s made in %.2f s (%d bytes)", report.pk, time.monotonic() - began, len(pdf))
    return "ready"


def report_sweep() -> int:
    """Every minute (django-q2 schedule): queue again each report whose job went silent — queued or
    running with no heartbeat for REPORT_STALE_SECONDS (its worker was killed, or its task lost).
    Answers how many. Each is re-queued with a conditional update, so a sweep and an ask, or two
    sweeps, never queue one twice."""
    stale = timezone.now() - stale_after()
    requeued = 0
    for pk in Report.objects.filter(
        status__in=[Report.Status.QUEUED, Report.Status.RUNNING], updated_at__lt=stale
    ).values_list("pk", flat=True):
        with transaction.atomic():
            if Report.objects.filter(
                pk=pk, status__in=[Report.Status.QUEUED, Report.Status.RUNNING], updated_at__lt=stale
            ).update(
                status=Report.Status.QUEUED, progress=0, step="Waiting to start (again)", updated_at=timezone.now()
            ):
                enqueue(GENERATE_TASK, str(pk), group="reports")
                requeued += 1
    if requeued:
        log.warning("Report sweep: %d report(s) whose job went silent queued again", requeued)
    return requeued


def portal_owner_emails(client: Client) -> list[str]:
    """The addresses of the client's portal owners (active people only)."""
    owners = (
        get_user_model()
        .objects.filter(client_user__client=client, client_user__role="owner", is_active=True)
        .exclude(Q(email="") | Q(email__isnull=True))
    )
    return sorted(owners.values_list("email", flat=True))


def report_email(*, report_id: str) -> str:
    """Email a ready report to the client's portal owners, once (the one function that sends it).

    It leaves through ``localbzz.outbox`` like every email (kind ``monthly_report``); when the mail
    server refuses it, it stays unsent (``emailed_at`` empty) and the next ask sends it."""
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("client").filter(pk=report_id).first()
        if report is None or report.status != Report.Status.READY or report.emailed_at is not None:
            return "nothing to send"
        to = portal_owner_emails(report.client)
        if not to:
            return "no portal owners"
        client = report.client
        body = (
            f"Hello,\n\nYour {report.label} report from {settings.AGENCY_NAME} is attached: what your posts "
            f"achieved, your best posts and what is scheduled next.\n\nYou can also download it any time from "
            f"your portal: {portal_url(client.slug, '/results/')}\n\n— {settings.AGENCY_NAME}\n"
        )
        with report.file.open("rb") as handle:
            pdf = Attachment(report.filename, handle.read(), "application/pdf")
        subject = f"{client.name}: your {report.label} report"
        if not send_email(kind="monthly_report", to=to, subject=subject, text=body, attachments=[pdf]):
            return "not sent: the mail server refused it"
        report.emailed_at = timezone.now()
        report.save(update_fields=["emailed_at", "updated_at"])
    return "sent"


def report_settings_save(*, client: Client, email_monthly: bool, actor: Actor = None) -> ReportSettings:
    found, _ = ReportSettings.objects.update_or_create(client=client, defaults={"email_monthly": email_monthly})
    record_event(actor, "client.report_settings_changed", client, {"email_monthly": email_monthly})
    return found


def monthly_reports(*, today: date | None = None) -> int:
    """On the first of each month (django-q2 schedule): last month's report for every active client
    with the monthly email switched on, emailed to its portal owners once ready. Idempotent: a
    report already emailed is not made or sent again. Answers how many were asked for."""
    today = today or timezone.localdate()
    month = previous_month(today)
    asked = 0
    for client in selectors.clients_emailed_monthly():
        existing = selectors.report_for(client=client, month=month)
        if existing is not None and existing.emailed_at is not None:
            continue
        try:
            report_request(client=client, month=month, email_owners=True)
        except ReportBusy:
            continue  # being made, and now marked to be emailed when ready
        asked += 1
    return asked
