"""Staff routes of results and reports (included by hub.urls before agency's client tabs)."""

from django.urls import path

from reports import views, views_posts

urlpatterns = [
    path("analytics/", views.analytics_home, name="analytics"),
    path("analytics/best-slots/", views_posts.best_slots, name="best-slots"),
    path("clients/<uuid:client_id>/analytics/panel/", views.client_panel, name="client-panel-analytics"),
    path("clients/<uuid:client_id>/reports/make/", views.report_make, name="report-make"),
    path("clients/<uuid:client_id>/reports/settings/", views.report_settings, name="report-settings"),
    path("clients/<uuid:client_id>/reports/<str:month>/progress/", views.report_progress, name="report-progress"),
    path("clients/<uuid:client_id>/reports/<str:month>.pdf", views.report_download, name="report-download"),
    path("content/<uuid:post_id>/metrics/", views_posts.post_metrics_panel, name="post-metrics"),
    path("content/<uuid:post_id>/metrics/refresh/", views_posts.post_metrics_refresh, name="post-metrics-refresh"),
]
