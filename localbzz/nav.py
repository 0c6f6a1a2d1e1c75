"""The staff navigation, in one place. Entries appear as their features land."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    section: str  # first path segment that marks the entry as current
    action: str = "view"


NAV: list[NavEntry] = [
    NavEntry("Dashboard", "dashboard", "home", ""),
    NavEntry("Media", "library", "image", "library"),
    NavEntry("Settings", "settings", "settings", "settings"),
]
