from django.apps import AppConfig


class AgencyConfig(AppConfig):
    name = "agency"
    verbose_name = "Agency CRM"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agency import audit
        from agency.services import client_data

        audit.connect()
        client_data.register()
