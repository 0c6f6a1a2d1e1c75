"""Posts and their targets (one target per social account)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile

from publishing.models.accounts import SocialAccount
from publishing.models.media import MediaAsset
from publishing.states import PostStatus, TargetStatus


class Post(models.Model):
    # What publishing.selectors.calendar_posts puts on the posts of a calendar cell (not columns),
    # and what publishing.views.posts.calendar's chips add.
    platform_names: list[str]
    platform_keys: list[str]
    thumbnail: str | None
    label: str
    time_label: str
    zone_label: str
    url: str
    move_url: str
    thumb_url: str
    movable: bool  # portal.services.content.mark_movable: may the client move it on its calendar

    class Source(models.TextChoices):
        PORTAL = "portal", "Client portal"
        STAFF = "staff", "Staff"
        API = "api", "API"
        GENERATION = "generation", "Generated"

    class Placement(models.TextChoices):
        FEED = "feed", "Feed post"
        STORY = "story", "Story"
        REEL = "reel", "Reel"

    Status = PostStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="posts")
    campaign = models.ForeignKey(
        "agency.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    title = models.CharField(max_length=200, blank=True, help_text="For people; never published.")
    caption = models.TextField(blank=True)
    hashtags = models.JSONField(default=list, blank=True, help_text="Without the #.")
    cta = models.CharField("call to action", max_length=200, blank=True, help_text="A line at the end, e.g. Book now →")
    cta_action = models.CharField(max_length=12, blank=True, help_text="Google Business Profile button: BOOK, ORDER, …")
    cta_url = models.URLField(blank=True)
    link = models.URLField(blank=True)
    placement = models.CharField(max_length=5, choices=Placement.choices, default=Placement.FEED)
    topic = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True, help_text="From the client or for the team; never published.")
    alt_text = models.CharField(max_length=1000, blank=True)
    media = models.ManyToManyField(MediaAsset, through="PostMedia", related_name="posts", blank=True)
    status = models.CharField(max_length=24, choices=PostStatus.choices, default=PostStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    client_approved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)  # counts toward the month's limit
    published_at = models.DateTimeField(null=True, blank=True)
    # When the agency was told the post's time passed while it waited (publishing.services.missed);
    # cleared when it gets a new time or is published now.
    missed_at = models.DateTimeField(null=True, blank=True)
    missed_reason = models.CharField(max_length=16, blank=True)  # a key of publishing.services.missed.REASONS
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Every list's default order and filter has its index (PostgreSQL plans are pinned
            # by publishing/tests/test_query_plans.py).
            models.Index(fields=["client", "status", "scheduled_at"], name="post_client_status_when_idx"),
            models.Index(fields=["status", "scheduled_at"]),
            models.Index(fields=["client", "submitted_at"]),
            models.Index(fields=["-created_at", "-id"], name="post_created_idx"),  # the API's order
            models.Index(fields=["-scheduled_at", "-created_at"], name="post_scheduled_idx"),  # list, calendar
            # Posts flagged as having missed their time (a handful): the dashboard's attention panel.
            models.Index(fields=["missed_at"], name="post_missed_idx", condition=Q(missed_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title or (self.caption[:60] + ("…" if len(self.caption) > 60 else "")) or "Untitled post"

    def text_for(self, override: str = "") -> str:
        """What goes out: the caption (or a per-platform override), the call to action, the hashtags."""
        if override:
            return override
        parts = [self.caption.strip()]
        if self.cta.strip():
            parts.append(self.cta.strip())
        if self.hashtags:
            parts.append(" ".join(f"#{tag.lstrip('#')}" for tag in self.hashtags))
        return "\n\n".join(p for p in parts if p)

    # The attributes a lean list prefetches into (plain lists, not a QuerySet per post):
    # ``publishing.selectors.posts(plain_lists=True)``; read through the two methods below.
    PREFETCHED_TARGETS = "prefetched_targets"
    PREFETCHED_MEDIA = "prefetched_media"

    def target_list(self) -> list[PostTarget]:
        """The post's targets: the prefetched plain list when there is one, else ``targets.all()``."""
        kept = getattr(self, self.PREFETCHED_TARGETS, None)
        return list(self.targets.all()) if kept is None else kept

    def media_list(self) -> list[PostMedia]:
        """The post's own media rows, in order (the prefetched plain list when there is one)."""
        kept = getattr(self, self.PREFETCHED_MEDIA, None)
        return list(self.post_media.all()) if kept is None else kept

    def all_assets(self) -> list[MediaAsset]:
        """Every photo and video the post shows anywhere, once, in order: its own media, then each
        target's own (the wizard gives each platform its generated image). Uses prefetches."""
        assets = [pm.asset for pm in self.media_list()]
        assets += [tm.asset for target in self.target_list() for tm in target.media_list()]
        return list({asset.pk: asset for asset in assets}.values())


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_media")
    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="post_uses")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "post media"
        constraints = [models.UniqueConstraint(fields=["post", "asset"], name="post_media_once")]

    def __str__(self) -> str:
        return f"{self.asset} in {self.post}"


class PostTarget(models.Model):
    """One post on one social account: what the dispatcher schedules and the workers publish.

    Exactly-once: a worker may call the platform only after moving ``phase`` from "" to "sending"
    while holding the lease (``lease_owner``/``lease_until``), in one conditional UPDATE. A crash
    after that leaves the target "sending" → it becomes ``unconfirmed`` and is verified against
    the platform before anything is sent again.
    """

    Status = TargetStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="targets")
    caption_override = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=TargetStatus.choices, default=TargetStatus.PENDING)
    scheduled_at = models.DateTimeField(null=True, blank=True)  # planned time on this account
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # when the dispatcher may take it
    attempts = models.PositiveSmallIntegerField(default=0)
    verify_attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=80, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=8, blank=True)  # "" or "sending"
    # When the latest send began (set with phase "sending"): where verification starts looking.
    sent_at = models.DateTimeField(null=True, blank=True)
    checkpoint = models.JSONField(default=dict, blank=True)  # connector progress (container ids, job ids)
    media_choices = models.JSONField(default=list, blank=True)  # per media: "original" or a rendition preset
    external_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    remote_state = models.CharField(max_length=20, blank=True)  # where the platform holds the schedule (Publer)
    published_at = models.DateTimeField(null=True, blank=True)
    error_kind = models.CharField(max_length=16, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account__platform"]
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="one_target_per_account")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="target_due_idx", condition=Q(status__in=["scheduled", "unconfirmed"])
            ),
            models.Index(
                fields=["lease_until"], name="target_lease_idx", condition=Q(status__in=["publishing", "unconfirmed"])
            ),
            models.Index(fields=["status", "-updated_at"], name="target_status_updated_idx"),  # failed, lately
            # Scheduled and never tried, by time: those past their time are stuck (publishing.services.missed).
            models.Index(
                fields=["scheduled_at"],
                name="target_unsent_idx",
                condition=Q(status="scheduled", attempts=0, remote_state=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} → {self.account}"

    @property
    def platform(self) -> str:
        return self.account.platform

    @property
    def text(self) -> str:
        return self.post.text_for(self.caption_override)

    PREFETCHED_MEDIA = "prefetched_media"  # as Post's: ``selectors.posts(plain_lists=True)``

    def media_list(self) -> list[TargetMedia]:
        """The target's own media rows, in order (the prefetched plain list when there is one)."""
        kept = getattr(self, self.PREFETCHED_MEDIA, None)
        return list(self.target_media.all()) if kept is None else kept

    def assets(self) -> list[MediaAsset]:
        """What this target sends: its own media when it has some (a generated image sized for its
        platform), else the post's. Uses prefetched ``target_media``/``post_media`` when present."""
        own = [tm.asset for tm in self.media_list()]
        return own or [pm.asset for pm in self.post.media_list()]

    def previews(self) -> list[tuple[MediaAsset, FieldFile | None]]:
        """(asset, file to show) per medium, as it will appear on this account: the platform-sized
        rendition scheduling chose for it (``media_choices``), else the thumbnail (else None)."""
        out: list[tuple[MediaAsset, FieldFile | None]] = []
        for i, asset in enumerate(self.assets()):
            choice = self.media_choices[i] if i < len(self.media_choices or []) else "original"
            shown = (asset.rendition(choice) if choice != "original" else None) or asset.rendition("thumbnail")
            out.append((asset, shown.file if shown else None))
        return out


class TargetMedia(models.Model):
    """A target's own media, in order, used instead of the post's (e.g. one generated image per
    platform, each at that platform's size, in one post)."""

    target = models.ForeignKey(PostTarget, on_delete=models.CASCADE, related_name="target_media")
    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="target_uses")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "target media"
        constraints = [models.UniqueConstraint(fields=["target", "asset"], name="target_media_once")]

    def __str__(self) -> str:
        return f"{self.asset} for {self.target}"
