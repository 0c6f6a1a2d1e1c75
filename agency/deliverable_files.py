"""Where a deliverable's file is kept, when another app keeps it.

A deliverable can be linked to a file in its shoot's cloud-storage folder (``integrations.storage``,
which ``agency`` and ``portal`` do not import). That app registers a :class:`FileSource` here in
its ``ready()``; the portal's download asks here which deliverables have a file and for the
answer that streams it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from django.http import HttpResponseBase

from agency.models import Deliverable


class FileUnavailable(Exception):
    """The file cannot be served now: ``message`` says why to the person who asked, ``status``
    is the HTTP answer (410 gone, 503 the storage connection needs an admin, 502 it failed)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FileSource:
    name: str
    having: Callable[[list[UUID]], set[UUID]]  # which of these deliverables have a file here (one query)
    # The streamed answer for the deliverable's file (``byte_range``: the request's Range, or ""),
    # None when it has no file here; raises FileUnavailable.
    download: Callable[[Deliverable, str], HttpResponseBase | None]


_SOURCES: dict[str, FileSource] = {}


def register(source: FileSource) -> None:
    _SOURCES[source.name] = source


def with_files(deliverables: Iterable[Deliverable]) -> set[UUID]:
    ids = [d.pk for d in deliverables]
    found: set[UUID] = set()
    for source in _SOURCES.values():
        if ids:
            found |= source.having(ids)
    return found


def download(deliverable: Deliverable, byte_range: str = "") -> HttpResponseBase | None:
    for source in _SOURCES.values():
        answer = source.download(deliverable, byte_range)
        if answer is not None:
            return answer
    return None
