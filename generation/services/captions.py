"""Caption generation: the service behind ``generation.contracts`` (the portal's content
submission and the staff post editor call it).

``caption_generate`` reads the media (orientation, colours, brightness, date, counts), asks the
caption provider for a draft, removes the brand's banned words, and lays the caption out for each
platform (``layout.compose``: its own length, hashtags, CTA placement, line breaks) — always within
``publishing.rules``. Every call is a GenerationJob with its inputs, provider, model and timings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.models import Campaign, Client
from agency.types import Actor, acting_user
from generation import providers
from generation.contracts import CaptionSet, GenerationFailed
from generation.models import GenerationJob, HashtagGroup
from generation.providers.base import CaptionBrief, ProviderError
from generation.providers.builtin_captions import scrub
from generation.reading import guidelines_of, read_asset
from generation.services.layout import compose
from publishing import rules
from publishing.models import MediaAsset

MAX_NOTES = 5000


def seed_of(*parts: object) -> int:
    """A stable number for a submission: the same inputs give the same words, others differ."""
    return int.from_bytes(hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()[:8], "big")


def _assets(client: Client, media: Iterable[MediaAsset | str]) -> list[MediaAsset]:
    ids = [str(m.pk) if isinstance(m, MediaAsset) else str(m) for m in media]
    if not ids:
        return []
    try:
        found = {
            str(a.pk): a for a in MediaAsset.objects.filter(client=client, pk__in=ids).prefetch_related("renditions")
        }
    except (ValueError, ValidationError):
        found = {}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"media": f"These media are not in {client.name}'s library: {', '.join(missing)}."})
    return [found[i] for i in ids]


def clean_tags(tags: Iterable[str], avoid: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    for raw in tags:
        tag = re.sub(r"[^\w]", "", str(raw).lstrip("#"), flags=re.UNICODE)[:40]
        banned = any(b and b.replace(" ", "") in tag.lower() for b in avoid)
        if tag and not tag.isdigit() and not banned and tag.lower() not in {t.lower() for t in out}:
            out.append(tag)
    return out


def brief_for(
    client: Client,
    *,
    notes: str,
    topic: str,
    platforms: list[str],
    placement: str,
    assets: list[MediaAsset],
    variant: int = 0,
) -> CaptionBrief:
    return CaptionBrief(
        client_name=client.name,
        industry=client.industry,
        location=client.location,
        description=client.description,
        guidelines=guidelines_of(client.brand_guidelines),
        notes=notes,
        topic=topic,
        platforms=platforms,
        placement=placement,
        media=[read_asset(a) for a in assets],
        hashtag_groups=[list(g.tags) for g in HashtagGroup.objects.filter(client=client)],
        seed=seed_of(client.pk, notes, topic, [a.pk for a in assets], placement, *([variant] if variant else [])),
    )


def caption_generate(
    *,
    client: Client,
    media: Iterable[MediaAsset | str],
    notes: str,
    platforms: Iterable[str],
    topic: str = "",
    placement: str = "feed",
    actor: Actor = None,
    provider: str | None = None,
    cta: str = "",
    hashtags: Iterable[str] = (),
    campaign: Campaign | None = None,
    variant: int = 0,
) -> CaptionSet:
    """Topic, caption, hashtags, alt text and one ready-to-post text per platform (within its limits).

    ``provider`` overrides the client's/app's caption provider; ``cta`` and ``hashtags`` (staff
    input) are used before what the provider suggests; ``variant`` asks for another wording of the
    same submission ("suggest another"). Raises ``GenerationFailed`` when the
    provider fails (after its bounded retries), ``ValidationError`` for bad input.
    """
    platforms = list(dict.fromkeys(platforms))
    unknown = [p for p in platforms if p not in rules.PLATFORMS]
    if unknown:
        raise ValidationError(
            {"platforms": f"Unknown platforms: {', '.join(unknown)}. Use {', '.join(rules.PLATFORMS)}."}
        )
    if placement not in {"feed", "story", "reel"}:
        raise ValidationError({"placement": "Placement is feed, story or reel."})
    notes, topic = (notes or "")[:MAX_NOTES], (topic or "")[:200]
    assets = _assets(client, media)
    name = providers.chosen("caption", client, provider or "")
    try:
        writer = providers.caption_provider(name)
    except providers.UnknownProvider as error:
        raise ValidationError({"provider": str(error)}) from None
    job = GenerationJob.objects.create(
        client=client,
        campaign=campaign,
        kind=GenerationJob.Kind.CAPTION,
        provider=name,
        model=writer.model,
        input={
            "notes": notes,
            "topic": topic,
            "platforms": platforms,
            "placement": placement,
            "media_ids": [str(a.pk) for a in assets],
            "cta": cta,
            "hashtags": list(hashtags),
            **({"variant": variant} if variant else {}),
        },  # fmt: skip
        status=GenerationJob.Status.RUNNING,
        created_by=acting_user(actor),
        started_at=timezone.now(),
    )
    brief = brief_for(
        client, notes=notes, topic=topic, platforms=platforms, placement=placement, assets=assets, variant=variant
    )
    try:
        draft = writer.write(brief)
    except ProviderError as error:
        _finish(job, GenerationJob.Status.FAILED, error=error.message)
        raise GenerationFailed(error.message) from None
    avoid = brief.guidelines.avoid
    caption = scrub(draft.caption, avoid) or scrub(topic or client.name, avoid) or client.name
    tags = clean_tags([*hashtags, *draft.hashtags], avoid)
    chosen_cta = scrub(" ".join((cta or draft.cta).split()), avoid)
    per_platform = {
        p: compose(p, caption=caption, cta=chosen_cta, hashtags=tags, placement=placement, seed=brief.seed)
        for p in platforms
    }
    result = CaptionSet(
        topic=scrub(draft.topic, avoid)[:200] or caption[:60],
        caption=caption,
        hashtags=tags,
        alt_text=scrub(draft.alt_text, avoid)[:1000],
        per_platform=per_platform,
        provider=name,
        model=draft.model or writer.model,
        job_id=str(job.pk),
        cta=chosen_cta,
    )
    job.model = result.model
    job.result = {"topic": result.topic, "caption": caption, "hashtags": tags, "alt_text": result.alt_text,
                  "cta": chosen_cta, "per_platform": per_platform}  # fmt: skip
    _finish(job, GenerationJob.Status.SUCCEEDED)
    return result


def _finish(job: GenerationJob, status: str, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "model", "result"])
