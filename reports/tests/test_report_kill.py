"""A real django-q2 cluster SIGKILLed (its whole process group) while it lays out a monthly report
of 500 posts: nothing half-made is served, and once a new cluster runs, its scheduler's report
sweep queues the silent report again and it ends ready exactly once — one Report row, one whole
PDF file and no other, one ``report.ready`` in the activity trail and one webhook delivery of it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from agency.models import ActivityEvent
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks.endpoints import new_secret
from publishing.tests.test_guarantees import wait_until
from publishing.tests.test_media_kill import _kill, _start
from reports import services
from reports.models import Report
from reports.tests.conftest import MONTH
from reports.tests.factories import seed_month
from reports.tests.test_pages import signed_in

pytestmark = [pytest.mark.slow, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
STALE_SECONDS = 2  # the new cluster's REPORT_STALE_SECONDS: the killed job's heartbeat is older at once


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("The kill tests run real processes on PostgreSQL.")


def _cluster(**env):
    return _start([sys.executable, "manage.py", "qcluster"], **env)


def _stored(client_id) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "reports" / str(client_id)
    return sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in folder.glob("*")) if folder.exists() else []


def test_a_cluster_killed_mid_report_leaves_it_ready_exactly_once(client, editor, client_a):
    seed_month(client_a, MONTH, posts=500, images=6)  # seconds of PDF layout (bench/report_pdf.py)
    hook = WebhookEndpoint(url="https://hooks.example.com/localbzz", events=["report.ready"])
    hook.secret = new_secret()
    hook.save()
    # The sweep's schedule (migration 0003; a transactional test's flush may have emptied the table).
    Schedule.objects.update_or_create(
        name="reports.report_sweep",
        defaults={"func": "reports.tasks.report_sweep", "schedule_type": "I", "minutes": 1, "repeats": -1,
                  "next_run": timezone.now()},
    )  # fmt: skip
    report = services.report_request(client=client_a, month=MONTH, actor=editor)  # enqueued at commit

    first = _cluster()
    try:
        laying_out = wait_until(
            lambda: Report.objects.filter(pk=report.pk, status="running", progress=60).exists(), timeout=90, every=0.05
        )
        assert laying_out, "the cluster never reached the PDF layout"
    finally:
        _kill(first)  # SIGKILL to the master, sentinel, pusher, monitor and worker alike
    report.refresh_from_db()
    assert (report.status, report.progress, report.step) == ("running", 60, "Laying out the PDF"), (
        "the report was finished before the kill: nothing was killed mid-way"
    )
    assert not report.file and _stored(client_a.pk) == []
    signed_in(client, editor)
    download = reverse("report-download", args=[client_a.pk, "2026-10"])
    assert client.get(download).status_code == 404  # nothing half-made is served

    time.sleep(STALE_SECONDS + 0.5)  # the dead job's heartbeat is now stale
    second = _cluster(REPORT_STALE_SECONDS=str(STALE_SECONDS))
    try:
        assert wait_until(lambda: Report.objects.get(pk=report.pk).status == "ready", timeout=120), (
            Report.objects.values("status", "progress", "step", "error").get(pk=report.pk)
        )
        time.sleep(3)  # another sweep or a late duplicate delivery would show now
    finally:
        _kill(second)

    report.refresh_from_db()
    assert Report.objects.filter(client=client_a, month=MONTH).count() == 1
    assert (report.status, report.progress, report.error) == ("ready", 100, "")
    assert _stored(client_a.pk) == [report.file.name]  # the whole file, and no leftover of the killed run
    pdf = report.file.read()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) == report.size
    assert ActivityEvent.objects.filter(verb="report.ready", target_id=str(report.pk)).count() == 1
    assert WebhookDelivery.objects.filter(endpoint=hook, event_type="report.ready").count() == 1
    served = client.get(download)
    assert served.status_code == 200 and b"".join(served.streaming_content) == pdf
