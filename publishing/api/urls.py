from django.urls import path
from rest_framework.views import APIView

from publishing.api import accounts, attachments, media, posts


def attachment_routes(prefix: str, route: str, views: tuple[type[APIView], type[APIView], type[APIView]]) -> list:
    listing, detail, download = views
    return [
        path(f"{prefix}/<uuid:pk>/attachments", listing.as_view(), name=f"{route}-attachments"),
        path(f"{prefix}/<uuid:pk>/attachments/<uuid:attachment_id>", detail.as_view(), name=f"{route}-attachment"),
        path(f"{prefix}/<uuid:pk>/attachments/<uuid:attachment_id>/download", download.as_view(),
             name=f"{route}-attachment-download"),
    ]  # fmt: skip


urlpatterns = [
    *attachment_routes("shoots", "api-shoot", attachments.ShootAttachments),
    *attachment_routes("deliverables", "api-deliverable", attachments.DeliverableAttachments),
    *attachment_routes("portal-requests", "api-request", attachments.RequestAttachments),
    path("media", media.MediaListCreate.as_view(), name="api-media"),
    path("media/<uuid:asset_id>", media.MediaDetail.as_view(), name="api-media-detail"),
    path("media/<uuid:asset_id>/retry", media.MediaRetry.as_view(), name="api-media-retry"),
    path("social-accounts", accounts.SocialAccountList.as_view(), name="api-social-accounts"),
    path("social-accounts/<uuid:pk>", accounts.SocialAccountDetail.as_view(), name="api-social-account"),
    path("social-accounts/<uuid:pk>/verify", accounts.SocialAccountVerify.as_view(), name="api-social-account-verify"),
    path("posts", posts.PostList.as_view(), name="api-posts"),
    path("posts/<uuid:pk>", posts.PostDetail.as_view(), name="api-post"),
    path("posts/<uuid:pk>/approve", posts.PostApprove.as_view(), name="api-post-approve"),
    path("posts/<uuid:pk>/request-changes", posts.PostRequestChanges.as_view(), name="api-post-request-changes"),
    path("posts/<uuid:pk>/reject", posts.PostReject.as_view(), name="api-post-reject"),
    path("posts/<uuid:pk>/schedule", posts.PostSchedule.as_view(), name="api-post-schedule"),
    path("posts/<uuid:pk>/cancel", posts.PostCancel.as_view(), name="api-post-cancel"),
    path("posts/<uuid:pk>/publish", posts.PostPublishNow.as_view(), name="api-post-publish"),
    path("posts/<uuid:pk>/resolve-missed", posts.PostMissedResolve.as_view(), name="api-post-resolve-missed"),
    path("posts/<uuid:pk>/targets/<uuid:target_id>/retry", posts.TargetRetry.as_view(), name="api-post-target-retry"),
]
