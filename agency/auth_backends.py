from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from agency import permissions


class StaffBackend(ModelBackend):
    """Email + password sign-in (case-insensitive email). Admins and owners hold every model
    permission: the Django admin is their operations console (agency.permissions decides)."""

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if user_obj.is_active and permissions.can(user_obj, "manage_team"):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        if user_obj.is_active and permissions.can(user_obj, "manage_team"):
            return True
        return super().has_module_perms(user_obj, app_label)
