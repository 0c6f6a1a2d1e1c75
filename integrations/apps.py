from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations.services.webhooks.deliveries import on_events
        from localbzz.crypto import register_encrypted
        from localbzz.events import listen

        register_encrypted("integrations.WebhookEndpoint", "secret_encrypted")
        register_encrypted("integrations.StorageConnection", "access_token_encrypted")
        register_encrypted("integrations.StorageConnection", "refresh_token_encrypted")
        listen(on_events, many=True)
