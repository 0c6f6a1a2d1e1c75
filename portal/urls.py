"""The URLconf of a client's portal host (``<slug>.<PORTAL_DOMAIN>``; see hub.hosts).

Nothing of the staff app is reachable here: no staff pages, no admin, no staff API.
"""

from django.urls import include, path

from portal.views import attachments, auth, content, home, inbox, people, results
from publishing.views import files

pages = [
    path("", home.dashboard, name="dashboard"),
    path("sign-in/", auth.sign_in, name="login"),
    path("sign-out/", auth.sign_out, name="logout"),
    path("password/reset/", auth.password_reset, name="password-reset"),
    path("password/reset/sent/", auth.password_reset_done, name="password-reset-done"),
    path("set-password/<uidb64>/<token>/", auth.set_password, name="set-password"),
    path("media/", home.media, name="media"),
    path("media/upload", home.media_upload, name="media-upload"),
    path("media/<uuid:asset_id>/tile", home.media_tile, name="media-tile"),
    path("media/<uuid:asset_id>/upload-status", home.media_upload_status, name="media-upload-status"),
    path("media/<uuid:asset_id>/delete", home.media_delete, name="media-delete"),
    path("submit/", content.submit, name="submit"),
    path("submit/captions", content.submit_captions, name="submit-captions"),
    path("posts/", content.posts, name="posts"),
    path("posts/calendar-link", content.posts_feed_link, name="posts-feed-link"),
    path("calendar/<str:token>.ics", content.posts_ics, name="posts-feed"),
    path("posts/<uuid:post_id>/", content.post_detail, name="post"),
    path("posts/<uuid:post_id>/reschedule", content.post_reschedule, name="post-reschedule"),
    path("posts/<uuid:post_id>/decide", content.post_decide, name="post-decide"),
    path("approvals/", content.approvals, name="approvals"),
    path("requests/", inbox.requests, name="requests"),
    path("requests/<uuid:request_id>/", inbox.request_detail, name="request"),
    path("requests/<uuid:request_id>/attachments/", attachments.request_attachments, name="request-attachments"),
    path(
        "requests/<uuid:request_id>/attachments/<uuid:attachment_id>/download",
        attachments.request_attachment_download,
        name="request-attachment-download",
    ),
    path(
        "requests/<uuid:request_id>/attachments/<uuid:attachment_id>/remove",
        attachments.request_attachment_remove,
        name="request-attachment-remove",
    ),
    path("deliverables/", inbox.deliverables, name="deliverables"),
    path(
        "deliverables/<uuid:deliverable_id>/attachments/<uuid:attachment_id>/download",
        attachments.deliverable_attachment_download,
        name="deliverable-attachment-download",
    ),
    path("deliverables/<uuid:deliverable_id>/review", inbox.deliverable_review, name="deliverable-review"),
    path("deliverables/<uuid:deliverable_id>/download", inbox.deliverable_download, name="deliverable-download"),
    path("results/", results.results, name="results"),
    path("results/card", results.results_card, name="results-card"),
    path("results/reports/<str:month>.pdf", results.report_download, name="report-download"),
    path("people/", people.people, name="people"),
    path("people/<uuid:member_id>/remove", people.person_remove, name="person-remove"),
]

urlpatterns = [
    path("", include((pages, "portal"))),
    # Signed media URLs are built with reverse("media-file"): the same path as on the staff host.
    path("library/files/<path:name>", files.media_file, name="media-file"),
]

handler400 = "localbzz.views.bad_request"
handler403 = "localbzz.views.permission_denied"
handler404 = "localbzz.views.page_not_found"
handler500 = "localbzz.views.server_error"
