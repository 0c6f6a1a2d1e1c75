from django.urls import include, path

from integrations.views import api_keys, webhooks

urlpatterns = [
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/new/", webhooks.webhook_new, name="webhook-new"),
    path("webhooks/<uuid:pk>/", webhooks.webhook_detail, name="webhook-detail"),
    path("webhooks/<uuid:pk>/secret/", webhooks.webhook_reveal_secret, name="webhook-secret"),
    path("webhooks/<uuid:pk>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("webhooks/<uuid:pk>/ping/", webhooks.webhook_ping, name="webhook-ping"),
    path(
        "webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/redeliver/",
        webhooks.webhook_redeliver,
        name="webhook-redeliver",
    ),
    path("api-keys/", api_keys.api_key_list, name="api-keys"),
    path("api-keys/<uuid:pk>/revoke/", api_keys.api_key_revoke, name="api-key-revoke"),
    path("storage/", include("integrations.storage.urls")),
]
