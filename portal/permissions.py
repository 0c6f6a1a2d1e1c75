"""Who may use a client's portal — the one place portal access is decided.

A portal user belongs to exactly one client (``ClientUser``). Portal pages check that the signed-in
person belongs to the client of the host they are on; the client API checks that the token's
person is a client user, and, where the URL names a client, that it is theirs. Anything of another
client answers 404, never 403: a client must not learn that someone else's thing exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse
from rest_framework import permissions

from agency.models import Client, User
from agency.types import Actor
from portal.models import ClientUser


def client_user_of(user: Actor) -> ClientUser | None:
    """The portal membership of ``user`` (None for staff, anonymous or disabled people)."""
    if not isinstance(user, User) or not user.is_active:  # None (the system) and anonymous visitors
        return None
    cached: ClientUser | None | bool = getattr(user, "_client_user", False)
    if not isinstance(cached, bool):
        return cached
    if User.client_user.is_cached(user):  # joined when the session was read (StaffBackend.get_user)
        membership = getattr(user, "client_user", None)  # None: not a portal user
    else:
        membership = ClientUser.objects.select_related("client").filter(user=user).first()
    if membership is not None and not membership.client.portal_enabled:
        membership = None
    user._client_user = membership  # type: ignore[attr-defined]  # memo on the user object, gone with the request
    return membership


def belongs_to(user, client: Client) -> bool:
    membership = client_user_of(user)
    return membership is not None and membership.client_id == client.pk


def portal_required(view: Callable) -> Callable:
    """Portal pages: sign in first; a person of another client gets a 404 (see module doc)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        client = getattr(request, "portal_client", None)
        if client is None:  # the portal URLconf is only used on a portal host
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if not belongs_to(request.user, client):
            raise Http404("Nothing here.")
        request.client_user = client_user_of(request.user)
        return view(request, *args, **kwargs)

    return wrapper


class IsClientUser(permissions.BasePermission):
    """The client API: the bearer must be a client's portal user (staff use the staff API)."""

    message = "This endpoint is for client portal users; sign in with POST /api/v1/client/login."

    def has_permission(self, request, view) -> bool:
        membership = client_user_of(request.user)
        if membership is None:
            return False
        request.client_user = membership
        return True
