"""What arrives from outside: leads from the public form, and requests from client portals."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from agency.models.clients import Client, default_timezone, validate_timezone


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "New"
        APPROVED = "Approved"
        REJECTED = "Rejected"

    class Source(models.TextChoices):
        WEBSITE = "website", "Website form"
        API = "api", "API"
        REFERRAL = "referral", "Referral"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contact_name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    business_name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    industry = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=120, blank=True)
    timezone = models.CharField(
        "time zone",
        max_length=64,
        default=default_timezone,
        validators=[validate_timezone],
        help_text="Where the business is; the client gets this zone when the lead is approved.",
    )
    services = models.CharField("services wanted", max_length=300, blank=True)
    budget = models.CharField(max_length=60, blank=True)
    message = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEBSITE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    rejection_reason = models.TextField(blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.business_name} ({self.contact_name})"


class PortalRequest(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "Request"
        INSIGHT = "Insight"

    class Priority(models.TextChoices):
        NORMAL = "Normal"
        URGENT = "Urgent"

    class Topic(models.TextChoices):
        CONTENT = "Content"
        STRATEGY = "Strategy"
        BUSINESS_UPDATE = "Business Update"
        GENERAL = "General"

    class Status(models.TextChoices):
        NEW = "New"
        WORKING = "Working"
        DONE = "Done"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="requests")
    content = models.TextField()
    kind = models.CharField("type", max_length=8, choices=Kind.choices, default=Kind.REQUEST)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    topic = models.CharField(max_length=16, choices=Topic.choices, default=Topic.GENERAL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "priority", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.topic}: {self.content[:60]}"


class RequestMessage(models.Model):
    """One message in the conversation about a portal request (staff or client)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(PortalRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(max_length=200)
    from_staff = models.BooleanField(default=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:40]}"
