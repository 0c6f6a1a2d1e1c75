"""The client API's routes (no trailing slash; both spellings work)."""

from django.urls import path, re_path

from portal.api import analytics, attachments, reports, staff, views
from publishing.api.urls import attachment_routes

urlpatterns = [
    path("client/login", views.ClientLogin.as_view(), name="client-login"),
    path("client/media/upload", views.ClientMediaUpload.as_view(), name="client-media-upload"),
    path("client/content/submit", views.ClientContentSubmit.as_view(), name="client-content-submit"),
    path("client/scheduled-posts", views.ClientScheduledPosts.as_view(), name="client-scheduled-posts"),
    path("client/content/<uuid:post_id>/reschedule", views.ClientReschedule.as_view(), name="client-reschedule"),
    path("client/stats", views.ClientStats.as_view(), name="client-stats"),
    path("client/analytics", analytics.ClientAnalytics.as_view(), name="client-analytics"),
    path("client/reports", reports.ClientOwnReports.as_view(), name="client-own-reports"),
    re_path(r"^client/reports/(?P<month>[^/]+)\.pdf$", reports.ClientOwnReportPdf.as_view(),
            name="client-own-report-pdf"),
    *attachment_routes("client/deliverables", "client-deliverable", attachments.DeliverableAttachments),
    path("client/deliverables/<uuid:pk>/download", views.ClientDeliverableDownload.as_view(),
         name="client-deliverable-download"),
    *attachment_routes("client/requests", "client-request", attachments.RequestAttachments),
    path("client-portal/<slug:subdomain>/requests", views.ClientPortalRequests.as_view(),
         name="client-portal-requests"),
    path("client-portal/<slug:subdomain>/deliverables", views.ClientPortalDeliverables.as_view(),
         name="client-portal-deliverables"),
    path("clients/<uuid:client_id>/set-password", staff.ClientSetPassword.as_view(), name="client-set-password"),
    path("clients/<uuid:client_id>/portal-users", staff.ClientPortalUsers.as_view(), name="client-portal-users-api"),
]  # fmt: skip
