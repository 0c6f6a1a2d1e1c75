"""Tabs other apps add to a client's page.

A client's posts, media and social accounts live in ``publishing``, which ``agency`` does not
import: that app registers a tab here in its ``ready()``, with the panel view the page loads into
the tab (htmx) and a count for the tab's badge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agency.models import Client


@dataclass(frozen=True)
class ClientTab:
    slug: str  # the tab's path segment: /clients/<id>/<slug>/
    label: str
    panel: str  # URL name of the panel (takes the client's pk) rendered into the tab
    count: Callable[[Client], int]


_TABS: dict[str, ClientTab] = {}


def register(tab: ClientTab) -> None:
    _TABS[tab.slug] = tab


def registered() -> list[ClientTab]:
    return list(_TABS.values())
