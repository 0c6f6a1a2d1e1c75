"""A client's data: export everything of one client as a zip, or erase the client completely.

Every app registers its own part (sections, files, people, rows to erase, preview lines) in
``agency.client_data``; this module runs them in order.

**Export** (:func:`client_export`) writes ``client.json`` (every record of the client, section by
section, streamed) and ``media/`` (the stored files: originals, renditions, the logo) into a zip
on a file object — a temporary file for downloads — so memory stays flat whatever the size.
Secrets never leave: no token, refresh token, API key, password hash or feed token
(:data:`SECRET_FIELDS`; the calendar feeds themselves are not exported).

**Erasure** (:func:`client_erase`) deletes every row of the client in one transaction — what
cascades from the client and what would only be unlinked (tasks, the lead it came from), its
portal users with their sessions and JWT tokens, the activity about it — then removes the stored
files once the transaction has committed. A file that cannot be removed is logged (its name only)
and reported; no row is left half-deleted. The audit log keeps one ``client.erased`` event
(client_scoped=False) with the name, slug and counts. Approval links are signed post ids: with
the posts gone they open nothing.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from agency import client_data as parts
from agency.models import (
    ActivityEvent,
    CalendarFeed,
    Client,
    Lead,
    PortalRequest,
    RequestMessage,
    Task,
    TimeEntry,
)
from agency.permissions import require
from agency.services.activity import record_event
from agency.types import Actor

logger = logging.getLogger(__name__)

FORMAT = "localbzz-client-export/1"
# Fields never exported, whatever the model (secrets and their encrypted forms).
SECRET_FIELDS = {"token", "token_encrypted", "refresh_token_encrypted", "api_key_encrypted", "password"}
CHUNK = 1024 * 1024


def _record(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """A row as plain JSON values (foreign keys as ids), without secret fields."""
    skipped = SECRET_FIELDS | set(exclude)
    row = {}
    for f in instance._meta.concrete_fields:
        if f.name in skipped or f.attname in skipped:
            continue
        value = f.value_from_object(instance)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        row[f.attname if f.is_relation else f.name] = value
    return row


def _sections(client: Client) -> Iterator[tuple[str, Iterable[dict[str, Any]]]]:
    """(name, rows) for every kind of record of ``client`` (each app registers its own, see
    ``agency.client_data``); rows are generated lazily."""

    def rows(section: parts.Section) -> Iterator[dict[str, Any]]:
        for obj in section.rows(client).iterator(chunk_size=500):
            row = _record(obj, section.exclude)
            if section.more:
                row.update(section.more(obj))
            yield row

    for section in parts.sections():
        yield section.name, rows(section)


def register() -> None:
    """agency's own parts of a client's data (called from ``AgencyConfig.ready``)."""
    parts.register_section("campaigns", 100, lambda c: c.campaigns.order_by("created_at"))
    parts.register_section(
        "shoots",
        110,
        lambda c: c.shoots.order_by("start").prefetch_related("crew"),
        more=lambda s: {"crew_member_ids": [str(m.pk) for m in s.crew.all()]},
    )
    parts.register_section("deliverables", 120, lambda c: c.deliverables.order_by("created_at"))
    parts.register_section("tasks", 130, lambda c: _tasks_of(c).order_by("created_at"))
    parts.register_section(
        "time_entries", 140, lambda c: TimeEntry.objects.filter(task__in=_tasks_of(c)).order_by("started_at")
    )
    parts.register_section("leads", 150, lambda c: Lead.objects.filter(client=c).order_by("created_at"))
    parts.register_section("requests", 160, lambda c: _requests_of(c).order_by("created_at"))
    parts.register_section("request_messages", 170, lambda c: _messages_of(c).order_by("created_at"))
    parts.register_section("activity", 900, lambda c: _activity_of(c).order_by("created_at", "id"))
    parts.register_files("logo", 100, lambda c: [c.logo.name] if c.logo and c.logo.name else [])
    parts.register_erase("activity", 100, _activity_of)
    # Rows that would only be unlinked from the client (SET_NULL) are the client's data too.
    parts.register_erase("tasks", 110, _task_rows)
    parts.register_erase("leads", 120, lambda c: Lead.objects.filter(client=c))
    parts.register_erase("calendar_feeds", 300, lambda c: CalendarFeed.objects.filter(client=c))
    parts.register_count("shoots", 500, lambda c: c.shoots.count())
    parts.register_count("deliverables", 510, lambda c: c.deliverables.count())
    parts.register_count("tasks", 520, lambda c: _tasks_of(c).count())
    parts.register_count("requests", 530, lambda c: _requests_of(c).count())
    parts.register_count("campaigns", 540, lambda c: c.campaigns.count())


def _tasks_of(client: Client) -> QuerySet[Task]:
    return Task.objects.filter(
        Q(client=client) | Q(deliverable__client=client) | Q(shoot__client=client) | Q(campaign__client=client)
    ).distinct()


def _task_rows(client: Client) -> QuerySet[Task]:
    return Task.objects.filter(pk__in=list(_tasks_of(client).values_list("pk", flat=True)))


def _requests_of(client: Client) -> QuerySet[PortalRequest]:
    return PortalRequest.objects.filter(client=client)


def _messages_of(client: Client) -> QuerySet[RequestMessage]:
    return RequestMessage.objects.filter(request__client=client)


def _activity_of(client: Client) -> QuerySet[ActivityEvent]:
    """The client's trail, what was recorded about the client itself, and its people's sign-ins."""
    user_ids = [str(pk) for pk in parts.people(client)]
    user_type = ContentType.objects.get_for_model(get_user_model())
    return ActivityEvent.objects.filter(
        Q(client=client)
        | Q(target_type=ContentType.objects.get_for_model(Client), target_id=str(client.pk))
        | Q(target_type=user_type, target_id__in=user_ids)
    )


def stored_files(client: Client) -> list[str]:
    """Every file name in storage that belongs to ``client`` (media, renditions, generated images, logo)."""
    return [name for source in parts.file_sources() for name in source(client)]


# The preview's nouns in the singular, for "1 post" (localbzz.text.counted).
ERASURE_SINGULAR = {
    "posts": "post",
    "media files": "media file",
    "attachments": "attachment",
    "social accounts (and their tokens)": "social account (and its tokens)",
    "portal users (and their sign-ins)": "portal user (and their sign-ins)",
    "shoots": "shoot",
    "deliverables": "deliverable",
    "tasks": "task",
    "requests": "request",
    "campaigns": "campaign",
}


def erasure_preview(client: Client) -> dict[str, int]:
    """What erasing ``client`` removes, in words a person checks before confirming."""
    return parts.counts(client)


# Export -------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    records: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    missing_files: list[str] = field(default_factory=list)


def client_export(*, actor: Actor, client: Client, out: IO[bytes]) -> ExportSummary:
    """Write the zip of everything of ``client`` to ``out`` (a seekable binary file).

    ``actor`` None is the command line (``manage.py client_export``); people need to be owners.
    """
    if actor is not None:
        require(actor, "manage_client_data")
    summary = ExportSummary()
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with archive.open("client.json", "w", force_zip64=True) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            head = {"format": FORMAT, "exported_at": timezone.now(), "client": _record(client)}
            text.write(encoder.encode(head)[:-1])  # the object stays open for the sections
            for name, rows in _sections(client):
                text.write(f", {json.dumps(name)}: [")
                count = 0
                for row in rows:
                    text.write((",\n" if count else "\n") + encoder.encode(row))
                    count += 1
                text.write("]")
                summary.records[name] = count
            text.write("}\n")
            text.flush()
            text.detach()
        for name in stored_files(client):
            try:
                with default_storage.open(name, "rb") as source, archive.open(f"media/{name}", "w") as target:
                    shutil.copyfileobj(source, target, CHUNK)
                summary.files += 1
                summary.bytes += archive.getinfo(f"media/{name}").file_size
            except OSError:
                logger.warning("Client export: stored file %s could not be read", name)
                summary.missing_files.append(name)
        if summary.missing_files:
            archive.writestr("media/MISSING.txt", "Files listed in client.json but not in storage:\n"
                             + "\n".join(summary.missing_files) + "\n")  # fmt: skip
    with transaction.atomic():
        changes = {"files": summary.files, "bytes": summary.bytes, "records": sum(summary.records.values())}
        record_event(actor, "client.exported", client, changes)
    return summary


# Erasure ------------------------------------------------------------------------------------


@dataclass
class ErasureSummary:
    name: str
    slug: str
    rows: dict[str, int]
    files: int
    files_not_removed: list[str] = field(default_factory=list)


@transaction.atomic
def client_erase(*, actor: Actor, client: Client) -> ErasureSummary:
    """Delete every row of ``client`` in one transaction; its stored files go after the commit.

    ``actor`` None is the command line (``manage.py client_erase``); people need to be owners.
    The summary's ``files_not_removed`` is filled once the transaction commits.
    """
    if actor is not None:
        require(actor, "manage_client_data")
    client = Client.objects.select_for_update().get(pk=client.pk)
    files = stored_files(client)
    user_ids = parts.people(client)
    rows: dict[str, int] = {}

    def count(deleted: tuple[int, dict[str, int]]) -> None:
        for model, n in deleted[1].items():
            if n:
                rows[model] = rows.get(model, 0) + n

    for rows_of in parts.erasers():  # each app's rows, in their registered order
        count(rows_of(client).delete())
    count(OutstandingToken.objects.filter(user_id__in=user_ids).delete())
    session_keys = _session_keys_of(user_ids)
    count(Session.objects.filter(pk__in=session_keys).delete())
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:  # and their copies in the cache (settings.SESSION_ENGINE)
        store(session_key=key).delete()
    name, slug = client.name, client.slug
    summary = ErasureSummary(name=name, slug=slug, rows=rows, files=len(files))
    # Recorded before the row goes (the event names it), outside the client's trail so it stays.
    record_event(
        actor,
        "client.erased",
        client,
        {"name": name, "slug": slug, "files": len(files), "rows": rows},
        client_scoped=False,
    )
    count(client.delete())
    count(get_user_model().objects.filter(pk__in=user_ids).delete())
    transaction.on_commit(lambda: summary.files_not_removed.extend(remove_files(files)))
    return summary


def _session_keys_of(user_ids: Iterable[object]) -> list[str]:
    """Keys of the unexpired sessions of these users (sessions only store the user id, encoded)."""
    if not user_ids:
        return []
    wanted = {str(pk) for pk in user_ids}
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=1000):
        if str(session.get_decoded().get("_auth_user_id")) in wanted:
            keys.append(session.session_key)
    return keys


def remove_files(names: list[str]) -> list[str]:
    """Delete stored files; answers (and logs, by name only) those that could not be removed."""
    failed = []
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("Client erasure: stored file %s could not be removed; remove it by hand", name)
            failed.append(name)
    return failed
