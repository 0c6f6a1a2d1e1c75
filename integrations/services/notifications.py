"""Emails of the integrations app. Sent after the change commits; failures are logged, never raised."""

from __future__ import annotations

import logging
from uuid import UUID

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from agency import permissions
from agency.models import TeamMember
from integrations.models import WebhookEndpoint
from localbzz.app_urls import app_url

log = logging.getLogger(__name__)


def endpoint_disabled(endpoint_id: UUID | str) -> None:
    """Tell the staff who may manage integrations that an endpoint was disabled after failing for too long."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return
    staff = TeamMember.objects.select_related("user").filter(
        is_active=True, user__is_active=True, access_level__in=permissions.levels_allowed("manage_integrations")
    )
    to = sorted({m.user.email for m in staff if m.user.email})
    if not to:
        return
    context = {
        "endpoint": endpoint,
        "link": app_url(reverse("webhook-detail", args=[endpoint.pk])),
        "agency_name": settings.AGENCY_NAME,
    }
    try:
        send_mail(
            f"Webhook disabled: {endpoint}",
            render_to_string("integrations/emails/webhook_disabled.txt", context),
            None,
            to,
            html_message=render_to_string("integrations/emails/webhook_disabled.html", context),
        )
    except Exception:
        log.exception("Could not send the webhook-disabled email for endpoint %s", endpoint.pk)
