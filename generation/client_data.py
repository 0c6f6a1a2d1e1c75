"""generation's part of a client's export and erasure (see ``agency.client_data``)."""

from __future__ import annotations

from agency import client_data as parts
from generation.models import GenerationItem, GenerationJob, GenerationSettings, HashtagGroup


def register() -> None:
    parts.register_section(
        "generation_jobs", 400, lambda c: GenerationJob.objects.filter(client=c).order_by("created_at")
    )
    parts.register_section("generation_items", 410, lambda c: GenerationItem.objects.filter(job__client=c))
    parts.register_section("generation_settings", 420, lambda c: GenerationSettings.objects.filter(client=c))
    parts.register_section("hashtag_groups", 430, lambda c: HashtagGroup.objects.filter(client=c))
    parts.register_erase("generation_jobs", 400, lambda c: GenerationJob.objects.filter(client=c))  # SET NULL otherwise
