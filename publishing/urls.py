from django.urls import path

from publishing.views import files

urlpatterns = [
    path("files/<path:name>", files.media_file, name="media-file"),
]
