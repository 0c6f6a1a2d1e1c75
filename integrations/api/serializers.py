"""Serializers of the webhooks and API keys endpoints. Secrets are answered only on creation."""

from __future__ import annotations

import json

from rest_framework import serializers

from integrations import scopes
from integrations.models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from localbzz.events import EVENT_NAMES

WEBHOOK_HEALTH = ["ok", "failing", "disabled"]
API_KEY_STATUSES = ["active", "revoked", "expired"]

ENDPOINT_FIELDS = [
    "id", "url", "description", "all_events", "events", "is_active", "health", "disabled_reason", "disabled_at",
    "failing_since", "consecutive_failures", "last_success_at", "created_at", "updated_at",
]  # fmt: skip


class WebhookEndpointOut(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField())
    health = serializers.ChoiceField(choices=WEBHOOK_HEALTH, read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ENDPOINT_FIELDS
        read_only_fields = ENDPOINT_FIELDS


class WebhookEndpointCreated(WebhookEndpointOut):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret, answered this once: store it where your receiver can read it."
    )

    class Meta(WebhookEndpointOut.Meta):
        fields = [*ENDPOINT_FIELDS, "secret"]

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class WebhookEndpointIn(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https:// (http only for localhost or with DEBUG on).")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_NAMES)),
        required=False,
        default=list,
        help_text="Event types to receive; leave empty with all_events true to get every type.",
    )
    all_events = serializers.BooleanField(required=False, default=False)
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookAttemptOut(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number", "ok", "status_code", "duration_ms", "response_excerpt", "error", "started_at", "finished_at",
        ]  # fmt: skip


class WebhookDeliveryOut(serializers.ModelSerializer):
    attempt_log = WebhookAttemptOut(many=True, read_only=True)
    payload = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event_id", "event_type", "status", "attempts", "next_attempt_at", "last_status_code",
            "last_error", "delivered_at", "redelivery_of", "created_at", "payload", "attempt_log",
        ]  # fmt: skip

    def get_payload(self, delivery) -> dict:
        return json.loads(delivery.body)


class ApiKeyOut(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=API_KEY_STATUSES, read_only=True)
    created_by = serializers.EmailField(source="created_by.email", read_only=True)
    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scopes", "status", "created_by", "created_at", "expires_at",
                  "revoked_at", "last_used_at"]  # fmt: skip
        read_only_fields = fields


class ApiKeyCreated(ApiKeyOut):
    key = serializers.SerializerMethodField(help_text="The key, answered this once; it cannot be read again.")

    class Meta(ApiKeyOut.Meta):
        fields = [*ApiKeyOut.Meta.fields, "key"]
        read_only_fields = fields

    def get_key(self, key) -> str:
        return self.context["raw_key"]


class ApiKeyIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(scopes.SCOPES)),
        allow_empty=False,
        help_text="<area>:read or <area>:write (write includes read); areas: " + ", ".join(scopes.AREAS),
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
