from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from agency import permissions

UserModel = get_user_model()


class StaffBackend(ModelBackend):
    """Email + password sign-in (case-insensitive email). Admins and owners hold every model
    permission: the Django admin is their operations console (agency.permissions decides)."""

    def get_user(self, user_id):
        """The signed-in person with their team membership in the same query: every staff page
        asks for their access level (agency.permissions), which would otherwise be a second query."""
        try:
            user = UserModel._default_manager.select_related("team_member").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if user_obj.is_active and permissions.can(user_obj, "manage_team"):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        if user_obj.is_active and permissions.can(user_obj, "manage_team"):
            return True
        return super().has_module_perms(user_obj, app_label)
