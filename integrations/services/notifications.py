"""Emails of the integrations app, handed to ``localbzz.outbox`` (the notifications app sends
them). Sent after the change commits; failures are logged, never raised."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from agency import permissions
from integrations.models import WebhookEndpoint
from localbzz.app_urls import app_url
from localbzz.outbox import send_email


def endpoint_disabled(endpoint_id: UUID | str) -> None:
    """Tell the staff who may manage integrations that an endpoint was disabled after failing for too long."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return
    context = {
        "endpoint": endpoint,
        "link": app_url(reverse("webhook-detail", args=[endpoint.pk])),
        "agency_name": settings.AGENCY_NAME,
    }
    send_email(
        kind="webhook_disabled",
        to=[user.email for user in permissions.staff_who_can("manage_integrations")],
        subject=f"Webhook disabled: {endpoint}",
        text=render_to_string("integrations/emails/webhook_disabled.txt", context),
        html=render_to_string("integrations/emails/webhook_disabled.html", context),
    )
