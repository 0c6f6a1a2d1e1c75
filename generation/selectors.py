"""Reads of generation data: job lists (with their items and images loaded) and the answers of the
image-batch and multi-platform endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from generation.models import GenerationItem, GenerationJob, ItemStatus, Provider, ResultState
from generation.presets import PLATFORM_PRESETS, STYLES
from localbzz import zones
from publishing.media.urls import media_url
from publishing.models import MediaAsset, Post, PostTarget
from publishing.states import TargetStatus as T


def jobs(
    *,
    client_id: UUID | str | None = None,
    campaign_id: UUID | str | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[GenerationJob]:
    """Jobs newest first, with client, campaign, author and every item's image (and its sizes) loaded."""
    items = GenerationItem.objects.select_related("asset").prefetch_related("asset__renditions")
    qs = GenerationJob.objects.select_related("client", "campaign", "created_by", "post").prefetch_related(
        Prefetch("items", queryset=items.order_by("position", "created_at"))
    )
    if client_id:
        qs = qs.filter(client_id=client_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def current_items(job: GenerationJob) -> list[GenerationItem]:
    return [i for i in job.items.all() if not i.replaced]


def image_url(item: GenerationItem) -> str | None:
    return media_url(item.asset.file) if item.asset_id and item.asset else None


def batch_result(job: GenerationJob) -> dict[str, Any]:
    """The answer of GET /api/v1/generation/image-batches/{id}."""
    items = current_items(job)
    return {
        "id": str(job.pk),
        "status": job.status,
        "total_images": len(items),
        "successful": sum(1 for i in items if i.status == ItemStatus.SUCCEEDED),
        "failed": sum(1 for i in items if i.status == ItemStatus.FAILED),
        "total_generation_time": round(job.duration or 0.0, 3),
        "results": [
            {
                "id": str(i.pk),
                "image_url": image_url(i),
                "asset_id": str(i.asset_id) if i.asset_id else None,
                "platform": i.platform,
                "tag": i.tag,
                "aspect_ratio": i.aspect_ratio,
                "width": i.width,
                "height": i.height,
                "generation_time": i.generation_time,
                "success": i.status == ItemStatus.SUCCEEDED,
                "status": i.status,
                "error": i.error or None,
            }
            for i in items
        ],
    }


def multi_platform_result(job: GenerationJob) -> dict[str, Any]:
    """The answer of the multi-platform post endpoints (live: targets are read as they are now)."""
    data = job.input
    platforms: list[str] = data.get("platforms", [])
    outcome: dict[str, Any] = job.result.get("platforms", {})
    finished = bool(job.result.get("finished"))
    items = {i.platform: i for i in current_items(job)}
    targets = {
        (str(t.post_id), t.account.platform): t
        for t in PostTarget.objects.filter(post_id__in=job.result.get("posts", [])).select_related("account", "post")
    }
    rows, states = [], []
    for platform in platforms:
        preset = PLATFORM_PRESETS[platform]
        out = outcome.get(platform, {})
        item = items.get(platform)
        row = {"platform": platform, "success": False, "post_id": None, "post_url": None,
               "image_url": image_url(item) if item else None, "error": out.get("error") or None}  # fmt: skip
        if item is None and out.get("asset_id"):
            asset = MediaAsset.objects.filter(pk=out["asset_id"]).first()
            row["image_url"] = media_url(asset.file) if asset else None
        target = next((t for (pid, plat), t in targets.items() if plat == preset.publish_platform
                       and t.post.placement == preset.placement), None)  # fmt: skip
        if not finished:
            state = "running"
        elif row["error"] or target is None:
            state = "failed"
        else:
            row["post_id"] = str(target.post_id)
            row["post_url"] = target.url or None
            state = _target_state(data.get("mode", "draft"), target)
            row["success"] = state in {"draft", "scheduled", "pending_approval", "pending_client_approval", "published"}
            if target.status == T.FAILED:
                row["error"] = target.last_error or "Publishing failed."
        row["status"], row["status_label"] = state, ResultState(state).label
        rows.append(row)
        states.append(state)
    overall = _overall(job, states)
    return {
        "job_id": str(job.pk),
        "status": overall,
        "status_label": ResultState(overall).label,
        "platforms": rows,
        "total_platforms": len(platforms),
        "successful": sum(1 for r in rows if r["success"]),
        "failed": sum(1 for s in states if s == "failed"),
        "images_generated": sum(1 for i in items.values() if i.status == ItemStatus.SUCCEEDED),
        "total_time": round(job.duration or 0.0, 3),
    }


def _target_state(mode: str, target: PostTarget) -> str:
    if target.status == T.FAILED:
        return "failed"
    if target.status == T.PUBLISHED:
        return "published"
    if mode == "draft":
        return "draft"
    if mode == "publish":
        return "publishing"
    if target.status == T.SCHEDULED:
        return "scheduled"
    return "pending_client_approval" if target.post.status == "pending_client_approval" else "pending_approval"


def _overall(job: GenerationJob, states: list[str]) -> str:
    if not job.result.get("finished"):
        return job.status if job.status in {"queued", "running"} else "running"
    if states and all(s == "failed" for s in states):
        return "failed"
    if "failed" in states:
        return "partial"
    for state in ("running", "publishing", "pending_approval", "pending_client_approval", "scheduled", "draft"):
        if state in states:
            return state
    return "published"


def job_outcome(job: GenerationJob) -> dict[str, Any]:
    """What the jobs page shows of a job's outcome besides its items: the captions it wrote, or
    each platform's post of a multi-platform job."""
    if job.kind == GenerationJob.Kind.CAPTION:
        return {"captions": job.result.get("per_platform") or {}, "platform_rows": [], "posts": []}
    if job.kind == GenerationJob.Kind.MULTI_PLATFORM_POST:
        summary = multi_platform_result(job)
        labels = {p: PLATFORM_PRESETS[p].label for p in PLATFORM_PRESETS}
        rows = [{**row, "label": labels.get(row["platform"], row["platform"])} for row in summary["platforms"]]
        posts = list(Post.objects.filter(pk__in=job.result.get("posts", [])).select_related("client"))
        return {"captions": {}, "platform_rows": rows, "posts": posts, "summary": summary}
    return {"captions": {}, "platform_rows": [], "posts": []}


_INPUT_LABELS = {
    "title": "Title (team only)", "topic": "Topic", "content": "Post text", "notes": "Notes", "cta": "Call to action",
    "hashtags": "Hashtags", "platforms": "Platforms", "mode": "What to do", "schedule_time": "Publish at",
    "base_image_prompt": "Image idea", "platform_prompts": "Image idea per platform", "image_style": "Style",
    "image_provider": "Images made by", "image_ids": "Images", "prompt": "Prompt", "style": "Style",
    "provider": "Made by", "base_prompt": "Image idea",
}  # fmt: skip
_HIDDEN_INPUTS = {"publish_immediately"}  # said by "What to do"
_MODES = {"draft": "Save as a draft", "schedule": "Schedule", "publish": "Publish now"}


def job_inputs(job: GenerationJob) -> list[tuple[str, str]]:
    """A job's inputs as people read them: labelled, platforms and styles by name, times in the
    client's zone (the raw JSON stays available beside it)."""

    def platform(p: str) -> str:
        return PLATFORM_PRESETS[p].label if p in PLATFORM_PRESETS else p

    rows = []
    for key, value in (job.input or {}).items():
        if key in _HIDDEN_INPUTS or value in (None, "", [], {}):
            continue
        if key == "platforms":
            text = ", ".join(platform(p) for p in value)
        elif key == "hashtags":
            text = " ".join(f"#{t.lstrip('#')}" for t in value) if isinstance(value, list) else str(value)
        elif key == "mode":
            text = _MODES.get(value, str(value))
        elif key == "schedule_time":
            text = (
                f"{zones.when(datetime.fromisoformat(value), job.client, zones.LONG)} ({zones.zone_name(job.client)})"
            )
        elif key in {"image_style", "style"}:
            text = STYLES.get(value, str(value))
        elif key in {"image_provider", "provider"}:
            text = "The client's default" if value == "auto" else Provider(value).label if value in Provider else value
        elif key == "image_ids":
            text = f"Picked from the library for {', '.join(platform(p) for p in value)}"
        elif key == "platform_prompts":
            text = "\n".join(f"{platform(p)}: {v}" for p, v in value.items())
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            text = "\n".join(f"{k}: {v}" for k, v in value.items())
        else:
            text = str(value)
        rows.append((_INPUT_LABELS.get(key, key.replace("_", " ").capitalize()), text))
    return rows
