"""The staff API's report routes (no trailing slash; both spellings work)."""

from django.urls import path, re_path

from reports import api

urlpatterns = [
    path("clients/<uuid:client_id>/reports", api.ClientReports.as_view(), name="client-reports-api"),
    re_path(
        r"^clients/(?P<client_id>[0-9a-f-]{36})/reports/(?P<month>[^/]+)\.pdf$",
        api.ClientReportPdf.as_view(),
        name="client-report-pdf-api",
    ),
]
