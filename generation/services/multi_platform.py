"""One request → a post on several platforms (seed 004): each platform's caption with CTA and
hashtags, the platform images as a batch, then one post with a target per platform (an Instagram
story is a post of its own: a post has one placement), drafted, scheduled or published now —
always through the publishing services, so approval rules and platform checks hold.

- draft: the post stays a draft;
- ``schedule_time``: approvers approve and schedule it; others send it for approval with that time;
- ``publish_immediately``: approvers only (checked before anything is made); approved and sent now.

A platform without a connected account, or whose image failed, is left out and reported; the
others go ahead (status "partial").
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agency import permissions
from agency.models import Campaign, Client
from agency.types import Actor, acting_user
from generation import presets
from generation.models import GenerationJob, ItemStatus, JobStatus
from generation.services.captions import clean_tags
from generation.services.images import ImageSpec, image_batch_create, job_refresh
from generation.services.layout import compose
from publishing.models import MediaAsset, Post, SocialAccount
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.services.scheduling import PostNotReady

logger = logging.getLogger(__name__)
MODES = ("draft", "schedule", "publish")


def _mode(publish_immediately: bool, schedule_time: datetime | None) -> str:
    if publish_immediately:
        return "publish"
    return "schedule" if schedule_time else "draft"


def multi_platform_post_create(
    *,
    actor: Actor,
    client: Client,
    content: str,
    platforms: list[str],
    cta: str = "",
    hashtags: list[str] | tuple[str, ...] = (),
    base_image_prompt: str = "",
    platform_prompts: dict[str, str] | None = None,
    publish_immediately: bool = False,
    schedule_time: datetime | None = None,
    image_style: str = "professional",
    image_provider: str = "",
    campaign: Campaign | None = None,
    images: dict[str, MediaAsset] | None = None,
    title: str = "",
) -> GenerationJob:
    """Start a multi-platform post; answers its job (kind multi_platform_post).

    Without ``images`` the platform images are generated as a batch (one item per platform) and
    the post is built when the last one finishes; with ``images`` (platform → library asset, as
    the wizard sends them) the post is built at once.
    """
    platforms = list(dict.fromkeys(platforms))
    unknown = [p for p in platforms if p not in presets.PLATFORM_PRESETS]
    if not platforms or unknown:
        raise ValidationError({"platforms": f"Choose platforms among {', '.join(presets.PLATFORM_PRESETS)}."})
    if not content.strip():
        raise ValidationError({"content": "Write the post's text."})
    if publish_immediately and schedule_time:
        raise ValidationError({"schedule_time": "Either publish now or give a time, not both."})
    if publish_immediately and not permissions.can(actor, "approve_posts"):
        raise PermissionDenied(permissions.denial_message(actor, "approve_posts"))
    if schedule_time and schedule_time <= timezone.now():
        raise ValidationError({"schedule_time": "That time has passed; pick a time in the future."})
    platform_prompts = {k: v for k, v in (platform_prompts or {}).items() if v and v.strip()}
    settings_input = {
        "content": content, "cta": cta, "hashtags": list(hashtags), "platforms": platforms,
        "base_image_prompt": base_image_prompt, "platform_prompts": platform_prompts,
        "publish_immediately": publish_immediately,
        "schedule_time": schedule_time.isoformat() if schedule_time else None, "image_style": image_style,
        "image_provider": image_provider or "auto", "mode": _mode(publish_immediately, schedule_time), "title": title,
    }  # fmt: skip
    if images is not None:
        missing = [p for p in platforms if p not in images]
        if missing:
            raise ValidationError({"images": f"Pick or make an image for: {', '.join(missing)}."})
        for platform, asset in images.items():
            if asset.client_id != client.pk:
                raise ValidationError({"images": f"The {platform} image is not in {client.name}'s library."})
        with transaction.atomic():
            job = GenerationJob.objects.create(
                client=client, campaign=campaign, kind=GenerationJob.Kind.MULTI_PLATFORM_POST, provider="library",
                input={**settings_input, "image_ids": {p: str(a.pk) for p, a in images.items()}},
                status=JobStatus.SUCCEEDED, created_by=acting_user(actor),
                started_at=timezone.now(), finished_at=timezone.now(),
            )  # fmt: skip
        job_finish(job_id=str(job.pk))
        job.refresh_from_db()
        return job
    specs = [
        ImageSpec(prompt=platform_prompts.get(p, "") or (content if not base_image_prompt else ""), platform=p)
        for p in platforms
    ]
    return image_batch_create(
        actor=actor, client=client, images=specs, campaign=campaign, base_prompt=base_image_prompt,
        style=image_style, provider=image_provider, kind=GenerationJob.Kind.MULTI_PLATFORM_POST,
        extra_input=settings_input,
    )  # fmt: skip


def _accounts(client: Client) -> dict[str, SocialAccount]:
    """The client's first connected account per platform."""
    found: dict[str, SocialAccount] = {}
    for account in SocialAccount.objects.filter(client=client, status=SocialAccount.Status.CONNECTED).order_by(
        "created_at"
    ):
        found.setdefault(account.platform, account)
    return found


def job_finish(*, job_id: str) -> GenerationJob:
    """Build the post(s) of a multi-platform job whose images are done; runs once per job."""
    with transaction.atomic():
        job = (
            GenerationJob.objects.select_for_update(of=("self",))
            .select_related("client", "campaign", "created_by")
            .get(pk=job_id)
        )
        if job.result.get("finished"):
            return job
        data, actor, client = job.input, job.created_by, job.client
        outcome: dict[str, dict[str, Any]] = {p: {"error": "", "asset_id": None} for p in data["platforms"]}
        assets: dict[str, MediaAsset] = {}
        if "image_ids" in data:
            for platform, asset_id in data["image_ids"].items():
                assets[platform] = MediaAsset.objects.get(pk=asset_id, client=client)
        else:
            for item in job.items.filter(replaced=False).select_related("asset"):
                if item.status == ItemStatus.SUCCEEDED and item.asset:
                    assets[item.platform] = item.asset
                else:
                    outcome[item.platform]["error"] = f"The image could not be made: {item.error or 'unknown error'}"
        posts = []
        if client is None:  # the client was deleted meanwhile (jobs stay, without it)
            for platform in data["platforms"]:
                outcome[platform]["error"] = outcome[platform]["error"] or "The client was deleted; nothing was posted."
        else:
            accounts = _accounts(client)
            groups: dict[str, list[str]] = {}
            for platform in data["platforms"]:
                preset = presets.PLATFORM_PRESETS[platform]
                if outcome[platform]["error"]:
                    continue
                if preset.publish_platform not in accounts:
                    outcome[platform]["error"] = (
                        f"{client.name} has no connected {preset.label.split(' ')[0]} account; connect one in Accounts."
                    )
                    continue
                outcome[platform]["asset_id"] = str(assets[platform].pk)
                groups.setdefault(preset.placement, []).append(platform)
            for placement, members in groups.items():
                post = _make_post(job, actor, client, placement, members, accounts, assets, outcome)
                if post is not None:
                    posts.append(post)
        job.result = {**job.result, "finished": True, "posts": [str(p.pk) for p in posts], "platforms": outcome}
        job.post = posts[0] if posts else None
        if not posts and job.status != JobStatus.FAILED:
            job.status = JobStatus.FAILED
            job.error = "; ".join(o["error"] for o in outcome.values() if o["error"]) or "Nothing could be posted."
        job.save(update_fields=["result", "post", "status", "error"])
    return job


def _make_post(
    job: GenerationJob,
    actor: Actor,
    client: Client,
    placement: str,
    platforms: list[str],
    accounts: dict[str, SocialAccount],
    assets: dict[str, MediaAsset],
    outcome: dict[str, dict[str, Any]],
) -> Post | None:
    data = job.input
    mode = data["mode"]
    tags = clean_tags(data.get("hashtags") or [])
    chosen = {p: accounts[presets.PLATFORM_PRESETS[p].publish_platform] for p in platforms}
    seed = int(str(job.pk.int)[:12])
    texts = {
        str(account.pk): compose(account.platform, caption=data["content"], cta=data.get("cta", ""), hashtags=tags,
                                 placement=placement, seed=seed)
        for account in chosen.values()
    }  # fmt: skip
    schedule_time = datetime.fromisoformat(data["schedule_time"]) if data.get("schedule_time") else None
    can_approve = permissions.can(actor, "approve_posts")
    try:
        with transaction.atomic():
            post = post_services.post_create(
                actor=actor, client=client, caption=data["content"], hashtags=tags, cta=data.get("cta", ""),
                accounts=list(chosen.values()), overrides=texts, campaign=job.campaign,
                target_media={str(a.pk): [assets[p]] for p, a in chosen.items()}, source=Post.Source.GENERATION,
                submit=mode != "draft", scheduled_at=schedule_time if mode == "schedule" else None,
                placement=placement, title=(data.get("title") or "")[:200],
            )  # fmt: skip
    except ValidationError as error:
        for p in platforms:
            outcome[p]["error"] = " ".join(error.messages)
        return None
    if mode == "draft" or (mode == "schedule" and not can_approve):
        return post
    try:
        with transaction.atomic():
            post = post_services.post_approve(actor=actor, post=post, scheduled_at=schedule_time)
            if mode == "publish" and post.status == Post.Status.APPROVED:
                post = scheduling.post_publish_now(actor=actor, post=post)
    except PostNotReady as error:
        by_platform = {tp.target.account.platform: " ".join(p.message for p in tp.problems) for tp in error.by_target}
        for p in platforms:
            outcome[p]["error"] = by_platform.get(presets.PLATFORM_PRESETS[p].publish_platform, "")
        if not any(outcome[p]["error"] for p in platforms):
            for p in platforms:
                outcome[p]["error"] = " ".join(error.messages)
    except (ValidationError, PermissionDenied) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        for p in platforms:
            outcome[p]["error"] = message
    return post


def retry_finish_if_due(job: GenerationJob) -> GenerationJob:
    """A multi-platform job whose images all finished but whose post was not built (a worker died
    between the two) is built now; anything else is answered as it is."""
    if job.kind == GenerationJob.Kind.MULTI_PLATFORM_POST and job.is_final and not job.result.get("finished"):
        return job_finish(job_id=str(job.pk))
    if not job.is_final and job.total_items and job.done_items >= job.total_items:
        return job_refresh(job_id=str(job.pk))
    return job
