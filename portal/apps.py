from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Client portal"

    def ready(self) -> None:
        # Its people in a client's export and erasure.
        from portal import client_data

        client_data.register()

        # The client's scheduled-posts feed (rendered as the staff's one is).
        from agency.ical import register_kind
        from agency.models import CalendarFeed
        from publishing.ical import posts_kind

        register_kind(posts_kind(CalendarFeed.Kind.PORTAL_POSTS))
