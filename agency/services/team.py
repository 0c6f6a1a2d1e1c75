"""Writes about people: staff members and their profiles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agency import permissions
from agency.models import TeamMember, User
from agency.services.activity import diff, record_event
from agency.types import Actor

MEMBER_FIELDS = ["phone", "access_level", "is_editor", "is_scheduler", "is_content_creator", "is_active"]


@transaction.atomic
def team_member_create(
    *,
    actor: Actor,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    access_level: str = TeamMember.AccessLevel.EDITOR,
    phone: str = "",
    is_editor: bool = False,
    is_scheduler: bool = False,
    is_content_creator: bool = False,
) -> TeamMember:
    """Create a user (unusable password unless one is given) and their team membership."""
    if access_level == TeamMember.AccessLevel.OWNER and actor is not None:
        permissions.require(actor, "manage_owners")
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise ValidationError({"email": "Someone with this email already has an account."})
    user = User.objects.create_user(email=email, password=password, first_name=first_name, last_name=last_name)
    member = TeamMember.objects.create(
        user=user,
        phone=phone,
        access_level=access_level,
        is_editor=is_editor,
        is_scheduler=is_scheduler,
        is_content_creator=is_content_creator,
    )
    record_event(actor, "team_member.created", member, {"access_level": access_level})
    return member


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, phone: str) -> User:
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    member = getattr(user, "team_member", None)
    if member is not None and member.phone != phone:
        member.phone = phone.strip()
        member.save(update_fields=["phone", "updated_at"])
    return user


@transaction.atomic
def team_member_update(*, actor: Actor, member: TeamMember, first_name: str | None = None, last_name: str | None = None,
                       **changes: Any) -> TeamMember:  # fmt: skip
    """Change a member's access, roles or details. Only owners grant or remove the owner level,
    and the agency always keeps at least one active owner."""
    unknown = set(changes) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown team member fields: {', '.join(sorted(unknown))}")
    changed = diff(member, MEMBER_FIELDS, changes)
    touches_owner = "access_level" in changed and TeamMember.AccessLevel.OWNER in changed["access_level"]
    if touches_owner or (member.access_level == TeamMember.AccessLevel.OWNER and "is_active" in changed):
        permissions.require(actor, "manage_owners")
    losing_owner = member.access_level == TeamMember.AccessLevel.OWNER and (
        changes.get("access_level", member.access_level) != TeamMember.AccessLevel.OWNER
        or changes.get("is_active", True) is False
    )
    if losing_owner:
        others = (
            TeamMember.objects.select_for_update().filter(access_level="owner", is_active=True).exclude(pk=member.pk)
        )
        if not others.exists():
            raise ValidationError("The agency needs at least one active owner; make someone else owner first.")
    for name, value in changes.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    user = member.user
    if first_name is not None or last_name is not None:
        user.first_name = (first_name if first_name is not None else user.first_name).strip()
        user.last_name = (last_name if last_name is not None else user.last_name).strip()
        user.save(update_fields=["first_name", "last_name"])
    if changed:
        record_event(actor, "team_member.updated", member, changed)
    return member


def ensure_not_self_demotion(*, actor: Actor, member: TeamMember) -> None:
    if actor is not None and actor.pk == member.user_id:
        raise PermissionDenied("Ask another owner or admin to change your own access.")
