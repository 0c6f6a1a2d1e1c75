"""Tasks and time: one running timer per person, manual entries, totals, pages and API."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from agency import selectors
from agency.models import Task, TimeEntry
from agency.services import tasks as services
from agency.tests import factories

pytestmark = pytest.mark.django_db


def test_starting_a_timer_stops_the_running_one(editor):
    member = editor.team_member
    first, second = factories.task(), factories.task()
    services.timer_start(member=member, task=first)
    services.timer_start(member=member, task=second)
    running = TimeEntry.objects.filter(member=member, ended_at__isnull=True)
    assert [e.task for e in running] == [second]
    assert TimeEntry.objects.get(task=first).ended_at is not None
    first.refresh_from_db()
    assert first.status == Task.Status.IN_PROGRESS  # starting work moves a to-do along


def test_the_database_allows_one_running_timer_per_person(editor):
    member = editor.team_member
    task = factories.task()
    TimeEntry.objects.create(task=task, member=member, started_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(task=task, member=member, started_at=timezone.now())


def test_manual_entries_are_validated(editor):
    task = factories.task()
    now = timezone.now()
    with pytest.raises(ValidationError, match="after the start"):
        services.time_entry_add(actor=editor, member=editor.team_member, task=task, started_at=now, ended_at=now)
    with pytest.raises(ValidationError, match="future"):
        services.time_entry_add(
            actor=editor, member=editor.team_member, task=task, started_at=now, ended_at=now + timedelta(hours=1)
        )
    entry = services.time_entry_add(
        actor=editor,
        member=editor.team_member,
        task=task,
        started_at=now - timedelta(hours=2),
        ended_at=now - timedelta(hours=1),
    )
    assert entry.seconds == 3600 and entry.source == "manual"


def test_totals_per_task_client_person_and_week(make_staff):
    maya, leo = make_staff("editor").team_member, make_staff("editor").team_member
    client_a, client_b = factories.client(name="A"), factories.client(name="B")
    task_a, task_b = factories.task(client=client_a), factories.task(client=client_b)
    now = timezone.now()
    for member, task, minutes in [(maya, task_a, 60), (maya, task_b, 30), (leo, task_a, 45)]:
        services.time_entry_add(
            actor=None,
            member=member,
            task=task,
            started_at=now - timedelta(minutes=minutes + 5),
            ended_at=now - timedelta(minutes=5),
        )
    totals = selectors.time_totals()
    assert {r["task__client__name"]: r["total"] for r in totals.by_client} == {
        "A": timedelta(minutes=105), "B": timedelta(minutes=30)}  # fmt: skip
    assert {r["member_id"]: r["total"] for r in totals.by_member} == {
        maya.pk: timedelta(minutes=90), leo.pk: timedelta(minutes=45)}  # fmt: skip
    assert sum((r["total"] for r in totals.by_week), timedelta()) == timedelta(minutes=135) == totals.total
    assert selectors.tasks().get(pk=task_a.pk).tracked == timedelta(minutes=105)


def test_timer_buttons_on_the_pages(client, editor):
    task = factories.task(name="Edit the reel", assignee=editor.team_member)
    client.force_login(editor)
    client.post(f"/tasks/{task.pk}/timer/start/")
    mine = client.get("/tasks/mine/").content.decode()
    assert "Your timer is running on" in mine and "Edit the reel" in mine
    assert "sidebar-timer" in mine
    response = client.post("/tasks/timer/stop/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert not TimeEntry.objects.filter(ended_at__isnull=True).exists()
    # The page reloads, so the message waits for it rather than riding on the 204 as an event.
    assert "HX-Trigger" not in response
    assert "Timer stopped:" in client.get("/tasks/mine/").content.decode()


def test_it_keeps_the_first_timers_minutes_and_says_which_timer_stopped(client, editor):
    first = factories.task(name="Edit the reel", assignee=editor.team_member)
    second = factories.task(name="Caption the carousel", assignee=editor.team_member)
    client.force_login(editor)
    client.post(f"/tasks/{first.pk}/timer/start/")
    TimeEntry.objects.filter(task=first).update(started_at=timezone.now() - timedelta(minutes=25))
    response = client.post(f"/tasks/{second.pk}/timer/start/", follow=True)
    stopped = TimeEntry.objects.get(task=first)
    assert stopped.ended_at is not None and 25 * 60 <= stopped.seconds < 26 * 60
    said = [str(m) for m in response.context["messages"]]
    assert "Stopped your timer on “Edit the reel” after 25m; that time is saved." in said
    assert "Timer started on “Caption the carousel”." in said
    assert TimeEntry.objects.get(task=second).ended_at is None


def test_starting_the_running_timer_again_keeps_it_running(client, editor):
    task = factories.task(name="Edit the reel")
    client.force_login(editor)
    client.post(f"/tasks/{task.pk}/timer/start/")
    TimeEntry.objects.filter(task=task).update(started_at=timezone.now() - timedelta(minutes=10))
    response = client.post(f"/tasks/{task.pk}/timer/start/", follow=True)  # a stale page, a double click
    entry = TimeEntry.objects.get(task=task)  # one entry, not a 0-minute one beside it
    assert entry.ended_at is None and entry.seconds >= 600
    assert "Your timer on “Edit the reel” is already running (10m)." in [str(m) for m in response.context["messages"]]


def test_a_short_timer_reads_in_seconds_not_0m():
    from localbzz.templatetags.ui import hours

    assert [hours(0), hours(40), hours(60), hours(3900)] == ["0m", "40s", "1m", "1h 05m"]


def test_my_tasks_without_any_shows_the_teams_open_tasks(client, owner, editor):
    factories.task(name="Edit the reel", assignee=editor.team_member)
    factories.task(name="Old work", status=Task.Status.COMPLETED)
    client.force_login(owner)
    page = client.get("/tasks/mine/").content.decode()
    assert "Nothing is assigned to you" in page and "The team has 1 open task;" in page
    assert "Edit the reel" in page and "Old work" not in page
    assert 'href="/tasks/?open=true"' in page
    filtered = client.get("/tasks/mine/?search=nothing").content.decode()  # a filter: the plain empty state
    assert "Nothing is assigned to you" not in filtered and "No tasks" in filtered


def test_viewers_cannot_track_time(client, viewer):
    task = factories.task()
    client.force_login(viewer)
    assert client.post(f"/tasks/{task.pk}/timer/start/").status_code == 403


def test_api_timer_and_time_entries(api_as, editor):
    task = factories.task()
    api = api_as(editor)
    started = api.post(f"/api/v1/tasks/{task.pk}/timer")
    assert started.status_code == 201 and started.json()["ended_at"] is None
    stopped = api.delete(f"/api/v1/tasks/{task.pk}/timer")
    assert stopped.status_code == 200 and stopped.json()["ended_at"] is not None
    assert api.delete(f"/api/v1/tasks/{task.pk}/timer").status_code == 404
    logged = api.post(
        f"/api/v1/tasks/{task.pk}/time-entries",
        {"started_at": (timezone.now() - timedelta(hours=3)).isoformat(), "minutes": 45},
        format="json",
    )
    assert logged.status_code == 201 and logged.json()["minutes"] == 45
    assert len(api.get(f"/api/v1/tasks/{task.pk}/time-entries").json()) == 2
    assert api.get(f"/api/v1/tasks/{task.pk}").json()["tracked_minutes"] >= 45


def test_api_tasks_filters_and_nested(api_as, viewer, make_staff):
    maya = make_staff("editor").team_member
    client = factories.client()
    mine = factories.task(assignee=maya, client=client, priority="High")
    factories.task(status="Completed", assignee=maya)
    factories.task()
    api = api_as(viewer)
    assert [t["id"] for t in api.get(f"/api/v1/team-members/{maya.pk}/tasks?open=true").json()["items"]] == [
        str(mine.pk)
    ]
    assert [t["id"] for t in api.get(f"/api/v1/clients/{client.pk}/tasks").json()["items"]] == [str(mine.pk)]
    assert [t["id"] for t in api.get("/api/v1/tasks?priority=High").json()["items"]] == [str(mine.pk)]


def test_completing_a_task_stamps_it(api_as, editor):
    task = factories.task()
    body = api_as(editor).patch(f"/api/v1/tasks/{task.pk}", {"status": "Completed"}, format="json").json()
    assert body["completed_at"] is not None


def test_a_task_linked_to_a_deliverable_takes_its_client(editor):
    client = factories.client()
    d = factories.deliverable(client_=client)
    task = factories.task(deliverable=d)
    assert task.client == client
    with pytest.raises(ValidationError, match="another client"):
        factories.task(deliverable=d, client=factories.client())


def test_time_report_page(client, viewer, editor):
    task = factories.task(client=factories.client(name="Report Client"))
    services.time_entry_add(
        actor=None,
        member=editor.team_member,
        task=task,
        started_at=timezone.now() - timedelta(hours=2),
        ended_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(viewer)
    html = client.get("/tasks/time/").content.decode()
    assert "Report Client" in html and "1h 00m" in html


def test_a_time_entry_from_antiquity_is_refused(editor):
    """Found by the API fuzz test: a start in the year 425 was stored and then rendered with New York's
    local mean time offset (-04:56:02), which is not a valid date-time in the answer."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    task = factories.task()
    response = conforms("POST", "/api/v1/tasks/{id}/time-entries", token=staff_token(editor, PASSWORD),
                        path_parameters={"id": str(task.pk)},
                        body={"started_at": "0425-02-24T01:29:23.593063Z", "minutes": 5})  # fmt: skip
    assert response.status_code == 400
    assert "started_at" in response.json()["error"]["details"]
    assert not TimeEntry.objects.filter(task=task).exists()


def test_time_entries_and_due_dates_say_which_zone_and_calendar(client, editor, settings):
    """Staff time is the agency's: the log form says which zone it reads, each entry names its zone,
    and a due date (a day, no time) says by whose calendar it becomes overdue."""
    settings.AGENCY_TIME_ZONE = "America/New_York"
    task = factories.task(name="Edit the reel", assignee=editor.team_member)
    client.force_login(editor)
    started = (timezone.now() - timedelta(hours=1)).astimezone(zoneinfo.ZoneInfo("America/New_York"))
    started = started.replace(second=0, microsecond=0)
    client.post(f"/tasks/{task.pk}/time/", {"started_at": f"{started:%Y-%m-%dT%H:%M}", "minutes": 30})
    client.post(f"/tasks/{task.pk}/timer/start/")
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    zone = started.tzname()  # EST or EDT
    assert "Started (America/New York time)" in page
    assert f"{started:%H:%M}–{started + timedelta(minutes=30):%H:%M} {zone}" in page  # the logged half hour
    assert "running" in page
    mine = client.get("/tasks/mine/").content.decode()
    assert f"since {timezone.localtime(timezone.now(), started.tzinfo):%H}" in mine and f" {zone} (" in mine
    form = client.get(f"/tasks/{task.pk}/edit/").content.decode()
    assert "Overdue from the day after, by the agency&#x27;s calendar (America/New York)." in form
