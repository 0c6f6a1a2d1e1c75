from django.urls import path

from publishing.views import files, library

urlpatterns = [
    path("", library.library, name="library"),
    path("files/<path:name>", files.media_file, name="media-file"),
    path("<uuid:asset_id>/", library.asset_detail, name="library-asset"),
    path("<uuid:asset_id>/tile", library.asset_tile, name="library-asset-tile"),
    path("<uuid:asset_id>/upload-status", library.asset_upload_status, name="library-asset-upload-status"),
    path("<uuid:asset_id>/edit", library.asset_edit, name="library-asset-edit"),
    path("<uuid:asset_id>/retry", library.asset_retry, name="library-asset-retry"),
    path("<uuid:asset_id>/focal-point", library.asset_focal_point, name="library-asset-focal-point"),
    path("<uuid:asset_id>/delete", library.asset_delete, name="library-asset-delete"),
]
