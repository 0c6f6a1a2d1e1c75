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
    assert event.summary == "Access level: Editor → Admin"
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


# Each kind of value reads as people expect (agency.activity_display) ----------------------------


@pytest.fixture
def post(owner):
    from agency.models import Client
    from publishing.tests.posting import accounts_for, approved_post

    client = Client.objects.create(name="Austin Lawns", slug="austin-lawns", timezone="America/Chicago")
    return approved_post(owner, client, accounts_for(client, owner, platforms=("facebook", "instagram")).values())


def test_a_status_change_reads_with_the_model_s_labels(owner, post):
    event = record_event(owner, "post.approved", post, {"status": ["pending_approval", "pending_client_approval"]})
    assert event.summary == "Status: Waiting for approval → Waiting for the client"


def test_a_list_of_two_names_is_a_list_not_a_change(owner, post):
    accounts = ["Austin Lawns (Facebook)", "austin.lawns (Instagram)"]
    event = record_event(owner, "post.created", post, {"source": "staff", "accounts": accounts})
    assert event.summary == "Source: Staff; Accounts: Austin Lawns (Facebook), austin.lawns (Instagram)"
    assert "→" not in event.summary


def test_crew_and_times_read_as_names_and_a_time_with_its_zone(owner, settings):
    from django.utils import timezone

    from agency.tests.factories import shoot as make_shoot

    settings.AGENCY_TIME_ZONE = "America/New_York"
    shoot = make_shoot()
    event = record_event(owner, "shoot.created", shoot, {"crew": ["Leo Frame"], "start": "2026-12-26T14:00:00-05:00"})
    with timezone.override(settings.AGENCY_TIME_ZONE):  # as on a staff page
        assert event.summary == "Crew: Leo Frame; Start: Sat 26 Dec, 14:00 EST"
    assert "[" not in event.summary and "T14" not in event.summary


def test_a_post_s_time_change_is_in_its_client_s_zone(owner, post):
    changes = {"status": ["approved", "scheduled"], "scheduled_at": [None, "2026-12-06T15:30:00+00:00"]}
    event = record_event(owner, "post.scheduled", post, changes)
    assert event.summary == "Status: Approved → Scheduled; Publish at: Sun 6 Dec, 09:30 CST"


def test_sizes_minutes_and_enums_of_other_models_read_plainly(owner, post):
    asset_event = record_event(owner, "media_asset.uploaded", post, {"kind": "image", "bytes": 284912})
    assert asset_event.summary == "Kind: Image; Bytes: 278.2\xa0KB"
    account_event = record_event(owner, "social_account.connected", post, {"platform": "linkedin"})
    assert account_event.summary == "Platform: LinkedIn"
    assert record_event(owner, "task.time_logged", post, {"minutes": 100}).summary == "Minutes: 1h 40m"
    # a key that names a relation (no choices) reads as its value, it does not break the trail
    assert record_event(owner, "post.edited", post, {"targets": 3}).summary == "Targets: 3"
