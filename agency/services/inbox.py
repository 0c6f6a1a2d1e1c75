"""Writes about what arrives from outside: leads and portal requests."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency.models import Client, Lead, PortalRequest, RequestMessage
from agency.services.activity import actor_label, record_event
from agency.services.clients import client_create
from agency.types import Actor, acting_user

LEAD_FIELDS = [
    "contact_name", "email", "phone", "business_name", "website", "industry", "location", "timezone", "services",
    "budget", "message",
]  # fmt: skip


@transaction.atomic
def lead_submit(*, source: str = Lead.Source.WEBSITE, **fields: Any) -> Lead:
    """A lead from the public intake form or the API (no signed-in actor)."""
    unknown = set(fields) - set(LEAD_FIELDS)
    if unknown:
        raise TypeError(f"Unknown lead fields: {', '.join(sorted(unknown))}")
    lead = Lead(source=source, **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()})
    lead.full_clean()
    lead.save()
    by = f"{lead.contact_name} ({lead.get_source_display()})"  # who sent it, not "system"
    record_event(None, "lead.submitted", lead, {"source": source}, by=by)
    return lead


def _undecided(lead: Lead) -> None:
    if lead.status != Lead.Status.NEW:
        raise ValidationError(f"This lead was already {lead.status.lower()} on {lead.decided_at:%d %b %Y}.")


@transaction.atomic
def lead_approve(*, actor: Actor, lead: Lead, **client_fields: Any) -> Client:
    """Turn a lead into a client (prefilled from the lead; ``client_fields`` override) and link them."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _undecided(lead)
    prefill = {
        "name": lead.business_name,
        "primary_contact_name": lead.contact_name,
        "primary_contact_email": lead.email,
        "primary_contact_phone": lead.phone,
        "industry": lead.industry,
        "location": lead.location,
        "timezone": lead.timezone,
        "website": lead.website,
        "notes": "\n\n".join(x for x in [lead.message, f"Services wanted: {lead.services}" if lead.services else "",
                                         f"Budget: {lead.budget}" if lead.budget else ""] if x),
        "status": Client.Status.ACTIVE,
    }  # fmt: skip
    client = client_create(actor=actor, **{**prefill, **client_fields})
    lead.status, lead.client, lead.decided_by, lead.decided_at = (
        Lead.Status.APPROVED,
        client,
        acting_user(actor),
        timezone.now(),
    )
    lead.save(update_fields=["status", "client", "decided_by", "decided_at", "updated_at"])
    record_event(
        actor, "lead.approved", lead, {"status": [Lead.Status.NEW, Lead.Status.APPROVED], "client": client.name}
    )
    return client


@transaction.atomic
def lead_reject(*, actor: Actor, lead: Lead, reason: str) -> Lead:
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _undecided(lead)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the lead is rejected (it stays on record)."})
    lead.status, lead.rejection_reason = Lead.Status.REJECTED, reason.strip()
    lead.decided_by, lead.decided_at = acting_user(actor), timezone.now()
    lead.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    record_event(actor, "lead.rejected", lead, {"status": [Lead.Status.NEW, Lead.Status.REJECTED], "comment": reason})
    return lead


@transaction.atomic
def portal_request_create(*, actor: Actor, client: Client, content: str, **fields: Any) -> PortalRequest:
    request = PortalRequest(client=client, content=content.strip(), created_by=acting_user(actor), **fields)
    request.full_clean()
    request.save()
    changes = {"priority": request.priority, "topic": request.topic}
    record_event(actor, "request.created", request, changes, by=client.name)  # by the client when nobody signed in
    return request


@transaction.atomic
def portal_request_set_status(*, actor: Actor, request: PortalRequest, status: str) -> PortalRequest:
    if status not in PortalRequest.Status.values:
        raise ValidationError({"status": f"Use one of {', '.join(PortalRequest.Status.values)}."})
    old = request.status
    if old != status:
        request.status = status
        request.save(update_fields=["status", "updated_at"])
        record_event(actor, "request.status_changed", request, {"status": [old, status]})
    return request


@transaction.atomic
def request_reply(*, actor: Actor, request: PortalRequest, body: str, from_staff: bool = True) -> RequestMessage:
    """Add a message to a request's conversation. A staff reply to a new request starts work on it."""
    if not body.strip():
        raise ValidationError({"body": "Write a message first."})
    message = RequestMessage.objects.create(
        request=request,
        author=acting_user(actor),
        author_label=actor_label(actor),
        from_staff=from_staff,
        body=body.strip(),
    )
    record_event(actor, "request.replied", request, {"comment": body.strip()[:200]})
    if from_staff and request.status == PortalRequest.Status.NEW:
        portal_request_set_status(actor=actor, request=request, status=PortalRequest.Status.WORKING)
    return message
