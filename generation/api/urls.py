"""Generation routes under /api/v1/ (no trailing slash; both spellings work)."""

from django.urls import path

from generation.api import views

urlpatterns = [
    path("generation/image-batches", views.ImageBatchCreate.as_view(), name="api-image-batches"),
    path("generation/image-batches/<uuid:pk>", views.ImageBatchDetail.as_view(), name="api-image-batch"),
    path("generation/tasks", views.TaskList.as_view(), name="api-generation-tasks"),
    path("generation/tasks/<uuid:pk>", views.TaskDetail.as_view(), name="api-generation-task"),
    path("generation/captions", views.CaptionSuggest.as_view(), name="api-generation-captions"),
    path("generate/image", views.ImageGenerate.as_view(), name="api-generate-image"),
    path("social/multi-platform-posts", views.MultiPlatformPostCreate.as_view(), name="api-multi-platform-posts"),
    path(
        "social/multi-platform-posts/<uuid:pk>", views.MultiPlatformPostDetail.as_view(), name="api-multi-platform-post"
    ),
    # Seed 004's paths (aliases of the two above).
    path("marketing/image/batch-generate", views.SeedBatchGenerate.as_view(), name="seed-batch-generate"),
    path(
        "social/create-multi-platform-post",
        views.SeedCreateMultiPlatformPost.as_view(),
        name="seed-create-multi-platform-post",
    ),
]
