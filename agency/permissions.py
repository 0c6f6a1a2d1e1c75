"""Who may do what — the one place staff access is decided.

Access levels are ordered: viewer < editor < admin < owner. Each action names the lowest level
allowed to do it. Views use :func:`staff_required`, the API uses ``agency.api.permissions.IsStaff``;
both ask :func:`can`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from agency.models import TeamMember, User
from agency.types import Actor


class Level(IntEnum):
    VIEWER = 10
    EDITOR = 20
    ADMIN = 30
    OWNER = 40


LEVEL_BY_NAME = {"viewer": Level.VIEWER, "editor": Level.EDITOR, "admin": Level.ADMIN, "owner": Level.OWNER}

# action -> lowest access level that may do it
ACTIONS: dict[str, Level] = {
    "view": Level.VIEWER,  # read anything in the agency
    "edit_content": Level.EDITOR,  # shoots, deliverables, tasks, posts, media, requests, leads inbox
    "manage_clients": Level.ADMIN,  # create/edit/delete clients, approve leads, portal users
    "manage_team": Level.ADMIN,  # invite/edit team members
    "approve_posts": Level.ADMIN,  # approve, reject, request changes, publish now
    "manage_accounts": Level.ADMIN,  # social accounts and their tokens
    "manage_integrations": Level.ADMIN,  # outgoing webhooks and API keys
    "manage_owners": Level.OWNER,  # grant or remove the owner level
    "view_audit_log": Level.ADMIN,  # the audit log: every change, sign-ins, denials
    "manage_client_data": Level.OWNER,  # export everything of a client, erase a client
}

_DESCRIPTIONS = {
    "view": "see agency data",
    "edit_content": "edit content",
    "manage_clients": "manage clients",
    "manage_team": "manage the team",
    "approve_posts": "approve or publish posts",
    "manage_accounts": "manage social accounts",
    "manage_integrations": "manage webhooks and API keys",
    "manage_owners": "manage owners",
    "view_audit_log": "see the audit log",
    "manage_client_data": "export or erase a client's data",
}


def staff_level(user: Actor) -> Level | None:
    """The user's staff access level, or None for anyone who is not active agency staff."""
    if not isinstance(user, User) or not user.is_active:  # None (the system) and anonymous visitors
        return None
    cached: Level | None | bool = getattr(user, "_staff_level", False)
    if not isinstance(cached, bool):
        return cached
    level: Level | None
    try:
        member = user.team_member
    except ObjectDoesNotExist:
        member = None
    if member is not None and member.is_active:
        level = LEVEL_BY_NAME[member.access_level]
    elif user.is_superuser:
        level = Level.OWNER
    else:
        level = None
    user._staff_level = level  # type: ignore[attr-defined]  # memo on the user object, gone with the request
    return level


def levels_allowed(action: str) -> list[str]:
    """The names of the access levels allowed ``action`` (for a query over team members)."""
    return [name for name, level in LEVEL_BY_NAME.items() if level >= ACTIONS[action]]


def staff_who_can(action: str) -> list[User]:
    """The active team members allowed ``action``, as users (whom to tell about it)."""
    members = TeamMember.objects.select_related("user").filter(
        is_active=True, user__is_active=True, access_level__in=levels_allowed(action)
    )
    return [member.user for member in members]


def is_staff_member(user: Actor) -> bool:
    return staff_level(user) is not None


def can(user: Actor, action: str) -> bool:
    level = staff_level(user)
    return level is not None and level >= ACTIONS[action]


def denial_message(user: Actor, action: str) -> str:
    level = staff_level(user)
    needed = ACTIONS[action].name.lower()
    if level is None:
        return "This is for agency staff only."
    return (
        f"Your access level ({level.name.lower()}) cannot {_DESCRIPTIONS[action]}; "
        f"ask an owner or admin for {needed} access."
    )


class AccessDenied(PermissionDenied):
    """A PermissionDenied that names the action refused (for the audit log)."""

    def __init__(self, message: str, action: str):
        super().__init__(message)
        self.action = action


def require(user: Actor, action: str) -> None:
    if not can(user, action):
        raise AccessDenied(denial_message(user, action), action)


def staff_required(action: str = "view") -> Callable:
    """View decorator: anonymous users go to the staff sign-in; others need ``action``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def audience(user) -> tuple[str, str]:
    """Who a kept list or fragment (``localbzz.listcache``) was built for: staff see by level."""
    level = staff_level(user)
    return ("staff", level.name if level is not None else "none")
