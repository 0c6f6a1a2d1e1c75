from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from localbzz.events import listen
        from notifications.services import notify_events

        listen(notify_events, many=True)
