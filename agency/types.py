"""Types shared by the service layer (docs/architecture.md, "Types")."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from agency.models import User
from localbzz.http import HtmxRequest

# Who does something through a service: the signed-in person (``request.user``: anonymous on a page
# that lets anyone in, which ``agency.permissions.require`` refuses), or None for the system (a
# scheduled job, a website form, a management command, the demo data).
Actor: TypeAlias = User | AnonymousUser | None


def acting_user(actor: Actor) -> User | None:
    """The person to store as who did it (``created_by``, ``author``): None for the system and for an
    anonymous visitor (whom the services' access checks have refused before anything is stored)."""
    return actor if isinstance(actor, User) and actor.pk is not None else None


class StaffRequest(HtmxRequest):
    """A request to a page behind ``agency.permissions.staff_required`` (or another sign-in check):
    ``request.user`` is a signed-in person, never the anonymous user."""

    user: User


def signed_in(actor: Actor) -> User:
    """The person acting, where only a signed-in person may act (after the service's access check,
    which already refused anyone else)."""
    if not isinstance(actor, User):
        raise PermissionDenied("Sign in first.")
    return actor
