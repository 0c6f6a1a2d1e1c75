"""analytics' part of a client's export (see ``agency.client_data``). Erasure needs nothing here:
the figures go with the client's posts, accounts and the client (foreign keys cascade)."""

from __future__ import annotations

from agency import client_data as parts
from analytics.models import AccountMetrics, MetricSnapshot, TargetMetrics


def register() -> None:
    parts.register_section(
        "post_metrics", 300, lambda c: TargetMetrics.objects.filter(client=c).order_by("published_at", "pk")
    )
    parts.register_section(
        "post_metric_history",
        310,
        lambda c: MetricSnapshot.objects.filter(target__post__client=c).order_by("target_id", "taken_at"),
    )
    parts.register_section(
        "account_metrics", 320, lambda c: AccountMetrics.objects.filter(client=c).order_by("account_id", "day")
    )
