"""Access levels, tested from every side: owner, admin, editor, viewer, outsider, anonymous."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from agency import permissions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "action, allowed",
    [
        ("view", {"owner", "admin", "editor", "viewer"}),
        ("edit_content", {"owner", "admin", "editor"}),
        ("manage_clients", {"owner", "admin"}),
        ("approve_posts", {"owner", "admin"}),
        ("manage_owners", {"owner"}),
    ],
)
def test_each_action_needs_its_level(make_staff, outsider, action, allowed):
    people = {level: make_staff(level) for level in ("owner", "admin", "editor", "viewer")}
    for level, user in people.items():
        assert permissions.can(user, action) is (level in allowed), (level, action)
    assert permissions.can(outsider, action) is False
    assert permissions.can(AnonymousUser(), action) is False


def test_a_deactivated_member_loses_access(make_staff):
    user = make_staff("admin")
    user.team_member.is_active = False
    user.team_member.save()
    user.refresh_from_db()
    assert permissions.staff_level(user) is None


def test_denial_message_says_what_to_ask_for(viewer):
    assert permissions.denial_message(viewer, "edit_content") == (
        "Your access level (viewer) cannot edit content; ask an owner or admin for editor access."
    )


def test_only_admins_and_owners_reach_the_django_admin(client, make_staff, outsider):
    for level, expected in [("owner", 200), ("admin", 200), ("editor", 403), ("viewer", 403)]:
        client.force_login(make_staff(level))
        assert client.get("/admin/", follow=True).status_code == expected, level
    client.force_login(outsider)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403 and b"admins and owners" in response.content


def test_admin_sign_in_goes_through_the_throttled_staff_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_pages_list_the_team(client, owner):
    client.force_login(owner)
    html = client.get("/admin/agency/teammember/").content.decode()
    assert owner.email in html
