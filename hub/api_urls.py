"""Every /api/v1/ route. Routes are declared without a trailing slash; both spellings work
(see ApiTrailingSlashMiddleware)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer

from localbzz import views


class SchemaView(SpectacularAPIView):
    """The schema (YAML or JSON by Accept); its errors (e.g. 405) in the JSON envelope like every other."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response


urlpatterns = [
    path("schema", SchemaView.as_view(), name="schema"),
    path("", include("agency.api.urls")),
    path("", include("publishing.api.urls")),
    path("", include("analytics.api_urls")),
    path("", include("portal.api.urls")),
    path("", include("generation.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("reports.api_urls")),
    # Last: anything else under /api/v1/ answers the JSON error envelope, even with DEBUG on.
    re_path(r"^.*$", views.api_not_found),
]
