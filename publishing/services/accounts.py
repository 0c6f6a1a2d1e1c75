"""Writes about social accounts: connect (manual token or OAuth), verify, posting slots, disable,
delete; a client's Publer workspace and importing its accounts."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agency import permissions
from agency.models import Client
from agency.services.activity import diff, record_event
from agency.types import Actor
from publishing import delivery
from publishing.connectors.base import PlatformError
from publishing.connectors.publer import workspace_accounts
from publishing.models import PublerConnection, SocialAccount
from publishing.states import TargetStatus as T

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_slots(slots: Any) -> list[dict[str, Any]]:
    """Posting slots: [{"day": 0-6 (Monday = 0), "time": "HH:MM"}], sorted, no duplicates."""
    if not isinstance(slots, list):
        raise ValidationError({"posting_slots": 'Give a list like [{"day": 0, "time": "09:30"}].'})
    clean = set()
    for slot in slots:
        try:
            day, at = int(slot["day"]), str(slot["time"])
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                {"posting_slots": 'Each slot needs a "day" (0 = Monday … 6) and a "time" (HH:MM).'}
            ) from None
        if not 0 <= day <= 6 or not _TIME.match(at):
            raise ValidationError({"posting_slots": f"“{slot}” is not a day 0–6 and a time HH:MM."})
        clean.add((day, at))
    return [{"day": d, "time": t} for d, t in sorted(clean)]


@transaction.atomic
def social_account_create(
    *, actor: Actor, client: Client, platform: str, name: str, external_id: str, token: str = "", route: str = "direct",
    handle: str = "", extra: dict[str, Any] | None = None, timezone_name: str = "",
    posting_slots: list[dict[str, Any]] | None = None,
    refresh_token: str = "", token_expires_at: datetime | None = None,
) -> SocialAccount:  # fmt: skip
    """Add an account (manual token entry, OAuth result, or a Publer import)."""
    permissions.require(actor, "manage_accounts")
    if route == SocialAccount.Route.DIRECT and not token:
        raise ValidationError({"token": "A direct account needs its access token (or connect it with OAuth)."})
    if timezone_name and timezone_name not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": f"“{timezone_name}” is not a known time zone."})
    account = SocialAccount(
        client=client,
        platform=platform,
        route=route,
        name=name.strip(),
        handle=handle.strip(),
        external_id=external_id.strip(),
        extra=extra or {},
        timezone=timezone_name,
        posting_slots=validate_slots(posting_slots or []),
        token_expires_at=token_expires_at,
    )
    if token:
        account.token = token
    if refresh_token:
        account.refresh_token = refresh_token
    account.full_clean(exclude=["token_encrypted", "refresh_token_encrypted"])
    account.save()
    record_event(actor, "social_account.connected", account, {"platform": platform, "route": route})
    return account


@transaction.atomic
def social_account_update(
    *, actor: Actor, account: SocialAccount, token: str | None = None, **changes: Any
) -> SocialAccount:
    """Rename, change the time zone or posting slots, replace the token (reconnects it), enable or disable."""
    permissions.require(actor, "manage_accounts")
    allowed = {"name", "handle", "timezone", "posting_slots", "status", "extra"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Unknown account fields: {', '.join(sorted(unknown))}")
    if "posting_slots" in changes:
        changes["posting_slots"] = validate_slots(changes["posting_slots"])
    if changes.get("timezone") and changes["timezone"] not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": f"“{changes['timezone']}” is not a known time zone."})
    if (
        changes.get("status") == SocialAccount.Status.CONNECTED
        and account.status == SocialAccount.Status.NEEDS_RECONNECT
        and not token
    ):
        raise ValidationError({"status": "Reconnect the account (a new token) before turning it back on."})
    changed = diff(account, sorted(allowed), changes)
    for name, value in changes.items():
        setattr(account, name, value)
    if token:
        account.token = token
        account.status, account.status_reason = SocialAccount.Status.CONNECTED, ""
        changed["token"] = "replaced"
    account.save()
    if changed:
        record_event(actor, "social_account.updated", account, changed)
    return account


def social_account_verify(*, actor: Actor, account: SocialAccount) -> tuple[bool, str]:
    """Ask the platform whether our token still works; a dead one marks the account needs_reconnect."""
    try:
        credentials = delivery.account_credentials(account)
        check = delivery.connector_for(account).check_account(credentials)
    except delivery.NotDeliverable as error:
        return False, str(error)
    except PlatformError as error:
        if error.kind == "auth_expired":
            delivery.mark_needs_reconnect(account, error.message)
            return False, delivery.reconnect_message(account, error.message)
        return False, f"Could not check right now: {error.message}"
    with transaction.atomic():
        fields: dict[str, Any] = {"last_verified_at": timezone.now()}
        if check.ok and account.status == SocialAccount.Status.NEEDS_RECONNECT:
            fields.update(status=SocialAccount.Status.CONNECTED, status_reason="")
        if check.expires_at:
            fields["token_expires_at"] = check.expires_at
        SocialAccount.objects.filter(pk=account.pk).update(**fields)
        record_event(actor, "social_account.verified", account, {"ok": check.ok, "message": check.message[:200]})
    if not check.ok:
        delivery.mark_needs_reconnect(account, check.message)
    return check.ok, check.message


@transaction.atomic
def social_account_delete(*, actor: Actor, account: SocialAccount) -> str:
    """Delete an account without history; one that has posted is disabled instead (its results stay)."""
    permissions.require(actor, "manage_accounts")
    if account.targets.filter(status__in=[T.SCHEDULED, T.PUBLISHING, T.UNCONFIRMED]).exists():
        raise ValidationError("Posts are scheduled on this account: cancel them or remove the account from them first.")
    if account.targets.exists():
        account.status, account.status_reason = SocialAccount.Status.DISABLED, "Removed by staff"
        account.save(update_fields=["status", "status_reason", "updated_at"])
        record_event(actor, "social_account.disabled", account, {})
        return "disabled"
    record_event(actor, "social_account.deleted", account, {"name": account.name}, client_scoped=True)
    account.delete()
    return "deleted"


@transaction.atomic
def publer_connect(*, actor: Actor, client: Client, workspace_id: str, api_key: str) -> PublerConnection:
    """Store a client's Publer workspace id and (encrypted) API key."""
    permissions.require(actor, "manage_accounts")
    if not workspace_id.strip() or not api_key.strip():
        raise ValidationError("Both the Publer workspace id and the API key are needed.")
    client.publer_workspace_id = workspace_id.strip()
    client.save(update_fields=["publer_workspace_id", "updated_at"])
    connection, _ = PublerConnection.objects.get_or_create(client=client, defaults={"api_key_encrypted": ""})
    connection.api_key = api_key.strip()
    connection.save()
    record_event(actor, "publer.connected", client, {"workspace_id": workspace_id.strip()})
    return connection


@transaction.atomic
def publer_import(*, actor: Actor, client: Client) -> int:
    """Add the client's Publer workspace accounts we do not have yet (route: publer)."""
    permissions.require(actor, "manage_accounts")
    connection = getattr(client, "publer", None)
    if connection is None:
        raise ValidationError("Save the client's Publer workspace and API key first.")
    networks = {"facebook": "facebook", "instagram": "instagram", "linkedin": "linkedin", "twitter": "x", "x": "x",
                "google": "google_business", "google_business": "google_business"}  # fmt: skip
    added = 0
    for item in workspace_accounts(connection.api_key, client.publer_workspace_id):
        platform = networks.get(str(item.provider).lower())
        if (
            platform is None
            or SocialAccount.objects.filter(client=client, platform=platform, external_id=item.id).exists()
        ):
            continue
        social_account_create(
            actor=actor,
            client=client,
            platform=platform,
            name=item.name,
            external_id=item.id,
            route=SocialAccount.Route.PUBLER,
        )
        added += 1
    connection.verified_at = timezone.now()
    connection.save(update_fields=["verified_at"])
    return added
