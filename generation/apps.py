from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "Generation"

    def ready(self) -> None:
        # The AI tab of a client's page (views.client_settings).
        from agency.client_tabs import ClientTab, register

        register(ClientTab("ai", "AI", "client-panel-ai", lambda client: 0))

        # A multi-platform job builds its post once its images have settled.
        from generation.models import GenerationJob
        from generation.services import images, multi_platform

        images.on_job_settled(GenerationJob.Kind.MULTI_PLATFORM_POST, multi_platform.job_finish)

        # Its part of a client's export and erasure.
        from generation import client_data

        client_data.register()
