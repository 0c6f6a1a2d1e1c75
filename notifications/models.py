"""Notifications: one row per (recipient, domain event), and each person's choices per kind."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from notifications.kinds import KINDS

KIND_CHOICES = [(k.key, k.label) for k in KINDS.values()]


class Notification(models.Model):
    class Email(models.TextChoices):
        NONE = "", "Not wanted"
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    event_id = models.CharField(max_length=100)  # localbzz.events.Event.id: one notification per event
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    action = models.CharField(max_length=300, blank=True)  # what to do about it
    link = models.CharField(max_length=300, blank=True)  # a path in the staff app (a client's: a portal URL)
    link_label = models.CharField(max_length=60, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    in_app = models.BooleanField(default=True)  # shown in the bell (else email only)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=8, choices=Email.choices, blank=True, default=Email.NONE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    push_status = models.CharField(  # to the person's browsers: the same states as the email
        max_length=8, choices=Email.choices, blank=True, default=Email.NONE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_id"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "in_app", "read_at", "-created_at"]),
            models.Index(
                fields=["created_at"], condition=models.Q(email_status="pending"), name="notification_email_due"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A person's choice for one kind; without a row, the kind's default for their level applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=24, choices=KIND_CHOICES)
    in_app = models.BooleanField()
    email = models.BooleanField()
    push = models.BooleanField(null=True)  # None: the kind's default (the row predates browser push)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


class PushSubscription(models.Model):
    """One browser a person turned browser notifications on in (its Web Push subscription)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)  # the push service's URL for this browser
    p256dh = models.CharField(max_length=120)  # the browser's public key (base64url), encrypts the payload
    auth = models.CharField(max_length=40)  # the browser's auth secret (base64url)
    user_agent = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_success = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # sends that failed in a row

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} · {self.browser}"

    @property
    def browser(self) -> str:
        """What a person recognises their browser by ("Chrome on macOS")."""
        return browser_name(self.user_agent)


_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Mac OS X", "macOS"),
            ("Windows", "Windows"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]  # fmt: skip


def browser_name(user_agent: str) -> str:
    name = next((label for token, label in _BROWSERS if token in user_agent), "A browser")
    system = next((label for token, label in _SYSTEMS if token in user_agent), "")
    return f"{name} on {system}" if system else name
