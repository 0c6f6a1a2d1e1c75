"""Staff generation pages: the multi-platform wizard, the jobs page, "suggest captions"."""

from django.urls import path

from generation.views import client_settings, jobs, suggest, wizard

urlpatterns = [
    path("", wizard.wizard, name="generate"),
    path("jobs/", jobs.job_list, name="generation-jobs"),
    path("jobs/<uuid:pk>/", jobs.job_detail, name="generation-job"),
    path("jobs/<uuid:pk>/progress/", jobs.job_progress, name="generation-job-progress"),
    path("items/<uuid:pk>/regenerate/", jobs.item_regenerate, name="generation-item-regenerate"),
    path("suggest-captions/", suggest.suggest_captions, name="generation-suggest"),
    # The AI tab of a client's page (agency.client_tabs), loaded into it with htmx.
    path("clients/<uuid:client_id>/settings/", client_settings.client_generation_settings, name="client-panel-ai"),
]
