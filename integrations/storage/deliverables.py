"""A deliverable's file in its shoot's folder: linked by staff (``link``/``unlink``), served to the
client's portal by streaming it from the storage (``download``, registered as an
``agency.deliverable_files`` source in ``IntegrationsConfig.ready``).

The link keeps the provider's file id, name, size and checksum as they were when linked; the
download serves what the storage holds then, with the request's ``Range`` passed through. A file
deleted from the folder, or a connection that needs reconnecting, is a ``FileUnavailable`` with
words for the client — never a 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from uuid import UUID

import requests
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from agency.deliverable_files import FileSource, FileUnavailable
from agency.models import Deliverable
from agency.services.activity import record_event
from agency.types import Actor, acting_user
from integrations.storage import services
from integrations.storage.models import DeliverableFile, Provider, ShootFolder
from integrations.storage.providers import StorageError, StorageFile, client

logger = logging.getLogger("localbzz.storage")
RANGE = re.compile(r"bytes=\d*-\d*")  # one range: passed through; anything else is ignored (200)
PASSED_HEADERS = ("Content-Length", "Content-Range", "Accept-Ranges")


def folder_of(deliverable: Deliverable) -> ShootFolder | None:
    if deliverable.shoot_id is None:
        return None
    return ShootFolder.objects.filter(shoot_id=deliverable.shoot_id).first()


def _in_folder(folder: ShootFolder, file: StorageFile) -> bool:
    if folder.provider == Provider.GOOGLE_DRIVE:
        return folder.external_id in file.extra.get("parents", [])
    return str(file.extra.get("path", "")).lower().startswith(folder.path.lower().rstrip("/") + "/")


def link(deliverable: Deliverable, file_id: str, *, actor: Actor) -> DeliverableFile:
    """Link the deliverable to ``file_id`` of its shoot's folder (checked with the storage)."""
    folder = folder_of(deliverable)
    if folder is None:
        raise StorageError("invalid", "This deliverable's shoot has no folder: create or link it on the shoot page.")
    file = services.file_metadata(folder.provider, file_id)
    if file.is_folder or not _in_folder(folder, file):
        raise StorageError("invalid", f"“{file.name}” is not a file in the shoot's folder “{folder.name}”.")
    return save_link(deliverable, folder.provider, file, actor=actor)


def save_link(
    deliverable: Deliverable,
    provider: str,
    file: StorageFile,
    *,
    actor: Actor,
    verb: str = "deliverable.file_linked",
    extra: dict | None = None,
) -> DeliverableFile:
    """Record ``file`` (known to be in the shoot's folder) as the deliverable's file, on the trail."""
    with transaction.atomic():
        previous = DeliverableFile.objects.filter(deliverable=deliverable).first()
        linked, _created = DeliverableFile.objects.update_or_create(
            deliverable=deliverable,
            defaults={
                "provider": provider,
                "external_id": file.id,
                "name": file.name[:255],
                "mime_type": file.mime_type[:200],
                "size": file.size,
                "checksum": file.checksum,
                "linked_by": acting_user(actor),
            },
        )
        record_event(actor, verb, deliverable,
                     {"file": [previous.name if previous else None, linked.name], **(extra or {})})  # fmt: skip
    return linked


def unlink(deliverable: Deliverable, *, actor: Actor) -> None:
    with transaction.atomic():
        linked = DeliverableFile.objects.filter(deliverable=deliverable).first()
        if linked is None:
            return
        linked.delete()
        record_event(actor, "deliverable.file_unlinked", deliverable, {"file": [linked.name, None]})


def _having(ids: list[UUID]) -> set[UUID]:
    return set(DeliverableFile.objects.filter(deliverable_id__in=ids).values_list("deliverable_id", flat=True))


def _chunks(upstream: requests.Response) -> Iterator[bytes]:
    try:
        yield from upstream.iter_content(256 * 1024)
    except requests.RequestException:
        logger.warning("a deliverable download from the storage broke off")  # the client sees a cut download
    finally:
        upstream.close()


def download(deliverable: Deliverable, byte_range: str = "") -> StreamingHttpResponse | None:
    linked = DeliverableFile.objects.filter(deliverable=deliverable).first()
    if linked is None:
        return None
    label = linked.get_provider_display()
    wanted = byte_range.strip() if RANGE.fullmatch(byte_range.strip()) else ""
    file = StorageFile(id=linked.external_id, name=linked.name, is_folder=False)
    try:
        connection = services.connection_for(linked.provider)
        api = client(linked.provider)
        upstream = services.authorized(connection, lambda token: api.open(token, file, wanted))
    except StorageError as error:
        raise _unavailable(error, label, linked.name) from error
    response = StreamingHttpResponse(
        _chunks(upstream),
        status=upstream.status_code,
        content_type=linked.mime_type or upstream.headers.get("Content-Type") or "application/octet-stream",
    )
    for header in PASSED_HEADERS:
        if upstream.headers.get(header):
            response[header] = upstream.headers[header]
    response["Content-Disposition"] = content_disposition_header(True, linked.name)
    response["Cache-Control"] = "private, no-store"
    return response


def _unavailable(error: StorageError, label: str, name: str) -> FileUnavailable:
    if error.kind == "not_found":
        return FileUnavailable(
            f"“{name}” is no longer in the shoot's {label} folder (deleted or moved). Let your team know: "
            "they can put it back or link the new version.",
            410,
        )
    if error.kind in ("needs_reconnect", "not_connected", "auth", "grant"):
        return FileUnavailable(
            f"The agency's {label} connection needs attention, so “{name}” cannot be fetched right now. "
            "Your team can fix it in a minute; please try again later.",
            503,
        )
    return FileUnavailable(f"{label} did not hand over “{name}” just now. Please try again in a few minutes.", 502)


SOURCE = FileSource(name="storage", having=_having, download=download)
