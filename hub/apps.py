from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HubConfig(AppConfig):
    """The top layer: what spans every app (URL wiring, the dashboard, the staff shell, the portal
    host routing, the admin site, the demo and volume data commands, live updates). Nothing
    imports it."""

    default = True
    name = "hub"
    verbose_name = "LocalBzz hub"

    def ready(self) -> None:
        from hub.live import fanout
        from localbzz.events import listen

        listen(fanout.on_events, live=True)


class LocalbzzAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "hub.admin.LocalbzzAdminSite"
