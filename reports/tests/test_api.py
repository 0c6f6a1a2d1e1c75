"""The staff API of reports: list, make (202, unknown fields refused), download."""

from __future__ import annotations

import pytest

from reports.models import Report
from reports.services import report_generate

pytestmark = pytest.mark.django_db


def test_it_lists_makes_and_downloads_a_report(api_as, editor, month_of_results, django_capture_on_commit_callbacks):
    api = api_as(editor)
    url = f"/api/v1/clients/{month_of_results.pk}/reports"
    assert api.get(url).json()["items"] == []
    with django_capture_on_commit_callbacks(execute=False):
        made = api.post(url, {"month": "2026-10", "email_owners": True}, format="json")
    assert made.status_code == 202 and made.json()["status"] == "queued" and made.json()["download_url"] is None
    assert api.post(url, {"month": "2026-10"}, format="json").status_code == 409  # being made
    report = Report.objects.get()
    assert report.email_owners
    report_generate(report_id=str(report.pk))
    report.refresh_from_db()
    [row] = api.get(url).json()["items"]
    assert row["status"] == "ready" and row["month"] == "2026-10" and row["size"] == report.size
    pdf = api.get(row["download_url"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_unknown_fields_and_bad_months_are_refused(api_as, editor, month_of_results):
    api = api_as(editor)
    url = f"/api/v1/clients/{month_of_results.pk}/reports"
    wrong = api.post(url, {"month": "2026-10", "colour": "red"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "unknown_field"
    future = api.post(url, {"month": "2099-01"}, format="json").json()["error"]
    assert "has not started yet" in future["message"]
    assert not Report.objects.exists()


def test_a_missing_pdf_answers_the_error_envelope_even_to_a_pdf_request(api_as, viewer, month_of_results):
    response = api_as(viewer).get(f"/api/v1/clients/{month_of_results.pk}/reports/2026-10.pdf",
                                  HTTP_ACCEPT="application/pdf")  # fmt: skip
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "not ready" in response.json()["error"]["message"]


def test_viewers_read_but_do_not_make(api_as, viewer, month_of_results):
    api = api_as(viewer)
    url = f"/api/v1/clients/{month_of_results.pk}/reports"
    assert api.get(url).status_code == 200
    assert api.post(url, {"month": "2026-10"}, format="json").status_code == 403


def test_an_unknown_client_is_not_found(api_as, viewer):
    api = api_as(viewer)
    assert api.get("/api/v1/clients/00000000-0000-0000-0000-000000000000/reports").status_code == 404


def test_the_schema_documents_the_report_endpoints(api_as, viewer):
    schema = api_as(viewer).get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/clients/{client_id}/reports" in paths
    pdf = paths["/api/v1/clients/{client_id}/reports/{month}.pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    assert "/api/v1/client/reports/{month}.pdf" in paths
