"""django-q2 tasks of the reports app (enqueued with localbzz.queue.enqueue, after commit)."""

from __future__ import annotations

from reports import services


def report_generate(report_id: str) -> str:
    return services.report_generate(report_id=report_id)


def report_email(report_id: str) -> str:
    return services.report_email(report_id=report_id)


def monthly_reports() -> int:
    """Scheduled on the first of each month (migration 0002)."""
    return services.monthly_reports()
