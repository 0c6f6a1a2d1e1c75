"""Bulk scheduling from CSV: validate every row, preview, then create every post or none."""

from __future__ import annotations

import csv
import io
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from agency.models import Client
from publishing import delivery, rules
from publishing.forms import parse_tags
from publishing.models import MediaAsset, Post, SocialAccount
from publishing.services import posts as post_services
from publishing.services import scheduling

COLUMNS = ["client", "platforms", "scheduled_at", "caption", "hashtags", "media", "cta"]
REQUIRED = ["client", "platforms", "scheduled_at", "caption"]


@dataclass
class BulkRow:
    line: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    client: Client | None = None
    accounts: list[SocialAccount] = field(default_factory=list)
    media: list[MediaAsset] = field(default_factory=list)
    when: datetime | None = None


@dataclass
class BulkReport:
    rows: list[BulkRow]
    problems: list[str] = field(default_factory=list)
    created: list = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.problems and all(not r.errors for r in self.rows)


def parse(text: str) -> BulkReport:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    report = BulkReport(rows=[])
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if missing:
        report.problems.append(f"Missing columns: {', '.join(missing)}.")
    if unknown:
        report.problems.append(f"Unknown columns: {', '.join(unknown)} (use {', '.join(COLUMNS)}).")
    if report.problems:
        return report
    clients = {c.slug: c for c in Client.objects.all()}
    for line, record in enumerate(reader, start=2):
        row = BulkRow(line=line, raw={k.strip(): (v or "").strip() for k, v in record.items() if k})
        report.rows.append(row)
        _check_row(row, clients)
    if not report.rows:
        report.problems.append("The file has no rows under its header.")
    return report


def _check_row(row: BulkRow, clients: dict[str, Client]) -> None:
    row.client = clients.get(row.raw.get("client", "").lower())
    if row.client is None:
        row.errors.append(f"client: no client with the portal address “{row.raw.get('client')}”.")
        return
    wanted = [p.strip().lower() for p in row.raw.get("platforms", "").replace(";", ",").split(",") if p.strip()]
    accounts = {a.platform: a for a in SocialAccount.objects.filter(client=row.client, status="connected")}
    if not wanted:
        row.errors.append("platforms: list at least one, e.g. instagram;facebook.")
    for platform in wanted:
        if platform not in rules.PLATFORMS:
            row.errors.append(f"platforms: “{platform}” is not one of {', '.join(rules.PLATFORMS)}.")
        elif platform not in accounts:
            row.errors.append(
                f"platforms: {row.client.name} has no connected {rules.PLATFORM_LABELS[platform]} account."
            )
        else:
            row.accounts.append(accounts[platform])
    try:
        naive = datetime.strptime(row.raw.get("scheduled_at", ""), "%Y-%m-%d %H:%M")
        row.when = naive.replace(tzinfo=zoneinfo.ZoneInfo(row.client.timezone))
        if row.when <= timezone.now():
            row.errors.append("scheduled_at: that time has passed.")
    except ValueError:
        row.errors.append(
            f"scheduled_at: use YYYY-MM-DD HH:MM in {row.client.name}'s time zone ({row.client.timezone})."
        )
    names = [n.strip() for n in row.raw.get("media", "").split(",") if n.strip()]
    if names:
        found = {a.original_name: a for a in MediaAsset.objects.filter(client=row.client, original_name__in=names)}
        for name in names:
            if name in found:
                row.media.append(found[name])
            else:
                row.errors.append(f"media: {name} is not in {row.client.name}'s library.")
    text = _post(row).text_for()
    for account in row.accounts:
        problems, _ = rules.check(account.platform, text=text, media=[delivery.media_facts(a) for a in row.media])
        row.errors += [f"{rules.PLATFORM_LABELS[account.platform]}: {p.message}" for p in problems]


def _post(row: BulkRow):
    return Post(
        caption=row.raw.get("caption", ""), hashtags=parse_tags(row.raw.get("hashtags", "")), cta=row.raw.get("cta", "")
    )


@transaction.atomic
def create_all(*, actor, report: BulkReport) -> BulkReport:
    """Create, approve and schedule every row's post; any failure undoes them all."""
    if not report.valid:
        return report
    for row in report.rows:
        post = post_services.post_create(
            actor=actor,
            client=row.client,
            caption=row.raw.get("caption", ""),
            hashtags=parse_tags(row.raw.get("hashtags", "")),
            cta=row.raw.get("cta", ""),
            media=row.media,
            accounts=row.accounts,
            scheduled_at=row.when,
        )
        post_services.post_approve(actor=actor, post=post)
        post.refresh_from_db()
        if post.status == "approved":
            scheduling.post_schedule(actor=actor, post=post, scheduled_at=row.when)
        report.created.append(post)
    return report
