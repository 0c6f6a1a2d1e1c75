"""Webhook endpoints: where events go (a public https URL, the event types wanted), with their
Standard Webhooks signing secret (answered in full only when the endpoint is created)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from agency.models import User
from agency.services.activity import record_event
from agency.types import Actor
from integrations.models import WebhookEndpoint
from localbzz.events import EVENT_NAMES
from localbzz.net import is_loopback, outbound_refusal


def new_secret() -> str:
    """``whsec_`` + a base64 32-byte key: the Standard Webhooks secret format."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError({"url": ["Enter a full URL, e.g. https://example.com/hooks/localbzz."]})
    if parts.username or parts.password:
        raise ValidationError(
            {"url": ["Leave user names and passwords out of the URL; receivers verify our signature instead."]}
        )
    if parts.scheme != "https" and not (settings.DEBUG or is_loopback(parts.hostname)):
        raise ValidationError({"url": ["Use an https:// URL: webhook bodies carry client data."]})
    refusal = outbound_refusal(url)
    if refusal:
        raise ValidationError({"url": [refusal]})
    return url


def check_events(events: Iterable[str] | None, all_events: bool) -> list[str]:
    events = list(dict.fromkeys(events or []))
    unknown = [name for name in events if name not in EVENT_NAMES]
    if unknown:
        raise ValidationError(
            {"events": [f"Unknown event type(s): {', '.join(unknown)}. Choose from: {', '.join(EVENT_NAMES)}."]}
        )
    if not events and not all_events:
        raise ValidationError({"events": ["Choose at least one event type, or all events."]})
    return [] if all_events else events


@transaction.atomic
def webhook_endpoint_create(
    *,
    actor: Actor,
    url: str,
    events: list[str],
    all_events: bool = False,
    description: str = "",
    is_active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (the only time the secret is answered in full)."""
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=check_url(url),
        description=description.strip(),
        all_events=all_events,
        events=check_events(events, all_events),
        is_active=is_active,
        created_by=actor if isinstance(actor, User) else None,
    )
    endpoint.secret = secret
    endpoint.save()
    record_event(actor, "webhook.created", endpoint, {"url": endpoint.url}, client_scoped=False)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(*, actor: Actor, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changes: dict[str, Any] = {}
    if "url" in fields:
        fields["url"] = check_url(fields["url"])
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    if "events" in fields or "all_events" in fields:
        all_events = fields.get("all_events", endpoint.all_events)
        fields["all_events"] = all_events
        fields["events"] = check_events(fields.get("events", endpoint.events), all_events)
    for name in ("url", "description", "events", "all_events", "is_active"):
        if name in fields and getattr(endpoint, name) != fields[name]:
            changes[name] = [getattr(endpoint, name), fields[name]]
            setattr(endpoint, name, fields[name])
    if changes.get("is_active") == [False, True]:  # re-enabled: a fresh start for its health
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.failing_since, endpoint.consecutive_failures = None, 0
    if changes:
        endpoint.save()
        record_event(actor, "webhook.updated", endpoint, changes, client_scoped=False)
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    record_event(actor, "webhook.deleted", endpoint, {"url": endpoint.url}, client_scoped=False)
    endpoint.delete()
