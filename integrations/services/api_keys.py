"""API keys: made by admins, shown once, stored as a SHA-256 hash, scoped, revocable."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency.permissions import require
from agency.services.activity import record_event
from agency.types import Actor, signed_in
from integrations import scopes as scope_rules
from integrations.models import ApiKey
from integrations.selectors import hash_key


@transaction.atomic
def api_key_create(
    *, actor: Actor, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key and its full text (the only time it exists outside the caller's hands)."""
    require(actor, "manage_integrations")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Name the key after what uses it, e.g. 'Zapier'."]})
    try:
        scopes = scope_rules.normalise(scopes or [])
    except ValueError as error:
        raise ValidationError({"scopes": [str(error)]}) from None
    if not scopes:
        raise ValidationError({"scopes": ["Give the key at least one scope, e.g. crm:read."]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["Choose a time in the future, or leave it empty for no expiry."]})
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    raw = f"lbz_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        key_hash=hash_key(raw),
        scopes=scopes,
        created_by=signed_in(actor),
        expires_at=expires_at,
    )
    record_event(actor, "api_key.created", key, {"scopes": scopes}, client_scoped=False)
    return key, raw


@transaction.atomic
def api_key_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    require(actor, "manage_integrations")
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record_event(actor, "api_key.revoked", key, {"revoked": True}, client_scoped=False)
    return key
