"""What the platforms say a published post and an account achieved.

NULL in a figure means "the platform did not give it" (no permission, not offered for this kind of
post, not fetched yet) and the reason is in ``unavailable``; it is never stored as 0.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

# The figures every target row and snapshot carries, in the order they are shown.
FIGURES: tuple[str, ...] = (
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "views",
    "engagements",
)
# The interactions engagements adds up (those available).
INTERACTIONS: tuple[str, ...] = ("likes", "comments", "shares", "saves", "clicks")

# When a published target is synced, counted from its publishing time: 1 h, 6 h, 24 h, 3 d, 7 d, 28 d.
SYNC_LADDER_HOURS: tuple[int, ...] = (1, 6, 24, 72, 168, 672)


class Figures(models.Model):
    impressions = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True, help_text="Likes or reactions.")
    comments = models.BigIntegerField(null=True, blank=True)
    shares = models.BigIntegerField(null=True, blank=True, help_text="Shares, reposts, retweets (with quotes).")
    saves = models.BigIntegerField(null=True, blank=True, help_text="Saves or bookmarks.")
    clicks = models.BigIntegerField(null=True, blank=True)
    views = models.BigIntegerField(null=True, blank=True, help_text="Video or reel views, profile views.")
    engagements = models.BigIntegerField(null=True, blank=True, help_text="The available interactions added up.")

    class Meta:
        abstract = True

    def figures(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in FIGURES}


class TargetMetrics(Figures):
    """The latest figures of one published target (one post on one account)."""

    target = models.OneToOneField("publishing.PostTarget", on_delete=models.CASCADE, related_name="metrics")
    # Denormalised from the target for the selectors' range scans (a client's posts published in a
    # period, counted per post without joining the targets).
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16)
    published_at = models.DateTimeField()
    raw = models.JSONField(default=dict, blank=True, help_text="The platform's own names and values.")
    unavailable = models.JSONField(default=dict, blank=True, help_text="{metric: why it is missing}")
    synced_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    sync_step = models.PositiveSmallIntegerField(default=0, help_text="Index into the 1 h … 28 d ladder.")
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "target metrics"
        indexes = [
            models.Index(fields=["client", "published_at"], name="tmetrics_client_published_idx"),
            # Agency-wide periods: the columns the selectors sum, count and group by are in the index
            # itself (PostgreSQL reads the period from the index alone, not from the wide rows).
            models.Index(
                fields=["published_at"],
                include=["client", "post", "platform", *FIGURES, "unavailable"],
                name="tmetrics_published_cover_idx",
            ),
            models.Index(fields=["next_sync_at"], name="tmetrics_due_idx", condition=Q(next_sync_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Metrics of {self.target_id}"


class MetricSnapshot(Figures):
    """One sync's figures of a target: the growth curve. One per ladder step (and per manual refresh)."""

    target = models.ForeignKey("publishing.PostTarget", on_delete=models.CASCADE, related_name="metric_snapshots")
    taken_at = models.DateTimeField()
    step = models.SmallIntegerField(help_text="The ladder step it was taken for; -1 for a manual refresh.")

    class Meta:
        ordering = ["target", "taken_at"]
        indexes = [models.Index(fields=["target", "taken_at"], name="snapshot_target_taken_idx")]
        constraints = [
            # A snapshot per ladder step, never two (a retried or concurrent sync cannot double it).
            models.UniqueConstraint(fields=["target", "step"], name="one_snapshot_per_step", condition=Q(step__gte=0))
        ]

    def __str__(self) -> str:
        return f"{self.target_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class AccountMetrics(models.Model):
    """One account's audience on one day (its local day of the sync)."""

    account = models.ForeignKey("publishing.SocialAccount", on_delete=models.CASCADE, related_name="daily_metrics")
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16)
    day = models.DateField()
    followers = models.BigIntegerField(null=True, blank=True)
    extras = models.JSONField(
        default=dict, blank=True, help_text="Platform figures, e.g. Google Business calls, direction requests."
    )
    unavailable = models.JSONField(default=dict, blank=True, help_text="{metric: why it is missing}")
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "account metrics"
        ordering = ["account", "day"]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="one_account_metrics_per_day")]
        indexes = [models.Index(fields=["client", "day"], name="ametrics_client_day_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.day}"
