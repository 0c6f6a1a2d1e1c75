"""What each app adds to a client's export and erasure (``agency.services.client_data``).

agency sits below the apps that hold the rest of a client's records (publishing, portal,
generation), so it never imports them: each app registers its part here from its
``AppConfig.ready()``:

- :func:`register_section`: a section of ``client.json`` (its rows, in ``position`` order);
- :func:`register_files`: stored file names that belong to the client (exported, then removed);
- :func:`register_people`: ids of the user accounts that belong to the client (erased with it,
  with their sessions and tokens; their sign-ins are part of its activity);
- :func:`register_erase`: rows deleted before the client row (in ``position`` order; e.g. posts
  before social accounts, whose targets protect them);
- :func:`register_count`: a line of the erasure preview ("12 posts").

Positions order the parts of every app in one sequence (agency's own sections use them too), so
the export's layout does not depend on the order apps load in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet

from agency.models import Client


@dataclass(frozen=True)
class Section:
    name: str
    position: int
    rows: Callable[[Client], QuerySet]
    exclude: tuple[str, ...] = ()
    more: Callable[[Any], dict[str, Any]] | None = None  # more values for a row (its tags, crew, …)


@dataclass(frozen=True)
class _Ordered:
    position: int
    name: str
    fn: Callable[[Client], Any]


_sections: dict[str, Section] = {}
_files: dict[str, _Ordered] = {}
_people: dict[str, _Ordered] = {}
_erase: dict[str, _Ordered] = {}
_counts: dict[str, _Ordered] = {}


def register_section(
    name: str,
    position: int,
    rows: Callable[[Client], QuerySet],
    *,
    exclude: Iterable[str] = (),
    more: Callable[[Any], dict[str, Any]] | None = None,
) -> None:
    """``client.json`` gets ``name``: the rows of ``rows(client)`` (secret fields never leave)."""
    _sections[name] = Section(name, position, rows, tuple(exclude), more)


def register_files(name: str, position: int, names: Callable[[Client], Iterable[str]]) -> None:
    """``names(client)``: stored file names of the client (exported under ``media/``, removed on erasure)."""
    _files[name] = _Ordered(position, name, names)


def register_people(name: str, user_ids: Callable[[Client], Iterable[Any]]) -> None:
    """``user_ids(client)``: user accounts that are the client's own and go with it."""
    _people[name] = _Ordered(0, name, user_ids)


def register_erase(name: str, position: int, rows: Callable[[Client], QuerySet]) -> None:
    """Erasure deletes ``rows(client)`` in ``position`` order, before the client row itself."""
    _erase[name] = _Ordered(position, name, rows)


def register_count(label: str, position: int, count: Callable[[Client], int]) -> None:
    """The erasure preview shows ``count(client)`` with ``label`` ("posts", "media files", …)."""
    _counts[label] = _Ordered(position, label, count)


def _in_order(registry: dict[str, Any]) -> list[Any]:
    return sorted(registry.values(), key=lambda entry: (entry.position, entry.name))


def sections() -> list[Section]:
    return _in_order(_sections)


def file_sources() -> list[Callable[[Client], Iterable[str]]]:
    return [entry.fn for entry in _in_order(_files)]


def people(client: Client) -> list:
    return [pk for entry in _in_order(_people) for pk in entry.fn(client)]


def erasers() -> list[Callable[[Client], QuerySet]]:
    return [entry.fn for entry in _in_order(_erase)]


def counts(client: Client) -> dict[str, int]:
    return {entry.name: entry.fn(client) for entry in _in_order(_counts)}


def file_names(model: type[models.Model], field: str = "file", **lookup: Any) -> list[str]:
    """The non-empty names in ``field`` of ``model``'s rows matching ``lookup`` (a helper for apps)."""
    return [n for n in model._default_manager.filter(**lookup).values_list(field, flat=True) if n]
