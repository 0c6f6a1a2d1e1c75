"""Every /api/v1/ route. Routes are declared without a trailing slash; both spellings work
(see ApiTrailingSlashMiddleware)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from localbzz import views

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("", include("agency.api.urls")),
    path("", include("publishing.api.urls")),
    path("", include("portal.api.urls")),
    path("", include("generation.api.urls")),
    path("", include("integrations.api.urls")),
    # Last: anything else under /api/v1/ answers the JSON error envelope, even with DEBUG on.
    re_path(r"^.*$", views.api_not_found),
]
