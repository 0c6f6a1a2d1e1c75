"""Writes about people: staff members and their profiles."""

from __future__ import annotations

from django.db import transaction

from agency.models import TeamMember, User
from agency.services.activity import record_event


@transaction.atomic
def team_member_create(
    *,
    actor,
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
