"""Writes of reports: ask for a report, make it (a django-q2 job, with progress), email it, and the
monthly round on the first of each month.

A report is one row per client and month. Asking again makes it again (figures grow as the sync
goes on); a job claims its row atomically (queued → running), so two workers never make the same
report, and a job that died mid-way (its row "running" for longer than ``STALE_AFTER``) can be asked
for again.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
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
STALE_AFTER = timedelta(minutes=10)
MAX_PDF_BYTES = 5 * 1024 * 1024


class ReportBusy(Exception):
    """The report is being made right now: wait for it."""


def _set(report: Report, *, progress: int, step: str) -> None:
    """Progress a person can watch (the page polls it); written on its own, outside any transaction."""
    Report.objects.filter(pk=report.pk).update(progress=progress, step=step, updated_at=timezone.now())


@transaction.atomic
def report_request(*, client: Client, month: date, actor: Actor = None, email_owners: bool = False) -> Report:
    """Ask for ``client``'s report of ``month``: (re)made in the background, after commit.

    Raises ReportBusy while a job is making it; a job stuck longer than STALE_AFTER is taken over.
    """
    month = month.replace(day=1)
    requester = acting_user(actor)
    report, created = Report.objects.select_for_update().get_or_create(
        client=client, month=month, defaults={"requested_by": requester}
    )
    if not created:
        running = report.status in {Report.Status.QUEUED, Report.Status.RUNNING}
        fresh = timezone.now() - report.updated_at < STALE_AFTER
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
    claimed = Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(
        status=Report.Status.RUNNING, progress=5, step="Reading the month's figures", started_at=timezone.now(),
        updated_at=timezone.now(),
    )  # fmt: skip
    if not claimed:
        return "not queued"
    report = Report.objects.select_related("client").get(pk=report_id)
    began = time.monotonic()
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
        report.file.save(report.filename, ContentFile(pdf), save=False)
    except Exception as exc:
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, step="", finished_at=timezone.now(), updated_at=timezone.now(),
            error=str(exc)[:500] if isinstance(exc, ValueError) else
            "The report could not be made (an internal error, logged for the team): try again in a few minutes.",
        )  # fmt: skip
        raise
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.READY, progress=100, step="", file=report.file.name, size=len(pdf),
            finished_at=timezone.now(), updated_at=timezone.now(),
        )  # fmt: skip
        report.refresh_from_db()
        record_event(None, "report.ready", report, {"month": report.slug, "bytes": len(pdf)}, by=settings.AGENCY_NAME)
        if report.email_owners:
            enqueue("reports.tasks.report_email", str(report.pk), group="reports")
    if old and old != report.file.name:
        default_storage.delete(old)
    log.info("Report %s made in %.2f s (%d bytes)", report.pk, time.monotonic() - began, len(pdf))
    return "ready"


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
