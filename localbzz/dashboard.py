"""The staff dashboard's figures, gathered from each domain's selectors."""

from __future__ import annotations

from agency import selectors as agency
from agency.models import Lead


def build(user) -> dict:
    overdue = agency.deliverables_overdue()
    return {
        "shoots_today": agency.shoots_today(),
        "overdue": list(overdue[:8]),
        "overdue_count": overdue.count(),
        "timers": agency.running_timers(),
        "new_leads": list(agency.leads().filter(status=Lead.Status.NEW)[:6]),
        "urgent": list(agency.urgent_requests()[:6]),
        "team_count": agency.team_members().filter(is_active=True).count(),
        "activity": agency.activity_recent(limit=12),
    }
