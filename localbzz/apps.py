from django.apps import AppConfig


class LocalbzzConfig(AppConfig):
    """The project package doubles as an app so its templates, static files, management
    commands and tests are found like any other app's."""

    default = True
    name = "localbzz"
    verbose_name = "LocalBzz"

    def ready(self) -> None:
        from localbzz.api import use_rfc3339_offsets

        use_rfc3339_offsets()
