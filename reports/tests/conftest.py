"""Reports fixtures: two clients (the publishing fixtures), their portal owners, and a month of
results for client A."""

from __future__ import annotations

import os
from datetime import date

import pytest

from portal.tests.conftest import bella, joe, portal_as  # noqa: F401  (fixtures shared with the portal's tests)
from publishing.tests.conftest import (  # noqa: F401  (fixtures shared with publishing's tests)
    _fake_platform_server,
    client_a,
    client_b,
    fake_platforms,
)
from reports.pdf import pango_missing
from reports.tests.factories import schedule_next_month, seed_month

MONTH = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _pdf_engine():
    """Reports need WeasyPrint's Pango: CI must have it (.ci/run installs it); elsewhere say what to install."""
    missing = pango_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the report tests: {missing}")
        pytest.skip(missing)


@pytest.fixture
def month_of_results(client_a):
    """Client A: 40 published posts in October 2026 with figures and a picture each, 3 scheduled for November."""
    client_a.brand_colors = ["#0b6e4f", "#f2c14e"]
    client_a.monthly_post_limit = 30
    client_a.save()
    seed_month(client_a, MONTH, posts=40)
    seed_month(client_a, date(2026, 9, 1), posts=20, images=0, start_index=100)  # the month before, to compare
    schedule_next_month(client_a, MONTH)
    return client_a
