"""The staff Attachments card (hub mounts it under /attachments/)."""

from django.urls import path

from publishing.views import attachments

urlpatterns = [
    path("<str:kind>/<uuid:pk>/", attachments.attachments_card, name="attachments-card"),
    path("<uuid:attachment_id>/download", attachments.attachment_download_page, name="attachment-download"),
    path("<uuid:attachment_id>/remove", attachments.attachment_remove_page, name="attachment-remove"),
]
