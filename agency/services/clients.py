"""Writes about clients and their campaigns."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from agency.models import RESERVED_SLUGS, Campaign, Client
from agency.services.activity import diff, record_event
from agency.types import Actor
from localbzz.csv_import import ImportReport, ImportRow, run_import

CLIENT_FIELDS = [
    "name", "slug", "status", "industry", "location", "website", "description", "primary_contact_name",
    "primary_contact_email", "primary_contact_phone", "timezone", "shoot_frequency", "default_reels",
    "default_photos", "default_carousels", "monthly_post_limit", "brand_guidelines", "brand_colors", "logo",
    "publer_workspace_id", "portal_enabled", "requires_client_approval", "late_approval", "notes",
]  # fmt: skip
CAMPAIGN_FIELDS = ["name", "goal", "status", "brief", "starts_on", "ends_on"]


def slug_suggest(name: str, taken: set[str] | None = None) -> str:
    """A free portal address made from a business name: 'Joe's Landscaping' -> 'joes-landscaping'."""
    base = slugify(name.replace("'", "").replace("’", "")).replace("_", "-")[:55].strip("-") or "client"
    if base in RESERVED_SLUGS:
        base = f"{base}-co"
    taken = set(taken or ())
    candidate, n = base, 2
    while candidate in taken or Client.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@transaction.atomic
def client_create(*, actor: Actor, name: str, slug: str = "", **fields: Any) -> Client:
    """Create a client; the slug (portal address) is made from the name when not given."""
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown client fields: {', '.join(sorted(unknown))}")
    client = Client(name=name.strip(), slug=(slug or slug_suggest(name)).strip().lower(), **fields)
    client.full_clean()
    client.save()
    record_event(actor, "client.created", client, {"status": client.status, "slug": client.slug})
    return client


@transaction.atomic
def client_update(*, actor: Actor, client: Client, **changes: Any) -> Client:
    unknown = set(changes) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown client fields: {', '.join(sorted(unknown))}")
    changed = diff(client, CLIENT_FIELDS, changes)
    if "logo" in changed:
        changed["logo"] = [bool(changed["logo"][0]), bool(changes["logo"])]
    for name, value in changes.items():
        setattr(client, name, value)
    client.full_clean()
    client.save()
    if changed:
        record_event(actor, "client.updated", client, changed)
    return client


@transaction.atomic
def client_delete(*, actor: Actor, client: Client) -> None:
    """Delete a client with its campaigns, shoots, deliverables and requests; its tasks and
    generation tasks (jobs) stay, without a client."""
    record_event(actor, "client.deleted", client, {"name": client.name}, client_scoped=False)
    client.delete()


@transaction.atomic
def campaign_create(*, actor: Actor, client: Client, name: str, **fields: Any) -> Campaign:
    campaign = Campaign(client=client, name=name.strip(), **fields)
    campaign.full_clean()
    _check_campaign_dates(campaign)
    campaign.save()
    record_event(actor, "campaign.created", campaign, {"status": campaign.status})
    return campaign


@transaction.atomic
def campaign_update(*, actor: Actor, campaign: Campaign, **changes: Any) -> Campaign:
    changed = diff(campaign, CAMPAIGN_FIELDS, changes)
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    _check_campaign_dates(campaign)
    campaign.save()
    if changed:
        record_event(actor, "campaign.updated", campaign, changed)
    return campaign


@transaction.atomic
def campaign_delete(*, actor: Actor, campaign: Campaign) -> None:
    """Delete a campaign; shoots, deliverables, tasks (and later posts) keep existing without it."""
    record_event(actor, "campaign.deleted", campaign, {"name": campaign.name})
    campaign.delete()


def _check_campaign_dates(campaign: Campaign) -> None:
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": "The campaign cannot end before it starts."})


# CSV import ---------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    "name", "slug", "status", "industry", "location", "website", "primary_contact_name", "primary_contact_email",
    "primary_contact_phone", "timezone", "shoot_frequency", "monthly_post_limit",
]  # fmt: skip


REQUIRED_COLUMNS = ["name"]


def clients_import(*, actor: Actor | None, text: str, commit: bool) -> ImportReport[dict[str, Any], Client]:
    """Check every row of a CSV of clients; with ``commit``, create them all in one transaction,
    only when every row is valid (``localbzz.csv_import``). The report lists each row's errors by
    line and column."""

    def check(rows: list[ImportRow[dict[str, Any]]]) -> None:
        _check_client_rows(rows)

    def write(row: ImportRow[dict[str, Any]]) -> Client:
        assert row.data is not None
        return client_create(actor=actor, **row.data)

    return run_import(text, columns=IMPORT_COLUMNS, required=REQUIRED_COLUMNS, check=check, write=write, commit=commit)


def _check_client_rows(rows: list[ImportRow[dict[str, Any]]]) -> None:
    taken: set[str] = set()
    existing = {name.casefold(): slug for name, slug in Client.objects.values_list("name", "slug")}
    seen: dict[str, int] = {}  # name -> line of its first row
    for row in rows:
        values: dict[str, Any] = dict(row.values)
        if not values.get("name"):
            row.error("name", "a business name is required.")
            continue
        # A name seen before is most likely the same business twice: refused, unless the row gives
        # its own portal address (the explicit choice of a second business with that name).
        key = values["name"].casefold()
        if not values.get("slug"):
            if key in existing:
                row.error(
                    "name",
                    f"“{values['name']}” is already a client (portal address {existing[key]}). Remove this "
                    "row, or give it a slug of its own if it is another business with the same name.",
                )
            elif key in seen:
                row.error(
                    "name",
                    f"“{values['name']}” is also on line {seen[key]}. Remove one of the rows, or give this "
                    "one a slug of its own if it is another business with the same name.",
                )
        seen.setdefault(key, row.line)
        if row.errors:
            continue  # no portal address is made up for a refused row
        values["slug"] = (values.get("slug") or slug_suggest(values["name"], taken)).lower()
        row.values["slug"] = values["slug"]  # the preview shows the portal address it will get
        for key in ("status", "shoot_frequency", "timezone"):
            if not values.get(key):
                values.pop(key, None)
        if values.get("monthly_post_limit", "") == "":
            values.pop("monthly_post_limit", None)
        if values["slug"] in taken:
            row.error("slug", f"“{values['slug']}” appears twice in this file.")
        taken.add(values["slug"])
        try:
            Client(**values).full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row.error(name, " ".join(messages))
        row.data = values
