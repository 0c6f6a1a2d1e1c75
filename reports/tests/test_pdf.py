"""The monthly PDF: it opens, and its text says the client's name, the month and the same totals
as the analytics the pages and the API read."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from analytics.selectors import client_analytics
from reports.content import report_content
from reports.figures import month_bounds
from reports.pdf import report_pdf
from reports.tests.conftest import MONTH

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (Debian's poppler-utils)")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_it_writes_the_clients_name_month_and_totals(month_of_results, tmp_path):
    pdf = report_pdf(report_content(month_of_results, MONTH))
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    start, end = month_bounds(MONTH)
    a = client_analytics(client=month_of_results, start=start, end=end)
    assert "Joe's Landscaping" in text or "Joe’s Landscaping" in text
    assert "October 2026" in text
    for key in ("impressions", "reach", "engagements", "clicks"):
        assert f"{a.totals[key]:,}" in text, key
    assert "40 of 30 posts in your package" in text
    assert "Scheduled for November 2026" in text and "Coming up 0: spring offer" in text
    assert "Post number" in text  # the top posts


def test_it_embeds_the_top_posts_pictures_and_stays_small(month_of_results, tmp_path):
    pdf = report_pdf(report_content(month_of_results, MONTH))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    pictures = [line for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    assert len(pictures) >= 6  # the six top posts. pictures
    assert len(pdf) < 1_000_000


def test_a_month_without_posts_still_makes_a_report(client_a, tmp_path):
    text = pdf_text(report_pdf(report_content(client_a, MONTH)), tmp_path)
    assert "0 posts published in October" in text
    assert "No published posts with figures this month." in text
    assert "Nothing scheduled for November yet." in text


@pytest.mark.slow
def test_the_demo_clients_report_has_the_totals_the_analytics_api_answers(api_as, owner, tmp_path):
    """Done-when of issue 18: the PDF of a demo client says its name, the month and the API's totals."""
    from django.core.management import call_command
    from django.utils import timezone

    from agency.models import Client
    from reports.figures import previous_month

    call_command("seed_demo")
    client = Client.objects.get(slug="joes-landscaping")
    month = previous_month(timezone.now().astimezone(client.tz).date())
    start, end = month_bounds(month)
    api = api_as(owner).get(f"/api/v1/clients/{client.pk}/analytics", {"from": start, "to": end}).json()
    text = pdf_text(report_pdf(report_content(client, month)), tmp_path)
    assert client.name in text.replace("’", "'") and f"{month:%B %Y}" in text
    shown = [key for key in ("impressions", "reach", "engagements", "clicks") if api["totals"][key] is not None]
    assert shown, api["totals"]
    for key in shown:
        assert f"{api['totals'][key]:,}" in text, key
    assert f"{api['posts_published']} post" in text
