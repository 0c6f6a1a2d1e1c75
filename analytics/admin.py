"""Read-only views of the figures (they come from the platforms; nobody edits them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from analytics.models import AccountMetrics, MetricSnapshot, TargetMetrics


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TargetMetrics)
class TargetMetricsAdmin(ReadOnly):
    list_display = ("target", "platform", "published_at", "impressions", "engagements", "synced_at", "next_sync_at")
    list_filter = ("platform",)
    raw_id_fields = ("target", "client")
    list_select_related = ("target__post", "target__account")


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ReadOnly):
    list_display = ("target", "taken_at", "step", "impressions", "engagements")
    raw_id_fields = ("target",)


@admin.register(AccountMetrics)
class AccountMetricsAdmin(ReadOnly):
    list_display = ("account", "day", "followers", "platform")
    list_filter = ("platform",)
    raw_id_fields = ("account", "client")
