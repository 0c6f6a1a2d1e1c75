"""Generation jobs (captions, images, image batches, multi-platform posts) with their items, and
each client's generation settings and saved hashtag groups."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from generation.presets import PLATFORM_PRESETS


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Partly succeeded"
    FAILED = "failed", "Failed"


class Provider(models.TextChoices):
    """Who made it: THE labels of the providers (pages, activity, the API's provider_label)."""

    BUILTIN = "builtin", "Built-in (offline)"
    OPENAI = "openai", "OpenAI"
    FAL = "fal", "fal.ai"
    LIBRARY = "library", "Media library (nothing generated)"


class ResultState(models.TextChoices):
    """Where a multi-platform post stands, per platform and overall (the wizard's result, its API)."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Making images"
    DRAFT = "draft", "Saved as a draft"
    PENDING_APPROVAL = "pending_approval", "Waiting for approval"
    PENDING_CLIENT_APPROVAL = "pending_client_approval", "Approved; waiting for the client's approval"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing now"
    PUBLISHED = "published", "Published"
    PARTIAL = "partial", "Done, with problems"
    FAILED = "failed", "Nothing could be posted"


class ItemStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINAL_JOB = {JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED}
FINAL_ITEM = {ItemStatus.SUCCEEDED, ItemStatus.FAILED}


class GenerationJob(models.Model):
    """One request to generate something, kept with its inputs, provider, model, timings and outcome."""

    class Kind(models.TextChoices):
        CAPTION = "caption", "Captions"
        IMAGE = "image", "Image"
        IMAGE_BATCH = "image_batch", "Image batch"
        MULTI_PLATFORM_POST = "multi_platform_post", "Multi-platform post"

    Status = JobStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Seed 002: deleting a client keeps its generation tasks, without the client (erasure deletes them).
    client = models.ForeignKey(
        "agency.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_jobs"
    )
    campaign = models.ForeignKey(
        "agency.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_jobs"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    model = models.CharField(max_length=200, blank=True)
    input = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    result = models.JSONField(default=dict, blank=True, help_text="Summary of the outcome (captions, post ids, …).")
    error = models.TextField(blank=True)
    total_items = models.PositiveSmallIntegerField(default=0)
    succeeded_items = models.PositiveSmallIntegerField(default=0)
    failed_items = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        "publishing.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the open pages were (or, in the future, will be) told the job moved: at most once a
    # second (services.images.progress_signal); the live relay without Redis reads it (hub.live.relay).
    live_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["campaign", "-created_at"]),
            models.Index(fields=["status"]),
            models.Index(fields=["live_at"], name="genjob_live_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.client} ({self.get_status_display().lower()})"

    @property
    def done_items(self) -> int:
        return self.succeeded_items + self.failed_items

    @property
    def progress_percent(self) -> int:
        if self.status in FINAL_JOB:
            return 100
        return round(100 * self.done_items / self.total_items) if self.total_items else 0

    @property
    def duration(self) -> float | None:
        """Seconds from the start to the end (or until now while running)."""
        if not self.started_at:
            return None

        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_JOB

    @property
    def brief(self) -> str:
        """A line saying what was asked (the post text, the notes or the image prompt)."""
        data = self.input or {}
        images = data.get("images") or [{}]
        return next(
            (
                str(v)
                for v in (data.get("content"), data.get("notes"), data.get("base_prompt"), images[0].get("prompt"))
                if v
            ),
            "",
        )


class GenerationItem(models.Model):
    """One image of a job (one platform's picture), with its prompt, outcome and timing."""

    Status = ItemStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(GenerationJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    platform = models.CharField(max_length=20, blank=True)
    aspect_ratio = models.CharField(max_length=10, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    tag = models.CharField(max_length=100, blank=True)
    prompt = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.QUEUED)
    asset = models.ForeignKey(
        "publishing.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_items"
    )
    error = models.TextField(blank=True)
    generation_time = models.FloatField(null=True, blank=True, help_text="Seconds the provider took.")
    replaced = models.BooleanField(default=False, help_text="A newer item for the same platform replaced this one.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "position", "created_at"]

    def __str__(self) -> str:
        return f"{self.platform or 'image'} {self.aspect_ratio} ({self.status})"

    @property
    def platform_label(self) -> str:
        preset = PLATFORM_PRESETS.get(self.platform)
        return preset.label if preset else (self.platform or "Image").replace("_", " ").capitalize()


class GenerationSettings(models.Model):
    """A client's choice of providers (empty: the app's default from settings)."""

    client = models.OneToOneField("agency.Client", on_delete=models.CASCADE, related_name="generation_settings")
    caption_provider = models.CharField(
        max_length=20, blank=True, help_text="builtin or openai; empty uses GENERATION_CAPTION_PROVIDER."
    )
    image_provider = models.CharField(
        max_length=20, blank=True, help_text="builtin, openai or fal; empty uses GENERATION_IMAGE_PROVIDER."
    )
    image_style = models.CharField(max_length=20, blank=True, help_text="Default style of generated images.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "generation settings"
        verbose_name_plural = "generation settings"

    def __str__(self) -> str:
        return f"Generation settings of {self.client}"


class HashtagGroup(models.Model):
    """A named set of hashtags a client uses again and again (e.g. "Austin local")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="hashtag_groups")
    name = models.CharField(max_length=100)
    tags = models.JSONField(default=list, help_text="Without the #.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="hashtag_group_unique_per_client")]

    def __str__(self) -> str:
        return self.name
