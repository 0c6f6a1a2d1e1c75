"""Who may use a client's portal."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ClientUser(models.Model):
    """A person of a client business who signs in on its portal. One client per user."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_user")
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="portal_users")
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user.email} ({self.client.name})"
