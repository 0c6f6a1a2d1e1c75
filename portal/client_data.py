"""portal's part of a client's export and erasure (see ``agency.client_data``): its people."""

from __future__ import annotations

from agency import client_data as parts
from portal.models import ClientUser


def user_ids(client) -> list:
    # Someone who is also agency staff keeps their account; only the membership goes.
    return list(
        ClientUser.objects.filter(client=client, user__team_member__isnull=True).values_list("user_id", flat=True)
    )


def register() -> None:
    parts.register_section(
        "portal_users",
        300,
        lambda c: ClientUser.objects.filter(client=c).select_related("user").order_by("created_at"),
        more=lambda m: {
            "email": m.user.email,
            "first_name": m.user.first_name,
            "last_name": m.user.last_name,
            "is_active": m.user.is_active,
            "last_login": m.user.last_login,
            "date_joined": m.user.date_joined,
        },
    )
    parts.register_people("portal_users", user_ids)
    parts.register_count("portal users (and their sign-ins)", 300, lambda c: len(user_ids(c)))
