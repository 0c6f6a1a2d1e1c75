"""The operators' admin: one sign-in page (the throttled staff one), admins and owners only."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect

from agency import permissions


class LocalbzzAdminSite(admin.AdminSite):
    site_header = "LocalBzz operations"
    site_title = "LocalBzz admin"
    index_title = "Operations"

    def has_permission(self, request) -> bool:
        return request.user.is_active and permissions.can(request.user, "manage_team")

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(request.GET.get("next") or "/admin/")
            # Signed in without access: sending them to sign in again would loop back here.
            raise PermissionDenied("The admin is for the agency's admins and owners; ask one of them if you need it.")
        return redirect_to_login(request.GET.get("next") or "/admin/")
