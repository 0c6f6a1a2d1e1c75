"""The results pages in a real browser, with the demo data, on a desktop and on a phone: the staff
/analytics/ page, a client's Analytics tab and the portal's Results page draw their charts, fit the
screen and keep the CSP (the conftest fails a test on any refusal). Screenshots are written to
var/test-results/ to look at."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agency.models import Client
from localbzz.tests.phone_pages import JS_OVERFLOW, demo_portal_page, demo_staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "test-results" / "results-pages"
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Client.objects.get(slug="bella-bakery")


def _fits(page) -> None:
    report = page.evaluate(JS_OVERFLOW)
    assert report["scrollWidth"] <= report["innerWidth"], report


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_results_pages_draw_their_charts_and_fit(browser, live_server, demo, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff, page = demo_staff_page(browser, live_server.url, VIEWPORTS[size])

    page.goto(f"{live_server.url}/analytics/")
    expect(page.get_by_role("heading", name="Clients by engagement")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.get_by_role("link", name="Bella Bakery")).to_be_visible()
    page.get_by_label("Platform", exact=True).select_option("instagram")  # htmx swaps the results in
    expect(page.get_by_text("Instagram only")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(SHOTS / f"analytics-{size}.png"), full_page=True)

    page.goto(f"{live_server.url}/clients/{demo.pk}/analytics/")
    expect(page.get_by_role("heading", name="Best days and hours")).to_be_visible()
    expect(page.get_by_role("button", name="Make the PDF report")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(SHOTS / f"client-tab-{size}.png"), full_page=True)
    staff.close()

    client_side, page, portal = demo_portal_page(browser, live_server.url, VIEWPORTS[size])
    expect(page.get_by_text("Results, last 28 days")).to_be_visible()  # the dashboard's card
    page.goto(f"{portal}/results/")
    expect(page.get_by_role("heading", name="Top posts")).to_be_visible()
    assert page.locator("svg[role=img]").count() >= 2
    _fits(page)
    page.screenshot(path=str(SHOTS / f"portal-results-{size}.png"), full_page=True)
    client_side.close()
