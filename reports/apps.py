from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # The Analytics tab of a client's page (reports.views.client_panel).
        from agency.client_tabs import ClientTab
        from agency.client_tabs import register as add_tab

        add_tab(ClientTab("analytics", "Analytics", "client-panel-analytics", lambda c: 0))
