from __future__ import annotations

import pytest

from agency.models import ActivityEvent
from agency.selectors import activity_for
from agency.services.activity import diff, record_event

pytestmark = pytest.mark.django_db


def test_record_event_keeps_who_what_and_changes(owner):
    member = owner.team_member
    event = record_event(owner, "team_member.access_changed", member, {"access_level": ["editor", "admin"]})
    event.refresh_from_db()
    assert event.actor == owner and event.actor_label == owner.display_name
    assert event.target_id == str(member.pk) and event.target_label == str(member)
    assert event.summary == "access level: editor → admin"
    assert activity_for(member)[0] == event


def test_events_survive_their_actor(owner, editor):
    event = record_event(editor, "thing.done", owner.team_member)
    editor.delete()
    event.refresh_from_db()
    assert event.actor is None and event.actor_label == "Editor Tester"


def test_system_events_have_no_actor(owner):
    assert record_event(None, "thing.swept", owner.team_member).actor_label == "system"


def test_diff_lists_only_changed_fields(owner):
    member = owner.team_member
    assert diff(member, ["phone", "access_level"], {"phone": "", "access_level": "admin"}) == {
        "access_level": ["owner", "admin"]
    }


def test_creating_a_team_member_is_recorded(make_staff):
    user = make_staff("editor")
    assert ActivityEvent.objects.filter(verb="team_member.created", target_id=str(user.team_member.pk)).exists()
