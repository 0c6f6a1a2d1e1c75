"""A client's AI settings are edited on the client page's AI tab (not only in the admin), and used."""

from __future__ import annotations

import pytest

from agency.models import ActivityEvent
from agency.tests import factories
from generation.models import GenerationSettings
from generation.providers import chosen

pytestmark = pytest.mark.django_db


def test_an_admin_sets_a_clients_providers_from_the_client_page(client, admin_user, settings):
    settings.GENERATION_CAPTION_PROVIDER = "builtin"
    bella = factories.client(name="Bella Bakery")
    client.force_login(admin_user)
    page = client.get(f"/clients/{bella.pk}/ai/").content.decode()
    assert f'hx-get="/generate/clients/{bella.pk}/settings/" hx-trigger="load"' in page
    panel = client.get(f"/generate/clients/{bella.pk}/settings/").content.decode()
    assert "The app&#x27;s default (Built-in (offline, free))" in panel and "Save AI settings" in panel
    saved = client.post(
        f"/generate/clients/{bella.pk}/settings/",
        {"caption_provider": "openai", "image_provider": "", "image_style": "playful"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "Saved." in saved.content.decode()
    own = GenerationSettings.objects.get(client=bella)
    assert (own.caption_provider, own.image_provider, own.image_style) == ("openai", "", "playful")
    bella.refresh_from_db()
    assert chosen("caption", bella) == "openai"
    event = ActivityEvent.objects.get(verb="client.generation_settings_changed")
    assert event.changes == {"caption_provider": ["", "openai"], "image_style": ["", "playful"]}
    # Without JavaScript the form posts, then the client page's AI tab shows again.
    plain = client.post(f"/generate/clients/{bella.pk}/settings/", {"caption_provider": "builtin"})
    assert plain.status_code == 302 and plain["Location"] == f"/clients/{bella.pk}/ai/"


def test_bad_choices_are_refused_and_only_admins_change_them(client, admin_user, editor):
    bella = factories.client(name="Bella Bakery")
    client.force_login(admin_user)
    bad = client.post(f"/generate/clients/{bella.pk}/settings/", {"image_provider": "dall-e-9"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert not GenerationSettings.objects.exists()
    client.force_login(editor)
    assert "Save AI settings" not in client.get(f"/generate/clients/{bella.pk}/settings/").content.decode()
    assert client.post(f"/generate/clients/{bella.pk}/settings/", {"image_style": "bold"}).status_code == 403
    assert not GenerationSettings.objects.exists()
