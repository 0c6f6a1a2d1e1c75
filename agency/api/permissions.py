"""The API's default permission class (``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]``): the
staff levels of ``agency.permissions``, translated for DRF."""

from __future__ import annotations

from rest_framework import permissions

from agency import permissions as access
from localbzz.http import note_denied_action


class IsStaff(permissions.BasePermission):
    """Agency staff only. Reads need ``read_action``; writes need ``write_action`` (per view).

    Requests made with an API key (``request.auth`` has ``permits``) also need the key's scope for
    the view's area (``integrations.scopes``); a key never exceeds the level of the admin who made it.

    Views may set ``read_action``/``write_action`` to any action of ``agency.permissions``.
    """

    message = "This needs an agency staff account with enough access."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            action = getattr(view, "read_action", "view")
        else:
            action = getattr(view, "write_action", "edit_content")
        if not request.user or not request.user.is_authenticated:
            return False
        allowed = access.can(request.user, action)
        if not allowed:
            self.message = access.denial_message(request.user, action)
            note_denied_action(request._request, action)  # for agency.audit's record of the 403
            return False
        permits = getattr(request.auth, "permits", None)  # an API key: its scopes narrow the user's access
        if permits is not None:
            allowed, message = permits(view, request.method)
            if not allowed:
                self.message = message
        return allowed
