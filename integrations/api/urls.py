from django.urls import path

from integrations.api import views
from integrations.storage import api as storage

urlpatterns = [
    path("webhooks", views.WebhookList.as_view(), name="api-webhooks"),
    path("webhooks/<uuid:pk>", views.WebhookDetail.as_view(), name="api-webhook"),
    path("webhooks/<uuid:pk>/deliveries", views.WebhookDeliveryList.as_view(), name="api-webhook-deliveries"),
    path("webhooks/<uuid:pk>/ping", views.WebhookPing.as_view(), name="api-webhook-ping"),
    path(
        "webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/redeliver",
        views.WebhookRedeliver.as_view(),
        name="api-webhook-redeliver",
    ),
    path("api-keys", views.ApiKeyList.as_view(), name="api-api-keys"),
    path("api-keys/<uuid:pk>", views.ApiKeyDetail.as_view(), name="api-api-key"),
    path("shoots/<uuid:pk>/folder", storage.ShootFolderView.as_view(), name="api-shoot-folder"),
    path("shoots/<uuid:pk>/folder/files", storage.ShootFolderFiles.as_view(), name="api-shoot-folder-files"),
    path("shoots/<uuid:pk>/folder/import", storage.ShootFolderImport.as_view(), name="api-shoot-folder-import"),
    path("storage-imports/<uuid:pk>", storage.StorageImportDetail.as_view(), name="api-storage-import"),
    path(
        "deliverables/<uuid:pk>/storage-file",
        storage.DeliverableStorageFile.as_view(),
        name="api-deliverable-storage-file",
    ),  # fmt: skip
    path(
        "deliverables/<uuid:pk>/storage-file/export",
        storage.DeliverableStorageExport.as_view(),
        name="api-deliverable-storage-export",
    ),  # fmt: skip
    path("storage-exports/<uuid:pk>", storage.StorageExportDetail.as_view(), name="api-storage-export"),
]
