"""The client's own results and reports in its portal and through the client API — and nothing of
another client's, whichever host, session or token asks (tests from the outside)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client as HttpClient

from analytics.selectors import client_analytics
from portal.tests.conftest import bearer
from reports.models import Report
from reports.services import report_generate
from reports.tests.conftest import MONTH
from reports.tests.factories import seed_month

pytestmark = pytest.mark.django_db
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


@pytest.fixture
def two_clients(month_of_results, client_b):
    """Both clients have October results and a ready October report; B's figures differ from A's."""
    seed_month(client_b, MONTH, posts=7, images=0, start_index=500)
    for client in (month_of_results, client_b):
        report_generate(report_id=str(Report.objects.create(client=client, month=MONTH).pk))
    return month_of_results, client_b


def test_the_results_page_shows_the_clients_own_figures(two_clients, joe, portal_as, django_assert_max_num_queries):
    a_client, b_client = two_clients
    browser = portal_as(a_client, joe)
    with django_assert_max_num_queries(19):
        response = browser.get("/results/", OCTOBER)
    page = response.content.decode()
    mine = client_analytics(client=a_client, start=MONTH, end=date(2026, 10, 31))
    theirs = client_analytics(client=b_client, start=MONTH, end=date(2026, 10, 31))
    assert response.status_code == 200 and f"{mine.totals['impressions']:,}" in page
    assert f"{theirs.totals['impressions']:,}" not in page
    assert "/results/reports/2026-10.pdf" in page and "Results" in page


def test_the_dashboard_card_loads_the_last_28_days(two_clients, joe, portal_as):
    browser = portal_as(two_clients[0], joe)
    assert "/results/card" in browser.get("/").content.decode()
    card = browser.get("/results/card")
    assert card.status_code == 200 and "Results, last 28 days" in card.content.decode()


def test_the_client_downloads_its_own_report(two_clients, joe, portal_as):
    response = portal_as(two_clients[0], joe).get("/results/reports/2026-10.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    own = Report.objects.get(client=two_clients[0])
    assert response["Content-Disposition"].endswith(f'filename="{own.filename}"')


@pytest.mark.parametrize("path", ["/results/", "/results/card", "/results/reports/2026-10.pdf"])
def test_another_clients_person_gets_a_404_on_this_portal(two_clients, bella, portal_as, path):
    assert portal_as(two_clients[0], bella).get(path).status_code == 404


@pytest.mark.parametrize("path", ["/results/", "/results/reports/2026-10.pdf"])
def test_nobody_signed_out_gets_in(two_clients, portal_as, path):
    response = portal_as(two_clients[0]).get(path)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_a_portal_person_gets_nothing_on_the_staff_host(two_clients, joe):
    browser = HttpClient()
    browser.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    a_client = two_clients[0]
    for path in [
        "/analytics/",
        f"/clients/{a_client.pk}/analytics/panel/",
        f"/clients/{a_client.pk}/reports/2026-10.pdf",
    ]:
        assert browser.get(path).status_code == 403, path


def test_staff_pages_are_not_on_a_portal_host(two_clients, owner):
    browser = HttpClient(HTTP_HOST=f"{two_clients[0].slug}.localhost")
    browser.force_login(owner)
    assert browser.get("/analytics/").status_code == 404
    assert browser.get(f"/clients/{two_clients[0].pk}/reports/2026-10.pdf").status_code == 404


def test_the_client_api_answers_the_tokens_own_report(two_clients, joe, bella):
    joe_api = bearer(joe)
    listing = joe_api.get("/api/v1/client/reports").json()
    assert [(r["client_id"], r["month"]) for r in listing["items"]] == [(str(two_clients[0].pk), "2026-10")]
    assert listing["items"][0]["download_url"] == "/api/v1/client/reports/2026-10.pdf"
    pdf = joe_api.get("/api/v1/client/reports/2026-10.pdf", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == Report.objects.get(client=two_clients[0]).file.read()
    assert joe_api.get("/api/v1/client/reports/2026-09.pdf").json()["error"]["code"] == "not_found"
    assert joe_api.get("/api/v1/client/reports/sept.pdf").status_code == 400
    # A client token cannot use the staff API, not even for its own client.
    assert joe_api.get(f"/api/v1/clients/{two_clients[0].pk}/reports").status_code == 403
    assert joe_api.get(f"/api/v1/clients/{two_clients[1].pk}/reports/2026-10.pdf").status_code == 403
