"""`make run`'s demo data has results at once: published posts with figures and history, followers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from agency.models import Client
from analytics import selectors
from analytics.models import AccountMetrics, MetricSnapshot, TargetMetrics


@pytest.mark.django_db
def test_the_demo_clients_have_results_and_seeding_again_adds_nothing():
    call_command("seed_demo")
    counts = (TargetMetrics.objects.count(), MetricSnapshot.objects.count(), AccountMetrics.objects.count())
    assert all(counts), counts
    call_command("seed_demo")
    assert (TargetMetrics.objects.count(), MetricSnapshot.objects.count(), AccountMetrics.objects.count()) == counts
    for slug in ("bella-bakery", "joes-landscaping"):
        client = Client.objects.get(slug=slug)
        today = timezone.now().astimezone(client.tz).date()
        result = selectors.client_analytics(client=client, start=today - timedelta(days=27), end=today)
        assert result.posts_published >= 5 and result.totals["impressions"] > 1000
        assert result.top_posts and result.top_posts[0].thumbnail_url is not None
        assert result.followers and all(f.change is not None and f.change >= 0 for f in result.followers)
        assert "saves" in result.unavailable  # Facebook offers none: said, not zero
    # Growth is drawn from snapshots that rise step by step.
    row = TargetMetrics.objects.filter(platform="facebook").order_by("published_at").first()
    history = list(
        MetricSnapshot.objects.filter(target=row.target).order_by("step").values_list("impressions", flat=True)
    )
    assert len(history) == 6 and history == sorted(history) and history[-1] <= row.impressions
