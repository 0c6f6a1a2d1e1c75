from django.urls import path

from publishing.api import media

urlpatterns = [
    path("media", media.MediaListCreate.as_view(), name="api-media"),
    path("media/<uuid:asset_id>", media.MediaDetail.as_view(), name="api-media-detail"),
]
