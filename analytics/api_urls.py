"""The staff analytics API's routes (no trailing slash; both spellings work)."""

from django.urls import path

from analytics import api

urlpatterns = [
    path("clients/<uuid:client_id>/analytics", api.ClientAnalyticsView.as_view(), name="api-client-analytics"),
    path("posts/<uuid:pk>/metrics", api.PostMetricsView.as_view(), name="api-post-metrics"),
    path("posts/<uuid:pk>/metrics/refresh", api.PostMetricsRefreshView.as_view(), name="api-post-metrics-refresh"),
]
