"""The staff API of monthly reports: list a client's reports, ask for one, download its PDF.
(The client API's download is in ``portal.api``, which reads the same rows for the token's client.)"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.models import Client
from localbzz.api.downloads import FileDownloadMixin, PdfFile
from localbzz.api.errors import Conflict
from localbzz.api.input import refuse_a_body
from reports import selectors, services
from reports.figures import parse_month
from reports.forms import ReportMonthForm
from reports.models import Report
from reports.views import ReportNotReady, report_file_response

TAGS = ["reports"]
MONTH_PATTERN = r"(?P<month>\d{4}-\d{2})"


class ReportOut(serializers.ModelSerializer):
    client_id = serializers.UUIDField(read_only=True)
    month = serializers.SerializerMethodField(help_text="The month reported on, YYYY-MM.")
    download_url = serializers.SerializerMethodField(help_text="The PDF (staff API) once the report is ready.")

    class Meta:
        model = Report
        fields = ["id", "client_id", "month", "status", "progress", "step", "size", "error", "emailed_at",
                  "created_at", "finished_at", "download_url"]  # fmt: skip
        read_only_fields = fields

    def get_month(self, report: Report) -> str:
        return report.slug

    def get_download_url(self, report: Report) -> str | None:
        if report.status != Report.Status.READY:
            return None
        return f"/api/v1/clients/{report.client_id}/reports/{report.slug}.pdf"


class ReportIn(serializers.Serializer):
    month = serializers.CharField(help_text="The month to report on, YYYY-MM (this month or earlier).")
    email_owners = serializers.BooleanField(
        default=False, help_text="Email the PDF to the client's portal owners once it is ready."
    )

    def validate_month(self, value: str):
        form = ReportMonthForm({"month": value}, client=self.context["client"])
        if not form.is_valid():
            raise serializers.ValidationError([str(error) for error in form.errors["month"]])
        return form.cleaned_data["month"]


class PdfDownload(FileDownloadMixin, APIView):
    """A PDF, or an error in the JSON envelope (also when the request asked for a PDF)."""

    renderer_classes = [JSONRenderer, PdfFile]

    def handle_exception(self, exc):
        if isinstance(exc, ReportNotReady):  # say why, not only "not found"
            exc = exceptions.NotFound(str(exc))
        return super().handle_exception(exc)


class _ClientScoped:
    api_area = "content"
    kwargs: dict[str, Any]  # set by DRF's view (this mixin's views are APIViews)

    def client(self) -> Client:
        return get_object_or_404(Client, pk=self.kwargs["client_id"])


@extend_schema_view(
    get=extend_schema(tags=TAGS, summary="List a client's monthly reports, newest month first"),
    post=extend_schema(
        tags=TAGS, summary="Make (or make again) a client's report for a month; answers 202 while it is made",
        request=ReportIn, responses={202: ReportOut},
    ),
)  # fmt: skip
class ClientReports(_ClientScoped, generics.ListAPIView):
    serializer_class = ReportOut
    queryset = Report.objects.none()  # schema hint
    write_action = "edit_content"

    def get_queryset(self):
        return selectors.reports(client=self.client())

    def post(self, request, client_id):
        client = self.client()
        data = ReportIn(data=request.data, context={"client": client})
        data.is_valid(raise_exception=True)
        try:
            report = services.report_request(
                client=client, month=data.validated_data["month"], actor=request.user,
                email_owners=data.validated_data["email_owners"],
            )  # fmt: skip
        except services.ReportBusy as busy:
            raise Conflict(str(busy)) from None
        return Response(ReportOut(report).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=TAGS,
    summary="Download a client's report for a month (YYYY-MM) as a PDF",
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF report.")},
)
class ClientReportPdf(_ClientScoped, PdfDownload):
    def get(self, request, client_id, month: str):
        refuse_a_body(request)
        if parse_month(month) is None:
            raise serializers.ValidationError({"month": ["Give the month as YYYY-MM, e.g. 2026-11."]})
        return report_file_response(self.client(), month)
