from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from agency.activity_display import VERB_WORDS, summary


class ActivityEvent(models.Model):
    """One entry of the activity trail: who did what to which thing, and what changed.

    Written only through ``agency.services.activity.record_event``.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)  # kept when the user is deleted
    verb = models.CharField(max_length=64)  # "<thing>.<what happened>", e.g. "post.approved"
    # No target for what concerns no stored thing (a failed sign-in with an unknown email).
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    # The client the change concerns (for a client's activity tab); None for agency-wide things.
    client = models.ForeignKey(
        "agency.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="activity"
    )
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="activity_target_idx"),
            models.Index(fields=["verb", "-created_at"], name="activity_verb_idx"),
            models.Index(fields=["-created_at", "-id"], name="activity_recent_idx"),  # the default order
            models.Index(fields=["client", "-created_at", "-id"], name="activity_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.verb} {self.target_label}"

    @property
    def summary(self) -> str:
        """A short human sentence, e.g. 'Status: To do → In progress' (agency.activity_display)."""
        return summary(self)

    @property
    def verb_display(self) -> str:
        return VERB_WORDS.get(self.verb) or self.verb.split(".", 1)[-1].replace("_", " ")
