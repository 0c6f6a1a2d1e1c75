"""Making a report in the background: claimed once, progress on the row, the PDF stored, the
``report.ready`` event in the activity trail, the email to the portal owners, the monthly round."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from agency.models import ActivityEvent
from localbzz import events
from reports import services
from reports.models import Report, ReportSettings
from reports.tests.conftest import MONTH

pytestmark = pytest.mark.django_db


def test_it_makes_the_pdf_in_the_background_and_says_so(
    month_of_results, owner, sync_tasks, django_capture_on_commit_callbacks
):
    heard: list[events.Event] = []
    events.listen(heard.append)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(client=month_of_results, month=MONTH, actor=owner)
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.progress == 100
    assert report.file.read(5) == b"%PDF-" and report.size == report.file.size
    trail = ActivityEvent.objects.get(verb="report.ready")
    assert trail.client_id == month_of_results.pk and trail.changes["month"] == "2026-10"
    assert "Month: 2026-10" in trail.summary and "Bytes: " in trail.summary and "KB" in trail.summary
    assert [e.type for e in heard if e.object_id == str(report.pk)] == ["report.ready"]


def test_a_job_claims_its_report_once(month_of_results):
    report = Report.objects.create(client=month_of_results, month=MONTH)
    assert services.report_generate(report_id=str(report.pk)) == "ready"
    assert services.report_generate(report_id=str(report.pk)) == "not queued"  # a duplicate delivery does nothing
    assert ActivityEvent.objects.filter(verb="report.ready").count() == 1


def test_asking_while_it_is_being_made_is_refused_until_the_job_is_stale(month_of_results):
    report = Report.objects.create(client=month_of_results, month=MONTH, status=Report.Status.RUNNING)
    with pytest.raises(services.ReportBusy, match="being made right now"):
        services.report_request(client=month_of_results, month=MONTH)
    Report.objects.filter(pk=report.pk).update(
        updated_at=timezone.now() - services.stale_after() - timedelta(seconds=1)
    )
    again = services.report_request(client=month_of_results, month=MONTH)
    assert again.pk == report.pk and again.status == Report.Status.QUEUED and again.progress == 0


def test_a_failure_is_recorded_with_a_message(month_of_results, monkeypatch):
    report = Report.objects.create(client=month_of_results, month=MONTH)
    monkeypatch.setattr(services, "MAX_PDF_BYTES", 1000)
    with pytest.raises(ValueError):
        services.report_generate(report_id=str(report.pk))
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "over the 0 MB" in report.error and not report.file


def test_it_emails_the_pdf_to_the_portal_owners_once(
    month_of_results, joe, sync_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(client=month_of_results, month=MONTH, email_owners=True)
    report.refresh_from_db()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["joe@joes.example"] and "October 2026" in message.subject
    name, content, mime = message.attachments[0]
    assert (
        name == "joes-landscaping-test-report-2026-10.pdf"
        and content.startswith(b"%PDF-")
        and mime == "application/pdf"
    )
    assert report.emailed_at is not None
    assert services.report_email(report_id=str(report.pk)) == "nothing to send"
    assert len(mail.outbox) == 1


def test_the_monthly_round_covers_clients_that_switched_it_on(month_of_results, client_b, joe, sync_tasks,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    ReportSettings.objects.create(client=month_of_results, email_monthly=True)
    ReportSettings.objects.create(client=client_b, email_monthly=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.monthly_reports(today=date(2026, 11, 1)) == 1
    assert list(Report.objects.values_list("client_id", "month", "status")) == [
        (month_of_results.pk, MONTH, Report.Status.READY)
    ]
    assert [m.to for m in mail.outbox] == [["joe@joes.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.monthly_reports(today=date(2026, 11, 1)) == 0  # run twice: nothing twice
    assert len(mail.outbox) == 1


def test_the_monthly_schedule_exists():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="reports.monthly_reports")
    assert schedule.func == "reports.tasks.monthly_reports" and schedule.schedule_type == Schedule.MONTHLY
    assert schedule.next_run.astimezone(timezone.get_current_timezone()).day == 1


def test_the_sweep_queues_again_only_reports_whose_job_went_silent(
    month_of_results, client_b, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_STALE_SECONDS = 60
    long_ago = timezone.now() - timedelta(seconds=61)
    silent = Report.objects.create(client=month_of_results, month=MONTH, status=Report.Status.RUNNING, progress=60)
    alive = Report.objects.create(client=month_of_results, month=date(2026, 9, 1), status=Report.Status.RUNNING)
    lost = Report.objects.create(client=client_b, month=MONTH)  # queued, its task lost
    done = Report.objects.create(client=client_b, month=date(2026, 9, 1), status=Report.Status.READY)
    Report.objects.filter(pk__in=[silent.pk, lost.pk, done.pk]).update(updated_at=long_ago)
    with django_capture_on_commit_callbacks() as queued:
        assert services.report_sweep() == 2
    assert len(queued) == 2  # one task each, enqueued at commit
    assert services.report_sweep() == 0  # queued again just now: not again
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {silent.pk: "queued", alive.pk: "running", lost.pk: "queued", done.pk: "ready"}
    assert Report.objects.get(pk=silent.pk).progress == 0


@pytest.mark.parametrize("stalls_in", ["layout", "saving"])
def test_a_run_taken_over_while_it_stalled_changes_nothing(month_of_results, settings, monkeypatch, stalls_in):
    """A run silent past the stale time is queued again by the sweep; when the stalled run wakes
    (in the layout, or with its PDF just stored), its writes are refused (they were conditional on
    its claim): no file kept, no event; the new run makes the report once."""
    report = Report.objects.create(client=month_of_results, month=MONTH)
    storage = report.file.storage

    def taken_for_dead():
        settings.REPORT_STALE_SECONDS = 0
        assert services.report_sweep() == 1

    if stalls_in == "layout":
        real_pdf = services.report_pdf
        monkeypatch.setattr(services, "report_pdf", lambda content: (taken_for_dead(), real_pdf(content))[1])
    else:
        real_save = storage.save
        monkeypatch.setattr(storage, "save", lambda *a, **k: (real_save(*a, **k), taken_for_dead())[0])
    assert services.report_generate(report_id=str(report.pk)) == "taken over"
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and not report.file
    assert not ActivityEvent.objects.filter(verb="report.ready").exists()
    folder = f"reports/{month_of_results.pk}"
    assert not storage.exists(folder) or storage.listdir(folder)[1] == []  # the stalled run's PDF is not kept
    monkeypatch.undo()
    assert services.report_generate(report_id=str(report.pk)) == "ready"
    assert ActivityEvent.objects.filter(verb="report.ready").count() == 1
    report.refresh_from_db()
    assert [f"{folder}/{name}" for name in storage.listdir(folder)[1]] == [report.file.name]
