from django.urls import path

from integrations.storage import views

urlpatterns = [
    path("", views.storage_settings, name="storage-settings"),
    path("<str:provider>/connect/", views.storage_connect, name="storage-connect"),
    path("<str:provider>/callback/", views.storage_callback, name="storage-callback"),
    path("<str:provider>/disconnect/", views.storage_disconnect, name="storage-disconnect"),
    path("shoots/<uuid:pk>/folder/", views.shoot_folder, name="shoot-folder"),
    path("shoots/<uuid:pk>/folder/create/", views.shoot_folder_create, name="shoot-folder-create"),
    path("shoots/<uuid:pk>/folder/import/", views.shoot_folder_import, name="shoot-folder-import"),
    path("shoots/<uuid:pk>/folder/demo-photos/", views.shoot_folder_demo_fill, name="shoot-folder-demo-fill"),
    path("imports/<uuid:pk>/", views.storage_import_progress, name="storage-import-progress"),
    path("deliverables/<uuid:pk>/file/", views.deliverable_file, name="deliverable-storage-file"),
    path("deliverables/<uuid:pk>/file/link/", views.deliverable_file_link, name="deliverable-storage-file-link"),
    path("deliverables/<uuid:pk>/file/export/", views.deliverable_file_export, name="deliverable-storage-file-export"),
    path("deliverables/<uuid:pk>/file/unlink/", views.deliverable_file_unlink, name="deliverable-storage-file-unlink"),
    path(
        "deliverables/<uuid:pk>/file/download/",
        views.deliverable_file_download,
        name="deliverable-storage-file-download",
    ),  # fmt: skip
]
