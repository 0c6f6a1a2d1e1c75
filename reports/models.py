"""A client's monthly report (a branded PDF made in the background) and whether it is emailed."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models


def report_path(instance: Report, filename: str) -> str:
    # A random part: the path of one client's report never tells where another's is.
    return f"reports/{instance.client_id}/{instance.month:%Y-%m}-{uuid.uuid4().hex[:12]}.pdf"


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(help_text="The first day of the month reported on.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=80, blank=True)  # what the job is doing, as people read it
    file = models.FileField(upload_to=report_path, blank=True, max_length=300)
    size = models.PositiveIntegerField(default=0)  # bytes of the PDF
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email_owners = models.BooleanField(default=False)  # email it to the portal owners once ready
    emailed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["client", "month"], name="report_one_per_client_month")]

    def __str__(self) -> str:
        return f"{self.client} — {self.month:%B %Y}"

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def slug(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_final(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}

    @property
    def filename(self) -> str:
        return f"{self.client.slug}-report-{self.month:%Y-%m}.pdf"


class ReportSettings(models.Model):
    """Per client: email last month's report to the portal's owners on the first of each month."""

    client = models.OneToOneField("agency.Client", on_delete=models.CASCADE, related_name="report_settings")
    email_monthly = models.BooleanField(
        "email the monthly report", default=False,
        help_text="On the 1st of each month, email last month's PDF report to the client's portal owners.",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Report settings of {self.client}"


def month_start(day: date) -> date:
    return day.replace(day=1)
