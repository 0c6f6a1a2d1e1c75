"""The staff dashboard's figures, gathered from each domain's selectors."""

from __future__ import annotations

from agency import selectors as agency_selectors


def build(user) -> dict:
    return {
        "team_count": agency_selectors.team_members().filter(is_active=True).count(),
        "activity": agency_selectors.activity_recent(limit=12),
    }
