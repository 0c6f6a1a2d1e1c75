"""The client's own results (JWT): the same body and query rules as the staff endpoint, for the
token's client only — no id in the path, so there is nothing of another client to ask for."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.api import AnalyticsQuery, ClientAnalyticsOut, analytics_response
from portal.api.views import TAGS, ClientAPIView


@extend_schema(
    tags=TAGS,
    summary="Your results for a period: totals and change, series per day, top posts, by platform",
    parameters=[AnalyticsQuery],
    responses={200: ClientAnalyticsOut, 400: OpenApiResponse(description="A bad date, period or parameter.")},
)
class ClientAnalytics(ClientAPIView):
    def get(self, request: Request) -> Response:
        return analytics_response(request, self.client)
