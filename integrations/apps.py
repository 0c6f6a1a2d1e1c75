from django.apps import AppConfig

from localbzz.crypto import register_encrypted
from localbzz.events import listen


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from agency import deliverable_files  # these reach the models
        from integrations.services.webhooks.deliveries import on_events
        from integrations.storage import deliverables

        deliverable_files.register(deliverables.SOURCE)

        register_encrypted("integrations.WebhookEndpoint", "secret_encrypted")
        register_encrypted("integrations.StorageConnection", "access_token_encrypted")
        register_encrypted("integrations.StorageConnection", "refresh_token_encrypted")
        listen(on_events, many=True)
