"""Reads of the integrations app."""

from __future__ import annotations

import hashlib
import hmac

from django.db.models import Count, Q, QuerySet

from integrations.models import ApiKey, WebhookDelivery, WebhookEndpoint


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_matching(raw: str) -> ApiKey | None:
    """The key ``raw`` is (any status), or None; compared in constant time."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "lbz" or not parts[1] or not parts[2]:
        return None
    key = ApiKey.objects.select_related("created_by").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw)):
        return None
    return key


def api_keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by")


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("created_by").annotate(
        delivered_count=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.DELIVERED)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
        queued_count=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[WebhookDelivery.Status.QUEUED, WebhookDelivery.Status.SENDING]),
        ),
    )


def webhook_deliveries(
    endpoint: WebhookEndpoint, *, status: str = "", event_type: str = ""
) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
    if status:
        qs = qs.filter(status=status)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return qs.order_by("-created_at", "-id")
