"""Cloud storage connections of the agency and the folders of its shoots."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from agency.models import Shoot
from localbzz import crypto


class Provider(models.TextChoices):
    GOOGLE_DRIVE = "google_drive", "Google Drive"
    DROPBOX = "dropbox", "Dropbox"


class StorageConnection(models.Model):
    """The agency's account at one storage provider (one per provider). Tokens are encrypted
    (``localbzz.crypto``); a refresh that the provider refuses marks it ``needs_reconnect``."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(max_length=20, choices=Provider.choices, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    account_label = models.CharField(max_length=200, blank=True)
    scope = models.CharField(max_length=500, blank=True)
    access_token_encrypted = models.TextField(editable=False)
    refresh_token_encrypted = models.TextField(editable=False, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    connected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]

    def __str__(self) -> str:
        return self.get_provider_display()

    access_token = crypto.encrypted_property("access_token_encrypted")
    refresh_token = crypto.encrypted_property("refresh_token_encrypted")


class ShootFolder(models.Model):
    """A shoot's folder in the connected storage: made by us, or linked by URL."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shoot = models.OneToOneField(Shoot, on_delete=models.CASCADE, related_name="storage_folder")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    external_id = models.CharField(max_length=200)  # Drive file id; Dropbox "id:…"
    path = models.CharField(max_length=1000, blank=True)  # Dropbox path_display ("" on Drive)
    name = models.CharField(max_length=255)
    web_url = models.URLField(max_length=1000, blank=True)
    created_here = models.BooleanField(default=False)  # made by LocalBzz (else linked)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.name}"
