"""Domain events come from the activity trail: the public types are derived from verbs and
changes, listeners hear them only after the change commits, and a failing listener hurts nobody."""

from __future__ import annotations

import pytest

from agency.models import Client
from agency.services.clients import client_update
from localbzz import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    got: list[events.Event] = []
    monkeypatch.setattr(events, "_listeners", [(got.append, False)])
    return got


def test_a_status_change_is_heard_after_commit_once(owner, heard, django_capture_on_commit_callbacks):
    client = Client.objects.create(name="Joe's Landscaping", slug="joes-events")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_update(actor=owner, client=client, status="Inactive")
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [e.type for e in heard] == ["client.status_changed"]
    event = heard[0]
    assert event.object_type == "client" and event.object_id == str(client.pk) and event.client_id == str(client.pk)
    assert event.data()["changes"]["status"] == ["Active", "Inactive"] and event.id.endswith("client.status_changed")


def test_a_change_without_status_is_no_public_event(owner, heard, django_capture_on_commit_callbacks):
    client = Client.objects.create(name="Bella Bakery", slug="bella-events")
    with django_capture_on_commit_callbacks(execute=True):
        client_update(actor=owner, client=client, industry="bakery")
    assert heard == []


def test_a_rolled_back_change_is_never_heard(owner, heard, django_capture_on_commit_callbacks):
    from django.db import transaction

    client = Client.objects.create(name="Bella Bakery", slug="bella-rollback")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        client_update(actor=owner, client=client, status="Inactive")
        raise RuntimeError("undo")
    assert heard == []


def test_a_failing_listener_does_not_stop_the_others(owner, monkeypatch, django_capture_on_commit_callbacks):
    got = []

    def broken(event):
        raise ValueError("boom")

    monkeypatch.setattr(events, "_listeners", [(broken, False), (got.append, False)])
    client = Client.objects.create(name="Joe", slug="joe-listeners")
    with django_capture_on_commit_callbacks(execute=True):
        client_update(actor=owner, client=client, status="Inactive")
    assert len(got) == 1


def test_a_listener_of_many_hears_events_saved_together_at_once(monkeypatch, django_capture_on_commit_callbacks):
    from agency.services.activity import activity_event, save_events

    batches, single = [], []
    monkeypatch.setattr(events, "_listeners", [])
    events.listen(batches.append, many=True)
    events.listen(single.append)
    events.listen(single.append)  # idempotent
    one, two = (Client.objects.create(name=n, slug=f"many-{n}") for n in ("One", "Two"))
    with django_capture_on_commit_callbacks(execute=True):
        save_events([activity_event(None, "client.updated", c, {"status": ["Active", "Inactive"]}) for c in (one, two)])
    assert [[e.object_id for e in batch] for batch in batches] == [[str(one.pk), str(two.pk)]]
    assert [e.object_id for e in single] == [str(one.pk), str(two.pk)]


@pytest.mark.parametrize(
    ("verb", "changes", "types"),
    [
        ("task.updated", {"assignee": [None, "Maya"]}, ["task.assigned"]),
        ("task.status_changed", {"status": ["In progress", "Completed"]}, ["task.completed"]),
        ("post.approved", {"status": ["pending_approval", "scheduled"]}, ["post.approved", "post.scheduled"]),
        ("post.status_changed", {"status": ["publishing", "published"]}, ["post.published"]),
        ("post.target_failed", {"account": "Joe (Facebook)"}, ["post.failed"]),
        ("request.replied", {"message": "hi"}, ["portal_request.updated"]),
        ("deliverable.moved", {"status": ["editing", "delivered"]}, ["deliverable.status_changed"]),
        ("shoot.created", {"status": "scheduled"}, []),
    ],
)
def test_public_types_come_from_verbs_and_changes(verb, changes, types):
    assert [name for name, rule in events.EVENT_TYPES.items() if rule(verb, changes)] == types


def test_live_only_changes_reach_only_the_live_listeners(owner, monkeypatch, django_capture_on_commit_callbacks):
    """A timer started is news for the open pages (hub.live), not a webhook or a notification."""
    from agency.models import Task
    from agency.services.tasks import timer_start

    public, live = [], []
    monkeypatch.setattr(events, "_listeners", [(public.extend, True)])
    monkeypatch.setattr(events, "_live_listeners", [live.extend])
    task = Task.objects.create(name="Edit the reel", status="In Progress")
    with django_capture_on_commit_callbacks(execute=True):
        timer_start(member=owner.team_member, task=task)
    assert [e.type for e in live] == ["task.timer_changed"] and public == []
    assert "task.timer_changed" not in events.EVENT_NAMES  # no endpoint can subscribe to it
