"""A client's own choice of generation providers and image style (empty: the app's defaults)."""

from __future__ import annotations

from django.db import transaction

from agency.models import Client
from agency.services.activity import diff, record_event
from agency.types import Actor
from generation.models import GenerationSettings

FIELDS = ["caption_provider", "image_provider", "image_style"]


@transaction.atomic
def generation_settings_update(*, actor: Actor, client: Client, **values: str) -> GenerationSettings:
    """Save the client's generation settings (created on first save), recording what changed."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown generation settings: {', '.join(sorted(unknown))}")
    current, _ = GenerationSettings.objects.select_for_update().get_or_create(client=client)
    changed = diff(current, FIELDS, values)
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    if changed:
        record_event(actor, "client.generation_settings_changed", client, changed)
    return current
