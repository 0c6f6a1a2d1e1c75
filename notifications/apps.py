from django.apps import AppConfig

from localbzz.events import listen
from localbzz.outbox import register_sender


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Models load after the app classes: what reaches them is imported here.
        from notifications.mail import deliver
        from notifications.services import notify_events

        listen(notify_events, many=True)
        register_sender(deliver)
