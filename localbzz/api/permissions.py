"""Permission classes of the base layer (access itself is decided by ``agency.permissions``)."""

from __future__ import annotations

from rest_framework import permissions

# --------------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------------


class Public(permissions.AllowAny):
    """Explicitly public endpoints (intake form, token endpoints)."""
