"""The client API's monthly reports (JWT): the token's client's own reports only; another client's
month answers 404 like a month that has none."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers

from portal.api.views import TAGS, ClientAPIView
from reports import selectors
from reports.api import PdfDownload, ReportOut
from reports.figures import parse_month
from reports.models import Report
from reports.views import report_file_response


class ClientReportOut(ReportOut):
    def get_download_url(self, report: Report) -> str | None:
        return f"/api/v1/client/reports/{report.slug}.pdf" if report.status == Report.Status.READY else None


@extend_schema(tags=TAGS, summary="Your monthly reports that are ready, newest month first")
class ClientOwnReports(ClientAPIView, generics.ListAPIView):
    serializer_class = ClientReportOut
    queryset = Report.objects.none()  # schema hint

    def get_queryset(self):
        return selectors.reports(client=self.client).filter(status=Report.Status.READY)


@extend_schema(
    tags=TAGS,
    summary="Download your report for a month (YYYY-MM) as a PDF",
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF report.")},
)
class ClientOwnReportPdf(ClientAPIView, PdfDownload):
    def get(self, request, month: str):
        if parse_month(month) is None:
            raise serializers.ValidationError({"month": ["Give the month as YYYY-MM, e.g. 2026-11."]})
        return report_file_response(self.client, month)
