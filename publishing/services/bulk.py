"""Bulk scheduling from CSV: check every row, preview, then create, approve and schedule every
post or none (the pipeline is ``localbzz.csv_import``)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from agency.models import Client, User
from localbzz.csv_import import ImportReport, ImportRow, run_import
from publishing import delivery, rules
from publishing.forms import parse_tags
from publishing.models import MediaAsset, Post, SocialAccount
from publishing.services import posts as post_services
from publishing.services import scheduling

COLUMNS = ["client", "platforms", "scheduled_at", "caption", "hashtags", "media", "cta"]
REQUIRED = ["client", "platforms", "scheduled_at", "caption"]
# The column a platform rule's problem is about (rules.Problem.field → the CSV's column).
PROBLEM_COLUMNS = {"caption": "caption", "media": "media", "cta": "cta", "accounts": "platforms"}


@dataclass
class BulkPost:
    """What a row becomes: its client, accounts, media and time (in the client's zone)."""

    client: Client
    accounts: list[SocialAccount] = field(default_factory=list)
    media: list[MediaAsset] = field(default_factory=list)
    when: datetime | None = None


BulkReport = ImportReport[BulkPost, Post]


def bulk_schedule(*, actor: User, text: str, commit: bool) -> BulkReport:
    """Check every row of ``text``; with ``commit`` and every row valid, create, approve and schedule
    every row's post in one transaction (any failure undoes them all)."""

    def check(rows: list[ImportRow[BulkPost]]) -> None:
        clients = {c.slug: c for c in Client.objects.all()}
        for row in rows:
            _check_row(row, clients)

    def write(row: ImportRow[BulkPost]) -> Post:
        assert row.data is not None and row.data.when is not None
        post = post_services.post_create(
            actor=actor,
            client=row.data.client,
            caption=row.cell("caption"),
            hashtags=parse_tags(row.cell("hashtags")),
            cta=row.cell("cta"),
            media=row.data.media,
            accounts=row.data.accounts,
            scheduled_at=row.data.when,
        )
        post_services.post_approve(actor=actor, post=post)
        post.refresh_from_db()
        if post.status == "approved":
            scheduling.post_schedule(actor=actor, post=post, scheduled_at=row.data.when)
        return post

    return run_import(text, columns=COLUMNS, required=REQUIRED, check=check, write=write, commit=commit)


def _check_row(row: ImportRow[BulkPost], clients: dict[str, Client]) -> None:
    client = clients.get(row.cell("client").lower())
    if client is None:
        row.error("client", f"no client with the portal address “{row.cell('client')}”.")
        return
    row.data = data = BulkPost(client=client)
    wanted = [p.strip().lower() for p in row.cell("platforms").replace(";", ",").split(",") if p.strip()]
    accounts = {a.platform: a for a in SocialAccount.objects.filter(client=client, status="connected")}
    if not wanted:
        row.error("platforms", "list at least one, e.g. instagram;facebook.")
    for platform in wanted:
        if platform not in rules.PLATFORMS:
            row.error("platforms", f"“{platform}” is not one of {', '.join(rules.PLATFORMS)}.")
        elif platform not in accounts:
            row.error("platforms", f"{client.name} has no connected {rules.PLATFORM_LABELS[platform]} account.")
        else:
            data.accounts.append(accounts[platform])
    try:
        naive = datetime.strptime(row.cell("scheduled_at"), "%Y-%m-%d %H:%M")
        data.when = naive.replace(tzinfo=zoneinfo.ZoneInfo(client.timezone))
        if data.when <= timezone.now():
            row.error("scheduled_at", "that time has passed.")
    except ValueError:
        row.error("scheduled_at", f"use YYYY-MM-DD HH:MM in {client.name}'s time zone ({client.timezone}).")
    names = [n.strip() for n in row.cell("media").split(",") if n.strip()]
    if names:
        found = {a.original_name: a for a in MediaAsset.objects.filter(client=client, original_name__in=names)}
        for name in names:
            if name in found:
                data.media.append(found[name])
            else:
                row.error("media", f"{name} is not in {client.name}'s library.")
    draft = Post(caption=row.cell("caption"), hashtags=parse_tags(row.cell("hashtags")), cta=row.cell("cta"))
    text = draft.text_for()
    for account in data.accounts:
        problems, _ = rules.check(account.platform, text=text, media=[delivery.media_facts(a) for a in data.media])
        for problem in problems:
            column = PROBLEM_COLUMNS.get(problem.field, "")
            row.error(column, f"{rules.PLATFORM_LABELS[account.platform]}: {problem.message}")
