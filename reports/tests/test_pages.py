"""The staff pages of results and reports: what they show, who may use them, how many queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from analytics.selectors import client_analytics
from reports.models import Report, ReportSettings
from reports.services import report_generate
from reports.tests.conftest import MONTH

pytestmark = pytest.mark.django_db
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_agency_page_ranks_clients_by_engagement(client, viewer, month_of_results, django_assert_num_queries):
    signed_in(client, viewer)
    with django_assert_num_queries(10):  # totals, clients and previous figures in one query; session kept
        response = client.get("/analytics/", OCTOBER)
    assert response.status_code == 200
    page = response.content.decode()
    a = client_analytics(client=month_of_results, start=MONTH, end=MONTH.replace(day=31))
    assert "Joe&#x27;s Landscaping" in page and f"{a.totals['engagements']:,}" in page
    assert 'role="img"' in page and "<title" in page and 'class="chart-table sr-only"' in page  # charts, with numbers
    assert "Posts by platform" in page and "What grew" in page


def test_the_agency_page_answers_its_results_alone_to_htmx(client, viewer, month_of_results):
    response = signed_in(client, viewer).get(
        "/analytics/", {**OCTOBER, "platform": "instagram"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and "Instagram only" in page


def test_a_bad_period_is_explained_and_the_default_shown(client, viewer):
    response = signed_in(client, viewer).get("/analytics/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 200
    assert "The period ends before it starts" in response.content.decode()


def test_the_agency_csv_has_a_row_per_client(client, viewer, month_of_results):
    response = signed_in(client, viewer).get("/analytics/", {**OCTOBER, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    a = client_analytics(client=month_of_results, start=MONTH, end=MONTH.replace(day=31))
    assert rows[0][:4] == ["client", "posts", "impressions", "engagements"]
    assert rows[1][:4] == ["Joe's Landscaping", "40", str(a.totals["impressions"]), str(a.totals["engagements"])]


def test_people_who_are_not_staff_get_nothing(client, outsider, month_of_results):
    assert client.get("/analytics/").status_code == 302  # to the sign-in
    assert signed_in(client, outsider).get("/analytics/").status_code == 403
    panel = reverse("client-panel-analytics", args=[month_of_results.pk])
    assert client.get(panel).status_code == 403


def test_the_client_tab_shows_the_clients_results(client, viewer, month_of_results, django_assert_max_num_queries):
    signed_in(client, viewer)
    assert "Analytics" in client.get(f"/clients/{month_of_results.pk}/").content.decode()  # the tab
    with django_assert_max_num_queries(19):  # fixed: nothing per post, per day or per account
        response = client.get(reverse("client-panel-analytics", args=[month_of_results.pk]), OCTOBER)
    page = response.content.decode()
    a = client_analytics(client=month_of_results, start=MONTH, end=MONTH.replace(day=31))
    for key in ("impressions", "reach", "engagements"):
        assert f"{a.totals[key]:,}" in page
    assert "Best days and hours" in page and "Top posts" in page and "Monthly reports" in page
    assert "Make the PDF report" not in page  # a viewer cannot make one


def test_the_client_csv_has_a_row_per_day(client, viewer, month_of_results):
    url = reverse("client-panel-analytics", args=[month_of_results.pk])
    response = signed_in(client, viewer).get(url, {**OCTOBER, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0] == ["day", "posts", "impressions", "engagements"] and len(rows) == 32
    assert sum(int(r[1]) for r in rows[1:]) == 40


def test_an_editor_makes_a_report_and_watches_it(client, editor, month_of_results, django_capture_on_commit_callbacks):
    signed_in(client, editor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("report-make", args=[month_of_results.pk]), {"month": "2026-10"})
    assert response.status_code == 200 and "Waiting to start" in response.content.decode()
    report = Report.objects.get(client=month_of_results)
    progress = client.get(reverse("report-progress", args=[month_of_results.pk, "2026-10"])).content.decode()
    assert 'hx-trigger="every 1s"' in progress and "<progress" in progress
    report_generate(report_id=str(report.pk))
    done = client.get(reverse("report-progress", args=[month_of_results.pk, "2026-10"])).content.decode()
    assert "every 1s" not in done and reverse("report-download", args=[month_of_results.pk, "2026-10"]) in done
    pdf = client.get(reverse("report-download", args=[month_of_results.pk, "2026-10"]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(("month", "message"), [("2099-01", "has not started yet"), ("Oct", "Pick a month as YYYY-MM")])
def test_a_month_that_cannot_be_reported_is_refused(client, editor, month_of_results, month, message):
    response = signed_in(client, editor).post(reverse("report-make", args=[month_of_results.pk]), {"month": month})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Report.objects.exists()


def test_a_viewer_cannot_make_reports_or_change_the_email(client, viewer, month_of_results):
    signed_in(client, viewer)
    assert client.post(reverse("report-make", args=[month_of_results.pk]), {"month": "2026-10"}).status_code == 403
    url = reverse("report-settings", args=[month_of_results.pk])
    assert client.post(url, {"email_monthly": "on"}).status_code == 403
    assert not ReportSettings.objects.exists()


def test_an_admin_switches_the_monthly_email(client, admin_user, month_of_results):
    signed_in(client, admin_user)
    url = reverse("report-settings", args=[month_of_results.pk])
    assert "will be emailed on the 1st" in client.post(url, {"email_monthly": "on"}).content.decode()
    assert ReportSettings.objects.get(client=month_of_results).email_monthly
    client.post(url, {})
    assert not ReportSettings.objects.get(client=month_of_results).email_monthly


def test_a_report_not_made_is_not_found(client, viewer, month_of_results):
    url = reverse("report-download", args=[month_of_results.pk, "2026-10"])
    assert signed_in(client, viewer).get(url).status_code == 404


def test_the_post_page_loads_the_posts_figures(client, viewer, month_of_results):
    post = month_of_results.posts.filter(status="published").first()
    signed_in(client, viewer)
    page = client.get(reverse("post-detail", args=[post.pk])).content.decode()
    assert reverse("post-metrics", args=[post.pk]) in page
    panel = client.get(reverse("post-metrics", args=[post.pk])).content.decode()
    metrics = post.targets.get().metrics
    assert f"{metrics.impressions:,}" in panel and "Refresh now" in panel


def test_refresh_now_asks_a_worker(client, editor, month_of_results, django_capture_on_commit_callbacks, monkeypatch):
    asked = []
    monkeypatch.setattr("reports.views_posts.enqueue", lambda task, *args, **kw: asked.append((task, args)))
    post = month_of_results.posts.filter(status="published").first()
    response = signed_in(client, editor).post(reverse("post-metrics-refresh", args=[post.pk]))
    assert response.status_code == 200 and "Asking the platforms" in response.content.decode()
    assert asked == [("reports.tasks.post_metrics_refresh", (str(post.pk),))]


def test_the_best_times_come_from_the_clients_history(client, viewer, month_of_results):
    # The history read is the last 180 days: a fortnight after the seeded month, whenever the test runs.
    with time_machine.travel(datetime(2026, 11, 15, 12, tzinfo=UTC), tick=True):
        response = signed_in(client, viewer).get(reverse("best-slots"), {"client": str(month_of_results.pk)})
    page = response.content.decode()
    assert response.status_code == 200 and "data-fill-time=" in page and 'data-fill-field="id_scheduled_at"' in page


def test_the_editor_and_add_to_queue_load_the_best_times(client, editor, month_of_results):
    signed_in(client, editor)
    page = client.get("/content/new/", {"client": str(month_of_results.pk)}).content.decode()
    assert f"{reverse('best-slots')}?client={month_of_results.pk}" in page and "js/best_slots" in page


def test_the_agency_page_lists_the_top_clients_and_shows_all_on_request(client, viewer, month_of_results, monkeypatch):
    from reports import views

    signed_in(client, viewer)
    monkeypatch.setattr(views, "CLIENTS_LISTED", 0)
    page = client.get("/analytics/", OCTOBER).content.decode()
    assert page.count('data-label="Posts"') == 0 and "The top 0 of 1 clients." in page and "clients=all" in page
    page = client.get("/analytics/", {**OCTOBER, "clients": "all"}).content.decode()
    assert page.count('data-label="Posts"') == 1 and "The top" not in page
    monkeypatch.setattr(views, "CLIENTS_LISTED", 50)
    page = client.get("/analytics/", OCTOBER).content.decode()
    assert page.count('data-label="Posts"') == 1 and "The top" not in page
    csv = client.get("/analytics/", {**OCTOBER, "format": "csv"})
    rows = b"".join(csv.streaming_content).decode().strip().splitlines()
    assert len(rows) == 2  # the header and every client, whatever the page lists
