"""Every model's name reads right in the admin (no "Webhook deliverys", "Api keys", "Post medias")."""

from __future__ import annotations

import re

import pytest
from django.apps import apps

PROJECT_APPS = {"agency", "publishing", "portal", "generation", "integrations", "notifications"}
MODELS = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_names_every_model_properly(model):
    name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
    assert not re.search(r"[^aeiou]ys\b", plural), f"{plural}: a consonant + y makes -ies"
    assert not plural.endswith("medias"), plural
    assert not re.search(r"\b(api|url|csv|ai)\b", f"{name} {plural}", re.IGNORECASE) or re.search(
        r"\b(API|URL|CSV|AI)\b", name
    ), f"{name}: acronyms in capitals"


def test_the_admin_lists_webhook_deliveries_and_api_keys(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Webhook deliveries" in html and "API keys" in html
    assert "deliverys" not in html and "Api keys" not in html
