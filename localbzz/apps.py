from django.apps import AppConfig


class LocalbzzConfig(AppConfig):
    """The project package doubles as an app so its templates, static files, management
    commands and tests are found like any other app's."""

    default = True
    name = "localbzz"
    verbose_name = "LocalBzz"

    def ready(self) -> None:
        from localbzz import datacache
        from localbzz.api.dates import use_rfc3339_offsets
        from localbzz.api.input import refuse_unknown_fields

        use_rfc3339_offsets()
        refuse_unknown_fields()
        datacache.install()  # writes bump the version of cached fragments (localbzz.datacache)
