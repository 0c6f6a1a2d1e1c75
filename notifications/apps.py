from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from localbzz.events import listen
        from localbzz.outbox import register_sender
        from notifications.mail import deliver
        from notifications.services import notify_events

        listen(notify_events, many=True)
        register_sender(deliver)
