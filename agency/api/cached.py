"""Staff API lists kept by ``localbzz.listcache`` until a table they read is written, one copy per
access level."""

from __future__ import annotations

from agency import permissions
from localbzz.listcache import CachedList


class StaffCachedList(CachedList):
    """Put first among a staff list view's bases: its GET body is kept per access level and query."""

    def list_audience(self, request) -> tuple:
        return permissions.audience(request.user)
