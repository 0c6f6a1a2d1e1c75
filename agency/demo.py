"""Demo data for `make run`: an agency team (and, as features land, clients and their work)."""

from __future__ import annotations

from agency.models import TeamMember, User
from agency.services import team

DEMO_PASSWORD = "localbzz-demo"
DEMO_CLIENT_SLUGS = ["joes-landscaping", "bella-bakery"]

STAFF = [
    # email, first, last, access level, roles
    ("owner@localbzz.local", "Olivia", "Owner", "owner", ("is_editor", "is_scheduler")),
    ("admin@localbzz.local", "Adam", "Admin", "admin", ("is_scheduler",)),
    ("maya@localbzz.local", "Maya", "Lens", "editor", ("is_content_creator", "is_editor")),
    ("leo@localbzz.local", "Leo", "Frame", "editor", ("is_content_creator",)),
    ("viewer@localbzz.local", "Vic", "Viewer", "viewer", ()),
]


def demo_logins() -> list[tuple[str, str]]:
    return [(f"Staff {level}", email) for email, _, _, level, _ in STAFF]


def seed() -> dict[str, int]:
    created = {"team members": 0}
    for email, first, last, level, roles in STAFF:
        if User.objects.filter(email=email).exists():
            continue
        team.team_member_create(
            actor=None,
            email=email,
            first_name=first,
            last_name=last,
            password=DEMO_PASSWORD,
            access_level=level,
            **dict.fromkeys(roles, True),
        )
        created["team members"] += 1
    return created


def owner() -> User:
    return TeamMember.objects.select_related("user").get(user__email=STAFF[0][0]).user
