"""Reads of reports: always through the client (staff pass the client of the page, the portal and the
client API the signed-in person's own)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from agency.models import Client
from reports.models import Report, ReportSettings

REPORTS_SHOWN = 24  # two years of months on a page


def reports(*, client: Client) -> QuerySet[Report]:
    return Report.objects.filter(client=client).select_related("client").order_by("-month")


def report_for(*, client: Client, month: date) -> Report | None:
    return reports(client=client).filter(month=month.replace(day=1)).first()


def ready_report(*, client: Client, month: date) -> Report | None:
    """The client's report for ``month`` when its PDF is there to download."""
    report = report_for(client=client, month=month)
    return report if report is not None and report.status == Report.Status.READY and report.file else None


def settings_for(client: Client) -> ReportSettings:
    """The client's report settings (unsaved defaults when never changed)."""
    found = ReportSettings.objects.filter(client=client).first()
    return found or ReportSettings(client=client)


def clients_emailed_monthly() -> QuerySet[Client]:
    return Client.objects.filter(report_settings__email_monthly=True, status=Client.Status.ACTIVE).order_by("name")
