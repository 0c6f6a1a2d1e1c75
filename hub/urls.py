from csp.decorators import csp_replace
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from hub import views as hub_views
from localbzz import views

urlpatterns = [
    path("", hub_views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", views.service_worker, name="service-worker"),
    # Pages without our <link rel="icon"> (the admin) make browsers ask for /favicon.ico: a 404
    # and a console error on every admin page. It is the same icon.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static_url("img/favicon.svg"))),
    path("admin/", admin.site.urls),
    path("", include("portal.urls_staff")),  # before agency.urls: clients/<id>/<tab>/ would take it
    path("", include("reports.urls")),  # analytics, the client's Analytics panel and reports
    path("", include("agency.urls")),
    path("library/", include("publishing.urls")),
    path("attachments/", include("publishing.urls_attachments")),
    path("", include("publishing.urls_posts")),
    path("generate/", include("generation.urls")),
    path("", include("notifications.urls")),
    path("settings/", include("integrations.urls")),
    path("api/v1/", include("hub.api_urls")),
    # Swagger UI's init script is served as a file (the split view): no inline script anywhere.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs/swagger_ui.html"),
        name="api-docs",
    ),
    # Redoc (styled-components) writes <style> elements as it renders and searches in a blob:
    # worker: this view alone allows those. Scripts stay nonce-only. Its footer logo, from its
    # CDN, stays blocked (Redoc hides it when it fails to load).
    path(
        "api/docs/redoc/",
        # csp_replace: beside a nonce, browsers ignore 'unsafe-inline' (style-src carries one).
        csp_replace({"style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html")
        ),
        name="api-redoc",
    ),
    # Last under /api/: anything else answers the JSON error envelope (never an HTML page).
    re_path(r"^api(?:/.*)?$", views.api_not_found),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "localbzz.views.bad_request"
handler403 = "localbzz.views.permission_denied"
handler404 = "localbzz.views.page_not_found"
handler500 = "localbzz.views.server_error"
