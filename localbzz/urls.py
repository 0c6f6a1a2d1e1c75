from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from localbzz import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("portal.urls_staff")),  # before agency.urls: clients/<id>/<tab>/ would take it
    path("", include("agency.urls")),
    path("library/", include("publishing.urls")),
    path("", include("publishing.urls_posts")),
    path("generate/", include("generation.urls")),
    path("", include("notifications.urls")),
    path("settings/", include("integrations.urls")),
    path("api/v1/", include("localbzz.api_urls")),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/docs/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "localbzz.views.bad_request"
handler403 = "localbzz.views.permission_denied"
handler404 = "localbzz.views.page_not_found"
handler500 = "localbzz.views.server_error"
