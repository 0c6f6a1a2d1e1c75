"""Where posts go: a client's social accounts (direct or through its Publer workspace)."""

from __future__ import annotations

import uuid
import zoneinfo

from django.db import models

from localbzz import crypto


class SocialAccount(models.Model):
    class Platform(models.TextChoices):
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        LINKEDIN = "linkedin", "LinkedIn"
        X = "x", "X"
        GOOGLE_BUSINESS = "google_business", "Google Business Profile"

    class Route(models.TextChoices):
        DIRECT = "direct", "Direct"
        PUBLER = "publer", "Through Publer"

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        DISABLED = "disabled", "Disabled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="social_accounts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    route = models.CharField(max_length=6, choices=Route.choices, default=Route.DIRECT)
    name = models.CharField(max_length=200, help_text="The page, profile or location name.")
    handle = models.CharField(max_length=100, blank=True, help_text="@username, where the platform has one.")
    external_id = models.CharField(
        max_length=200, help_text="Page id, Instagram user id, LinkedIn author URN, X user id, GBP location path."
    )
    extra = models.JSONField(default=dict, blank=True)  # platform ids the connector needs (e.g. Publer account id)
    token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)
    status_reason = models.CharField(max_length=300, blank=True)
    timezone = models.CharField(max_length=64, blank=True, help_text="Empty: the client's time zone.")
    posting_slots = models.JSONField(
        default=list,
        blank=True,
        help_text='Times "add to queue" uses, e.g. [{"day": 0, "time": "09:30"}] (0 = Monday).',
    )
    paused_until = models.DateTimeField(null=True, blank=True)  # the platform rate-limited this account
    last_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client__name", "platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "platform", "external_id"], name="one_account_per_platform_id")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str) -> None:
        self.token_encrypted = crypto.encrypt(value)

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = crypto.encrypt(value)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone or self.client.timezone)


class PublerConnection(models.Model):
    """A client's Publer workspace key (the workspace id is on the client)."""

    client = models.OneToOneField("agency.Client", on_delete=models.CASCADE, related_name="publer")
    api_key_encrypted = models.TextField(editable=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Publer for {self.client}"

    @property
    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted)

    @api_key.setter
    def api_key(self, value: str) -> None:
        self.api_key_encrypted = crypto.encrypt(value)


class PlatformPause(models.Model):
    """An app-wide rate limit: no calls to this platform until ``paused_until``."""

    platform = models.CharField(max_length=16, primary_key=True)
    paused_until = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.platform} paused until {self.paused_until}"
