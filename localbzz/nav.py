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
    badge: str = ""  # name of a count in hub.context_processors.shell


NAV: list[NavEntry] = [
    NavEntry("Dashboard", "dashboard", "home", ""),
    NavEntry("Clients", "clients", "users", "clients"),
    NavEntry("Shoots", "shoots", "camera", "shoots"),
    NavEntry("Deliverables", "deliverables", "package", "deliverables"),
    NavEntry("Content", "content", "send", "content", badge="posts_waiting"),
    NavEntry("Media", "library", "image", "library"),
    NavEntry("Analytics", "analytics", "bar-chart", "analytics"),
    NavEntry("Generate", "generate", "zap", "generate"),
    NavEntry("Tasks", "tasks-mine", "check-square", "tasks"),
    NavEntry("Leads", "leads", "user-plus", "leads", badge="new_leads"),
    NavEntry("Requests", "requests", "message", "requests", badge="open_requests"),
    NavEntry("Accounts", "social-accounts", "link", "social-accounts"),
    NavEntry("Settings", "settings", "settings", "settings"),
]
