"""The media library: every photo and video a client or the agency uploads, and what we derive."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class MediaFolder(models.Model):
    """A named folder in one client's library (flat: one level is what people use)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="media_folders")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="media_folder_unique_per_client")]

    def __str__(self) -> str:
        return self.name


class MediaTag(models.Model):
    """A free-form label in one client's library (stored lower-case)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="media_tags")
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="media_tag_unique_per_client")]

    def __str__(self) -> str:
        return self.name


class MediaAsset(models.Model):
    existing: bool  # an upload that matched a stored file (publishing.api.media.uploaded_items); not a column

    """One uploaded (or generated) photo or video of a client.

    ``file`` is the original as we keep it: location metadata removed, orientation applied and
    colour in sRGB (see publishing.media.imaging). Until the worker has done that (files that need a
    decode), ``file`` is the upload as received under ``incoming/``, which is never served.
    ``sha256`` is the hash of the bytes as they were uploaded, so the same file uploaded again by
    the same client finds this asset.
    """

    class Kind(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"

    class Source(models.TextChoices):
        UPLOAD = "upload"
        GENERATED = "generated"
        DELIVERABLE = "deliverable"

    class Status(models.TextChoices):
        PROCESSING = "processing"  # renditions are being made
        READY = "ready"
        FAILED = "failed"  # the original is usable; renditions could not be made

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="media")
    file = models.FileField(max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds (videos).")
    bytes = models.PositiveBigIntegerField(help_text="Size of the stored original.")
    sha256 = models.CharField(max_length=64, help_text="Hash of the file as uploaded.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=11, choices=Source.choices, default=Source.UPLOAD)
    folder = models.ForeignKey(MediaFolder, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets")
    tags = models.ManyToManyField(MediaTag, blank=True, related_name="assets")
    campaign = models.ForeignKey(
        "agency.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="media"
    )
    focal_x = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    focal_y = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROCESSING)
    processing_error = models.CharField(max_length=500, blank=True)
    # Bumped whenever renditions must be made again (focal point moved); a job for an older
    # version finds it changed and throws its work away.
    render_version = models.PositiveIntegerField(default=1)
    # When the worker last started on it, and how many times (the media sweep retries an asset
    # stuck in "processing" a bounded number of times, then marks it failed).
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "sha256"], name="media_asset_unique_file_per_client"),
            models.CheckConstraint(
                condition=Q(focal_x__isnull=True, focal_y__isnull=True)
                | Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="media_asset_focal_point_in_image",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["client", "kind", "-created_at"]),
            models.Index(fields=["-created_at", "-id"], name="media_created_idx"),  # every client's, newest first
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def focal_point(self) -> tuple[float, float] | None:
        if self.focal_x is None or self.focal_y is None:
            return None
        return (self.focal_x, self.focal_y)

    @property
    def failure_reason(self) -> str:
        """Why processing failed, without the sentence about the Retry button (which only the
        staff's asset page has): what the client portal shows."""
        return self.processing_error.removesuffix(RETRY_HINT).strip()

    # The attribute a lean list prefetches renditions into (a list, not a QuerySet per asset):
    # ``publishing.selectors.posts(thumbnails_only=True)``.
    PREFETCHED_RENDITIONS = "prefetched_renditions"

    def rendition(self, preset: str) -> MediaRendition | None:
        """The rendition made for ``preset`` (uses prefetched renditions when present)."""
        kept = getattr(self, self.PREFETCHED_RENDITIONS, None)
        return next((r for r in (self.renditions.all() if kept is None else kept) if r.preset == preset), None)


RETRY_HINT = "Use Retry to try again."  # ends processing_error (publishing.services.media.renditions)


class MediaRendition(models.Model):
    """A derived file of an asset: the thumbnail, a video's poster, or a platform preset (JPEG)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="renditions")
    preset = models.CharField(max_length=40)  # a name from publishing.media.presets
    file = models.FileField(max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset_id", "preset"]  # "asset" would join the asset to sort by its ordering
        constraints = [models.UniqueConstraint(fields=["asset", "preset"], name="media_rendition_unique_preset")]

    def __str__(self) -> str:
        return f"{self.asset} · {self.preset}"
