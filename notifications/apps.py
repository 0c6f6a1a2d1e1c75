from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from localbzz.events import listen
        from notifications.services import notify_event

        listen(notify_event)
