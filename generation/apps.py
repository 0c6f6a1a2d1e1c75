from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "Generation"

    def ready(self) -> None:
        # The AI tab of a client's page (views.client_settings).
        from agency.client_tabs import ClientTab, register

        register(ClientTab("ai", "AI", "client-panel-ai", lambda client: 0))
