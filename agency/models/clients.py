from __future__ import annotations

import re
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from localbzz import app_urls

RESERVED_SLUGS = frozenset(
    {
        "www", "app", "api", "admin", "static", "media", "mail", "email", "smtp", "imap", "ftp", "portal",
        "help", "support", "status", "assets", "cdn", "dashboard", "login", "auth", "localhost", "staff",
        "docs", "blog", "billing", "webhooks", "ns1", "ns2", "test", "dev", "staging",
    }
)  # fmt: skip
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_slug(value: str) -> None:
    """A client's slug is its portal subdomain: a DNS label that is not one of ours."""
    if not _DNS_LABEL.match(value or ""):
        raise ValidationError(
            "Use 1–63 lowercase letters, digits and hyphens, not starting or ending with a hyphen "
            "(it becomes the portal address, e.g. joes-landscaping)."
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is reserved for LocalBzz itself; pick another portal address.")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone; use a name like America/New_York.")


def default_timezone() -> str:
    """A client (or a lead) is in the agency's zone unless someone says otherwise: never UTC by accident."""
    return settings.AGENCY_TIME_ZONE


def validate_colours(value) -> None:
    if not isinstance(value, list) or not all(isinstance(c, str) and _HEX_COLOUR.match(c) for c in value):
        raise ValidationError("Brand colours are hex codes like #1A2B3C.")
    if len(value) > 8:
        raise ValidationError("At most 8 brand colours.")


def logo_path(instance: Client, filename: str) -> str:
    return f"clients/{instance.pk}/brand/{filename}"


class Client(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "Active"
        INACTIVE = "Inactive"
        PITCHING = "Pitching"

    class ShootFrequency(models.TextChoices):
        MONTHLY = "Monthly"
        QUARTERLY = "Quarterly"
        PER_PROJECT = "Per Project"
        AD_HOC = "Ad Hoc"

    class LateApproval(models.TextChoices):
        """What happens to a post the client approves after its planned time has passed."""

        ASK_AGENCY = "ask_agency", "Ask the agency for a new time"
        PUBLISH_NOW = "publish_now", "Publish it at once"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField("business name", max_length=200)
    slug = models.CharField(
        "portal address",
        max_length=63,
        unique=True,
        validators=[validate_slug],
        help_text="The client's portal subdomain: <slug>.<portal domain>.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    industry = models.CharField(max_length=100, blank=True, help_text="e.g. landscaping, bakery")
    location = models.CharField(max_length=120, blank=True, help_text="City or area, e.g. Austin, TX")
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    primary_contact_name = models.CharField(max_length=120, blank=True)
    primary_contact_email = models.EmailField(blank=True)
    primary_contact_phone = models.CharField(max_length=40, blank=True)
    timezone = models.CharField(
        "time zone",
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text="Where the business is: its posts are planned, shown and counted in this zone.",
    )
    shoot_frequency = models.CharField(max_length=12, choices=ShootFrequency.choices, default=ShootFrequency.MONTHLY)
    default_reels = models.PositiveSmallIntegerField("reels per period", default=0)
    default_photos = models.PositiveSmallIntegerField("photos per period", default=0)
    default_carousels = models.PositiveSmallIntegerField("carousels per period", default=0)
    monthly_post_limit = models.PositiveIntegerField(
        default=8, help_text="Posts the client may submit per calendar month (in its time zone)."
    )
    brand_guidelines = models.TextField(blank=True, help_text="Tone, words to use and avoid, visual style.")
    brand_colors = models.JSONField("brand colours", default=list, blank=True, validators=[validate_colours])
    logo = models.ImageField(upload_to=logo_path, blank=True)
    publer_workspace_id = models.CharField(max_length=100, blank=True)
    portal_enabled = models.BooleanField(default=True)
    requires_client_approval = models.BooleanField(
        default=False, help_text="Posts the agency approves also wait for the client's approval."
    )
    late_approval = models.CharField(
        "if the client approves after the post's time",
        max_length=12,
        choices=LateApproval.choices,
        default=LateApproval.ASK_AGENCY,
        help_text="Publish a late-approved post at once, or tell the agency so it picks a new time.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def portal_url(self) -> str:
        return app_urls.portal_url(self.slug)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Campaign(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        DRAFT = "draft"
        ARCHIVED = "archived"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    goal = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    brief = models.TextField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
