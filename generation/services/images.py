"""Image generation: batches (one django-q2 task per image, run concurrently), single images, and
regenerating one platform's image. Finished images land in the client's media library
(``media_upload(source="generated")``) linked to the job's campaign.

The open pages hear a job move (``progress_signal``) at most once a second, and always when it
settles. A job is final once every current item is: succeeded (all items), partial (some), failed (none).
``job_refresh`` recounts under the job's row lock, so two items finishing at once settle in turn;
then the handler registered for the job's kind runs (``on_job_settled``: a multi-platform job
builds its post with ``multi_platform.job_finish``, registered in ``generation.apps``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from agency.models import Campaign, Client
from agency.types import Actor, acting_user
from generation import presets, providers
from generation.models import FINAL_JOB, GenerationItem, GenerationJob, ItemStatus, JobStatus
from generation.providers.base import ImageBrief, ProviderError
from generation.providers.builtin_images import headline_of
from generation.services.captions import seed_of
from localbzz import events
from localbzz.queue import enqueue
from publishing.models import MediaAsset
from publishing.services.media.upload import MediaRejected, media_upload

logger = logging.getLogger(__name__)
MAX_IMAGES = 12


@dataclass
class ImageSpec:
    prompt: str = ""
    platform: str = "generic"
    aspect_ratio: str = ""
    tag: str = ""


def _check(specs: list[ImageSpec], style: str, provider: str) -> None:
    if not specs:
        raise ValidationError({"images": "Ask for at least one image."})
    if len(specs) > MAX_IMAGES:
        raise ValidationError({"images": f"At most {MAX_IMAGES} images in one batch; split it in two."})
    if style not in presets.STYLES:
        raise ValidationError({"style": f"Style is one of {', '.join(presets.STYLES)}."})
    if provider not in providers.IMAGE_PROVIDERS:
        raise ValidationError({"provider": f"Image provider is one of auto, {', '.join(providers.IMAGE_PROVIDERS)}."})
    for i, spec in enumerate(specs):
        if spec.platform != "generic" and spec.platform not in presets.PLATFORM_PRESETS:
            raise ValidationError(
                {"images": f"Image {i + 1}: platform is one of generic, {', '.join(presets.PLATFORM_PRESETS)}."}
            )
        try:
            presets.parse_ratio(spec.aspect_ratio or "1:1")
        except presets.BadAspectRatio as error:
            raise ValidationError({"images": f"Image {i + 1}: {error}"}) from None


@transaction.atomic
def image_batch_create(
    *,
    actor: Actor,
    client: Client,
    images: list[ImageSpec],
    campaign: Campaign | None = None,
    base_prompt: str = "",
    style: str = "professional",
    provider: str = "",
    model: str = "",
    kind: str = GenerationJob.Kind.IMAGE_BATCH,
    background: MediaAsset | None = None,
    extra_input: dict[str, Any] | None = None,
) -> GenerationJob:
    """Create a job with one item per image and start every item on the workers (after commit).

    Each platform preset fills in the aspect ratio and adds its prompt suffix; the client's brand
    guidelines end every prompt. ``background`` is a library photo the builtin designs are drawn on.
    """
    if campaign is not None and campaign.client_id != client.pk:
        raise ValidationError({"campaign_id": "That campaign belongs to another client."})
    if background is not None and (background.client_id != client.pk or background.kind != MediaAsset.Kind.IMAGE):
        raise ValidationError({"background": "Pick a photo from this client's library."})
    style = style or getattr(getattr(client, "generation_settings", None), "image_style", "") or "professional"
    name = providers.chosen("image", client, provider)
    for spec in images:
        preset = presets.PLATFORM_PRESETS.get(spec.platform)
        spec.aspect_ratio = (spec.aspect_ratio or (preset.aspect_ratio if preset else "1:1")).replace(" ", "")
    _check(images, style, name)
    maker = providers.image_provider(name)
    job = GenerationJob.objects.create(
        client=client,
        campaign=campaign,
        kind=kind,
        provider=name,
        model=model or maker.model,
        input={
            "base_prompt": base_prompt,
            "style": style,
            "provider": provider or "auto",
            "model": model,
            "images": [spec.__dict__ for spec in images],
            **({"background_id": str(background.pk)} if background else {}),
            **(extra_input or {}),
        },  # fmt: skip
        total_items=len(images),
        created_by=acting_user(actor),
    )
    for position, spec in enumerate(images):
        _add_item(job, spec, position)
    return job


def _add_item(job: GenerationJob, spec: ImageSpec, position: int) -> GenerationItem:
    width, height = presets.size_for(spec.platform, spec.aspect_ratio)
    item = GenerationItem.objects.create(
        job=job,
        position=position,
        platform=spec.platform,
        aspect_ratio=spec.aspect_ratio,
        width=width,
        height=height,
        tag=spec.tag[:100],
        prompt=presets.prompt_for(
            base_prompt=job.input.get("base_prompt", ""),
            prompt=spec.prompt,
            platform=spec.platform,
            style=job.input.get("style", ""),
            guidelines=job.client.brand_guidelines if job.client else "",
        ),
    )
    enqueue("generation.tasks.image_item_run", str(item.pk), group=f"generation-{job.pk}")
    return item


def image_generate(
    *,
    actor: Actor,
    client: Client,
    prompt: str,
    campaign: Campaign | None = None,
    provider: str = "",
    model: str = "",
    platform: str = "generic",
    aspect_ratio: str = "",
    style: str = "",
) -> GenerationJob:
    """One image (a job of kind "image" with one item)."""
    if not prompt.strip():
        raise ValidationError({"prompt": "Describe the image you want."})
    spec = ImageSpec(prompt=prompt, platform=platform, aspect_ratio=aspect_ratio)
    return image_batch_create(
        actor=actor, client=client, images=[spec], campaign=campaign, provider=provider, model=model,
        style=style, kind=GenerationJob.Kind.IMAGE,
    )  # fmt: skip


@transaction.atomic
def image_item_regenerate(*, actor: Actor, item: GenerationItem, prompt: str | None = None) -> GenerationItem:
    """Make one platform's image again: the old item is kept (marked replaced), a new one runs."""
    item = GenerationItem.objects.select_for_update(of=("self",)).select_related("job__client").get(pk=item.pk)
    job = GenerationJob.objects.select_for_update().get(pk=item.job_id)
    if item.replaced:
        raise ValidationError("A newer image already replaced this one.")
    if item.status not in {ItemStatus.SUCCEEDED, ItemStatus.FAILED}:
        raise ValidationError("This image is still being made; wait for it first.")
    item.replaced = True
    item.save(update_fields=["replaced"])
    spec = ImageSpec(prompt=prompt if prompt is not None else _own_prompt(job, item), platform=item.platform,
                     aspect_ratio=item.aspect_ratio, tag=item.tag)  # fmt: skip
    job.status, job.finished_at = JobStatus.RUNNING, None
    job.save(update_fields=["status", "finished_at"])
    new = _add_item(job, spec, item.position)
    _recount(job)
    progress_signal(job, final=True)
    return new


def _own_prompt(job: GenerationJob, item: GenerationItem) -> str:
    for position, spec in enumerate(job.input.get("images", [])):
        if position == item.position:
            return str(spec.get("prompt", ""))
    return ""


def _brief(item: GenerationItem, client: Client) -> ImageBrief:
    job = item.job
    logo = b""
    if client.logo:
        try:
            with client.logo.open("rb") as handle:
                logo = handle.read()
        except OSError:
            logo = b""
    background = b""
    if job.input.get("background_id"):
        asset = MediaAsset.objects.filter(pk=job.input["background_id"], client=client).first()
        if asset is not None:
            with asset.file.open("rb") as handle:
                background = handle.read()
    own = _own_prompt(job, item) or job.input.get("base_prompt", "")
    return ImageBrief(
        prompt=item.prompt,
        headline=headline_of(own) or client.name,
        style=job.input.get("style", "professional"),
        width=item.width or 1080,
        height=item.height or 1080,
        platform=item.platform,
        brand_colours=tuple(client.brand_colors or ()),
        logo=logo,
        background=background,
        business=client.name,
        seed=seed_of(item.pk),
        model=job.input.get("model", ""),
    )


def image_item_run(*, item_id: str) -> str:
    """Make one image (a worker task). Claims the item first, so a task delivered twice runs once."""
    now = timezone.now()
    if not GenerationItem.objects.filter(pk=item_id, status=ItemStatus.QUEUED).update(
        status=ItemStatus.RUNNING, started_at=now
    ):
        return "skipped"
    item = GenerationItem.objects.select_related("job__client", "job__campaign", "job__created_by").get(pk=item_id)
    job = item.job
    GenerationJob.objects.filter(pk=job.pk, started_at__isnull=True).update(started_at=now)
    if GenerationJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING):
        with transaction.atomic():
            progress_signal(GenerationJob.objects.select_for_update().get(pk=job.pk))
    started = time.monotonic()
    if job.client is None:  # the client was deleted meanwhile (jobs stay, without it: seed 002)
        _item_done(item, ItemStatus.FAILED, started, error="The client was deleted; nothing was made.")
        job_refresh(job_id=str(job.pk))
        return item.status
    try:
        made = providers.image_provider(job.provider).render(_brief(item, job.client))
        name = f"{slugify(job.client.name)[:30] or 'image'}-{item.platform}-{str(item.pk)[:8]}.jpg"
        tags = ["generated", item.platform] + ([item.tag] if item.tag else [])
        result = media_upload(
            client=job.client, files=[ContentFile(made.data, name=name)], uploaded_by=job.created_by,
            source=MediaAsset.Source.GENERATED, campaign=job.campaign, tags=tags,
        )[0]  # fmt: skip
    except ProviderError as error:
        _item_done(item, ItemStatus.FAILED, started, error=error.message)
    except MediaRejected as error:
        _item_done(item, ItemStatus.FAILED, started, error=f"The image could not be stored: {error}")
    except Exception:
        logger.exception("Generation item %s failed", item_id)
        _item_done(item, ItemStatus.FAILED, started, error="Something went wrong making this image; try again.")
    else:
        _item_done(item, ItemStatus.SUCCEEDED, started, asset=result.asset)
    job_refresh(job_id=str(job.pk))
    return item.status


def _item_done(
    item: GenerationItem, status: str, started: float, error: str = "", asset: MediaAsset | None = None
) -> None:
    item.status, item.error, item.asset = status, error, asset
    item.generation_time = round(time.monotonic() - started, 3)
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "error", "asset", "generation_time", "finished_at"])


def _recount(job: GenerationJob) -> None:
    counts = job.items.filter(replaced=False).aggregate(
        total=Count("pk"),
        ok=Count("pk", filter=Q(status=ItemStatus.SUCCEEDED)),
        bad=Count("pk", filter=Q(status=ItemStatus.FAILED)),
    )
    job.total_items, job.succeeded_items, job.failed_items = counts["total"], counts["ok"], counts["bad"]
    job.save(update_fields=["total_items", "succeeded_items", "failed_items"])


PROGRESS_EVERY = timedelta(seconds=1)


def progress_signal(job: GenerationJob, *, final: bool = False) -> None:
    """Tell the open pages that ``job`` moved (``localbzz.events.signal``), called under the job's
    row lock: at most once per ``PROGRESS_EVERY`` per job however many items finish, never one per
    item. A move inside the second books one signal for its end (a timer in this process), which
    shows every move made until then; ``final`` (the job settled) is told at once.

    ``live_at`` is when the pages were, or will be, told: the relay without Redis reads it."""
    now = timezone.now()
    last = job.live_at
    if final or last is None or now >= last + PROGRESS_EVERY:
        at = now
    elif last > now:
        return  # a signal is booked for ``last``: it shows this move too
    else:
        at = last + PROGRESS_EVERY
    job.live_at = at
    GenerationJob.objects.filter(pk=job.pk).update(live_at=at)

    def tell() -> None:
        events.signal(events.JOB_PROGRESS, object_type="generationjob", object_id=job.pk,
                      client_id=job.client_id)  # fmt: skip

    if at == now:
        tell()  # after the commit
    else:
        timer = threading.Timer((at - now).total_seconds(), tell)
        timer.daemon = True  # a worker that stops does not wait for it (the settling signal still comes)
        transaction.on_commit(timer.start)


# kind -> what runs once a job of that kind settles (called with the job's id, outside the lock).
_SETTLED: dict[str, Callable[..., object]] = {}


def on_job_settled(kind: str, handler: Callable[..., object]) -> None:
    """Run ``handler(job_id=...)`` once a job of ``kind`` has settled (its last item is done).

    Registered by the services above this module (``multi_platform``), so images never imports them."""
    _SETTLED[kind] = handler


def job_refresh(*, job_id: str) -> GenerationJob:
    """Recount a job's items; once all are done, settle its status and run its kind's settle handler
    (a multi-platform job builds its post)."""
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job_id)
        _recount(job)
        settled = False
        if job.status not in FINAL_JOB and job.done_items >= job.total_items:
            if job.succeeded_items == job.total_items:
                job.status = JobStatus.SUCCEEDED
            else:
                job.status = JobStatus.PARTIAL if job.succeeded_items else JobStatus.FAILED
            job.finished_at = timezone.now()
            if job.status == JobStatus.FAILED and not job.error:
                job.error = "No image could be made: see each image's error."
            job.save(update_fields=["status", "finished_at", "error"])
            settled = True
        progress_signal(job, final=settled)
    handler = _SETTLED.get(job.kind) if settled else None
    if handler is not None:
        handler(job_id=str(job.pk))
    return job
