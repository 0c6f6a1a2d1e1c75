"""Shoots: timing stays consistent, crew double-booking is detected (form and API), iCal feeds."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from agency.models import ActivityEvent, Shoot
from agency.services import feeds
from agency.tests import factories

pytestmark = pytest.mark.django_db


def test_start_and_duration_or_end_stay_consistent(api_as, editor):
    client = factories.client()
    api = api_as(editor)
    start = factories.at(2, 9)
    by_duration = api.post(
        "/api/v1/shoots",
        {"client_id": str(client.pk), "title": "A", "start": start.isoformat(), "duration_minutes": 90},
        format="json",
    ).json()
    assert datetime.fromisoformat(by_duration["end"]) == start + timedelta(minutes=90)
    by_end = api.post(
        "/api/v1/shoots",
        {
            "client_id": str(client.pk),
            "title": "B",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=3)).isoformat(),
        },
        format="json",
    ).json()
    assert by_end["duration_minutes"] == 180
    moved = api.patch(
        f"/api/v1/shoots/{by_end['id']}", {"start": (start + timedelta(days=1)).isoformat()}, format="json"
    )
    shoot = Shoot.objects.get(pk=by_end["id"])
    assert moved.status_code == 200
    assert shoot.end - shoot.start == timedelta(minutes=180)


def test_an_end_before_the_start_is_refused(api_as, editor):
    client = factories.client()
    start = factories.at(2, 9)
    response = api_as(editor).post(
        "/api/v1/shoots",
        {
            "client_id": str(client.pk),
            "title": "A",
            "start": start.isoformat(),
            "end": (start - timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "must end after it starts" in response.json()["error"]["message"]


def test_double_booked_crew_answers_409_with_the_clashes(api_as, editor, make_staff):
    maya = make_staff("editor", first_name="Maya", last_name="Lens").team_member
    first = factories.shoot(start=factories.at(3, 10), minutes=120, crew=[maya], title="Morning bake")
    client = factories.client()
    payload = {"client_id": str(client.pk), "title": "Clash", "start": factories.at(3, 11).isoformat(),
               "duration_minutes": 60, "crew_ids": [str(maya.pk)]}  # fmt: skip
    response = api_as(editor).post("/api/v1/shoots", payload, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "Maya Lens is already on “Morning bake”" in error["message"]
    clash = error["details"]["clashes"][0]
    assert clash["member_id"] == str(maya.pk) and clash["shoot_id"] == str(first.pk)
    assert Shoot.objects.count() == 1  # nothing half-written

    forced = api_as(editor).post("/api/v1/shoots?allow_conflict=true", payload, format="json")
    assert forced.status_code == 201
    also_in_body = api_as(editor).post("/api/v1/shoots", {**payload, "allow_conflict": True}, format="json")
    assert also_in_body.status_code == 201


def test_touching_and_cancelled_shoots_do_not_clash(make_staff):
    maya = make_staff("editor").team_member
    factories.shoot(start=factories.at(4, 9), minutes=60, crew=[maya])
    factories.shoot(start=factories.at(4, 12), minutes=60, crew=[maya], status=Shoot.Status.CANCELLED)
    factories.shoot(start=factories.at(4, 10), minutes=60, crew=[maya])  # starts when the first ends
    factories.shoot(start=factories.at(4, 12), minutes=60, crew=[maya])  # over the cancelled one
    assert Shoot.objects.count() == 4


def test_rescheduling_onto_a_clash_is_refused(api_as, editor, make_staff):
    maya = make_staff("editor").team_member
    factories.shoot(start=factories.at(5, 9), minutes=120, crew=[maya])
    later = factories.shoot(start=factories.at(5, 14), minutes=60, crew=[maya])
    response = api_as(editor).patch(
        f"/api/v1/shoots/{later.pk}", {"start": factories.at(5, 10).isoformat()}, format="json"
    )
    assert response.status_code == 409
    later.refresh_from_db()
    assert later.start == factories.at(5, 14)


def test_the_booking_form_shows_who_clashes_with_what(client, editor, make_staff):
    maya = make_staff("editor", first_name="Maya", last_name="Lens").team_member
    factories.shoot(start=factories.at(6, 10), crew=[maya], title="Cake decorating")
    customer = factories.client()
    client.force_login(editor)
    data = {"client": customer.pk, "title": "New", "start": factories.form_time(factories.at(6, 11)),
            "duration_minutes": 60, "status": "Scheduled", "crew": [maya.pk]}  # fmt: skip
    live = client.post("/shoots/clashes/", data, HTTP_HX_REQUEST="true").content.decode()
    assert "Crew double-booked" in live and "Maya Lens is already on “Cake decorating”" in live
    page = client.post("/shoots/new/", data).content.decode()
    assert "Maya Lens is already on “Cake decorating”" in page
    assert "Book anyway" in page
    assert Shoot.objects.count() == 1
    booked = client.post("/shoots/new/", {**data, "allow_conflict": "on"})
    assert booked.status_code == 302 and Shoot.objects.count() == 2


def test_status_changes_are_recorded(api_as, editor):
    shoot = factories.shoot()
    api_as(editor).patch(f"/api/v1/shoots/{shoot.pk}", {"status": "Postponed"}, format="json")
    event = ActivityEvent.objects.get(verb="shoot.status_changed", target_id=str(shoot.pk))
    assert event.changes == {"status": ["Scheduled", "Postponed"]} and event.actor == editor


def test_viewer_cannot_book(api_as, viewer):
    client = factories.client()
    response = api_as(viewer).post(
        "/api/v1/shoots",
        {"client_id": str(client.pk), "title": "X", "start": factories.at().isoformat(), "duration_minutes": 60},
        format="json",
    )
    assert response.status_code == 403


def test_client_shoots_and_filters(api_as, viewer, make_staff):
    maya = make_staff("editor").team_member
    a, b = factories.client(), factories.client()
    mine = factories.shoot(client_=a, crew=[maya], start=factories.at(7))
    factories.shoot(client_=a, start=factories.at(8))
    factories.shoot(client_=b, crew=[maya], start=factories.at(9))
    api = api_as(viewer)
    assert len(api.get(f"/api/v1/clients/{a.pk}/shoots").json()["items"]) == 2
    only = api.get(f"/api/v1/shoots?client_id={a.pk}&member_id={maya.pk}").json()["items"]
    assert [s["id"] for s in only] == [str(mine.pk)]
    assert only[0]["crew"][0]["id"] == str(maya.pk)


def test_calendar_page_shows_month_and_week(client, viewer):
    shoot = factories.shoot(start=factories.at(0, 12), title="Visible shoot")
    client.force_login(viewer)
    month = client.get("/shoots/").content.decode()
    assert "Visible shoot" in month
    week = client.get(f"/shoots/?view=week&date={shoot.start.date()}", HTTP_HX_REQUEST="true").content.decode()
    assert "Visible shoot" in week and "<html" not in week  # htmx gets just the calendar
    other = client.get(f"/shoots/?client={factories.client().pk}").content.decode()
    assert "Visible shoot" not in other


# iCalendar feeds -----------------------------------------------------------------------------


def _parse(response) -> Calendar:
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_a_crew_member_feed_lists_exactly_their_shoots(client, owner, make_staff):
    maya, leo = make_staff("editor").team_member, make_staff("editor").team_member
    hers = [factories.shoot(crew=[maya], start=factories.at(d)) for d in (1, 3)]
    both = factories.shoot(crew=[maya, leo], start=factories.at(5))
    factories.shoot(crew=[leo], start=factories.at(2))
    factories.shoot(start=factories.at(4))
    feed = feeds.feed_get_or_create(actor=owner, scope="member", member=maya)
    calendar = _parse(client.get(f"/calendar/{feed.token}.ics"))
    uids = {str(event["uid"]) for event in calendar.walk("VEVENT")}
    assert uids == {f"shoot-{s.pk}@localbzz" for s in [*hers, both]}
    event = next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"shoot-{both.pk}@localbzz")
    assert event.decoded("dtstart") == both.start and event.decoded("dtend") == both.end
    assert str(calendar["x-wr-calname"]).endswith(maya.name)


def test_client_and_all_feeds(client, owner):
    a, b = factories.client(), factories.client()
    sa, sb = factories.shoot(client_=a), factories.shoot(client_=b)
    feed_a = feeds.feed_get_or_create(actor=owner, scope="client", client=a)
    feed_all = feeds.feed_get_or_create(actor=owner, scope="all")
    assert {str(e["uid"]) for e in _parse(client.get(f"/calendar/{feed_a.token}.ics")).walk("VEVENT")} == {
        f"shoot-{sa.pk}@localbzz"
    }
    all_uids = {str(e["uid"]) for e in _parse(client.get(f"/calendar/{feed_all.token}.ics")).walk("VEVENT")}
    assert all_uids == {f"shoot-{sa.pk}@localbzz", f"shoot-{sb.pk}@localbzz"}


def test_regenerating_a_feed_kills_the_old_url(client, owner):
    feed = feeds.feed_get_or_create(actor=owner, scope="all")
    old = feed.token
    client.force_login(owner)
    client.post("/shoots/feeds/create/", {"scope": "all", "regenerate": "1"})
    client.logout()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    feed.refresh_from_db()
    assert feed.token != old and client.get(f"/calendar/{feed.token}.ics").status_code == 200


def test_cancelled_shoots_are_cancelled_events(client, owner):
    shoot = factories.shoot(status=Shoot.Status.CANCELLED)
    feed = feeds.feed_get_or_create(actor=owner, scope="all")
    event = next(iter(_parse(client.get(f"/calendar/{feed.token}.ics")).walk("VEVENT")))
    assert str(event["status"]) == "CANCELLED" and shoot.title in str(event["summary"])


def test_date_times_before_standard_time_are_written_in_utc(editor):
    """Found by the API fuzz test: a shoot moved to the year 24 came back with New York's local mean
    time offset (-04:56:02), which is not an RFC 3339 date-time; such values are written in UTC."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    token = staff_token(editor, PASSWORD)
    ancient, modern = factories.shoot(), factories.shoot()
    response = conforms("PATCH", "/api/v1/shoots/{id}", token=token, path_parameters={"id": str(ancient.pk)},
                        body={"start": "0024-07-14T16:28:55.3Z"})  # fmt: skip
    assert response.status_code == 200
    assert response.json()["start"] == "0024-07-14T16:28:55.300000Z"
    # Ordinary date-times keep the agency's offset.
    kept = conforms("GET", "/api/v1/shoots/{id}", token=token, path_parameters={"id": str(modern.pk)})
    assert kept.json()["start"][-6:] in {"-05:00", "-04:00"}


def test_the_booking_form_offers_only_the_chosen_clients_campaigns(client, editor):
    from agency.models import Campaign

    joe, bella = factories.client(name="Joe"), factories.client(name="Bella")
    lawns, cakes = (
        Campaign.objects.create(client=joe, name="Spring lawns"),
        Campaign.objects.create(client=bella, name="Holiday cakes"),
    )
    client.force_login(editor)
    page = client.get(f"/shoots/new/?client={joe.pk}").content.decode()
    assert "Spring lawns" in page and "Holiday cakes" not in page and "---------" not in page
    assert '<option value="" selected>Choose a client</option>' not in page  # Joe is chosen
    assert 'hx-get="/campaigns/options/" hx-trigger="change from:#id_client"' in page
    assert "Choose a client first" in client.get("/shoots/new/").content.decode()
    options = client.get(f"/campaigns/options/?client={bella.pk}&campaign={cakes.pk}").content.decode()
    assert options == f'<option value="">No campaign</option><option value="{cakes.pk}" selected>Holiday cakes</option>'
    assert (
        client.get("/campaigns/options/?client=nope").content.decode()
        == '<option value="">Choose a client first</option>'
    )
    # The server still refuses another client's campaign, saying whose it is.
    data = {"client": joe.pk, "title": "Lawn day", "start": factories.form_time(factories.at(4, 10)),
            "duration_minutes": 60, "status": "Scheduled", "campaign": cakes.pk}  # fmt: skip
    refused = client.post("/shoots/new/", data).content.decode()
    assert "“Holiday cakes” is a campaign of Bella, not of Joe." in refused and not Shoot.objects.exists()
    assert client.post("/shoots/new/", {**data, "campaign": lawns.pk}).status_code == 302


def test_book_anyway_comes_with_the_live_clash_warning_and_times_name_their_zone(client, editor, make_staff, settings):
    maya = make_staff("editor", first_name="Maya", last_name="Lens").team_member
    factories.shoot(start=factories.at(6, 10), crew=[maya], title="Cake decorating")
    client.force_login(editor)
    form = client.get("/shoots/new/").content.decode()
    assert "allow_conflict" not in form  # nothing to override yet
    assert "(local time where the shoot is)</span>" in form  # no client chosen yet: said which zone it will be
    data = {"client": factories.client().pk, "title": "New", "start": factories.form_time(factories.at(6, 11)),
            "duration_minutes": 60, "status": "Scheduled", "crew": [maya.pk]}  # fmt: skip
    live = client.post("/shoots/clashes/", data, HTTP_HX_REQUEST="true").content.decode()
    assert '<input type="checkbox" name="allow_conflict" value="on">' in live
    ticked = client.post("/shoots/clashes/", {**data, "allow_conflict": "on"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="allow_conflict" value="on" checked' in ticked


def test_every_calendar_day_offers_booking_on_it(client, editor):
    client.force_login(editor)
    page = client.get("/shoots/?date=2026-03-10").content.decode()
    assert 'data-new-shoot="/shoots/new/?start=2026-03-10T09:00"' in page
    assert 'aria-label="Book a shoot on Tuesday 10 March"' in page
    assert "js/shoot_calendar.js" in page


def test_crm_forms_say_what_an_empty_choice_means(client, editor):
    client.force_login(editor)
    for url in ("/shoots/new/", "/deliverables/new/", "/tasks/new/"):
        assert "---------" not in client.get(url).content.decode(), url


def test_a_shoot_is_taken_and_shown_in_its_clients_zone_everywhere(client, editor, settings):
    """The rule of localbzz/zones.py: a shoot happens at the client's, so staff read and type its
    time in the client's zone, named beside it, on every page (the agency is in New York here)."""
    settings.AGENCY_TIME_ZONE = "America/New_York"
    bella = factories.client(name="Bella", timezone="America/Los_Angeles")
    client.force_login(editor)
    form = client.get(f"/shoots/new/?client={bella.pk}").content.decode()
    assert "(America/Los Angeles time)</span>" in form
    assert 'data-zone="America/Los Angeles"' in form and 'data-zone-for="start"' in form
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(bella.tz).date()
    data = {"client": bella.pk, "title": "Cake shoot", "start": f"{tomorrow:%Y-%m-%d}T09:00", "duration_minutes": 150,
            "status": "Scheduled"}  # fmt: skip
    response = client.post("/shoots/new/", data)
    shoot = Shoot.objects.get(title="Cake shoot")
    local = shoot.start.astimezone(bella.tz)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 9, 0)  # 09:00 in Portland, not in New York
    zone = local.tzname()  # PST or PDT
    assert f"09:00–11:30 {zone}" in response.wsgi_request._messages._queued_messages[0].message
    detail = client.get(f"/shoots/{shoot.pk}/").content.decode()
    assert f"09:00–11:30 {zone}" in detail and "America/Los Angeles time" in detail
    edit = client.get(f"/shoots/{shoot.pk}/edit/").content.decode()
    assert f'value="{tomorrow:%Y-%m-%d}T09:00"' in edit and "(America/Los Angeles time)" in edit
    listing = client.get("/shoots/?view=list").content.decode()
    assert f"09:00–11:30 {zone}" in listing
    month = client.get(f"/shoots/?date={tomorrow:%Y-%m-%d}").content.decode()
    assert f'<span class="cal-time">09:00 {zone}</span> Cake shoot' in month
    assert "in its client's time zone" in month
    client_page = client.get(f"/clients/{bella.pk}/").content.decode()
    assert f"09:00 {zone}" in client_page
    # Editing keeps the wall-clock time in the client's zone (nothing shifts by the agency's offset).
    client.post(f"/shoots/{shoot.pk}/edit/", {**data, "title": "Cake shoot 2", "start": f"{tomorrow:%Y-%m-%d}T10:00"})
    shoot.refresh_from_db()
    assert shoot.start.astimezone(bella.tz).hour == 10


def test_the_dashboard_names_the_zone_of_todays_shoots_and_of_the_next_one(client, editor, settings):
    settings.AGENCY_TIME_ZONE = "America/New_York"
    joe = factories.client(name="Joe", timezone="America/Chicago")
    noon_in_new_york = datetime(2026, 3, 10, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    with time_machine.travel(noon_in_new_york, tick=False):
        factories.shoot(client_=joe, start=noon_in_new_york + timedelta(hours=2), minutes=90, title="Crew at work")
        client.force_login(editor)
        page = client.get("/").content.decode()
    assert "next: 13:00 CDT" in page  # 14:00 in New York is 13:00 in Austin, where the crew will be
    assert "13:00–14:30 CDT" in page


def test_a_shoots_feed_and_the_api_write_its_times_in_the_clients_zone(client, api_as, editor, owner):
    bella = factories.client(name="Bella", timezone="America/Los_Angeles")
    shoot = factories.shoot(client_=bella, start=factories.at(3, 17), title="Cake shoot")
    body = api_as(editor).get(f"/api/v1/shoots/{shoot.pk}").json()
    assert body["timezone"] == "America/Los_Angeles"
    assert datetime.fromisoformat(body["start"]).utcoffset() == shoot.start.astimezone(bella.tz).utcoffset()
    # A time without an offset is the client's wall clock.
    naive = shoot.start.astimezone(bella.tz).replace(tzinfo=None, hour=8, minute=0)
    patched = api_as(editor).patch(f"/api/v1/shoots/{shoot.pk}", {"start": naive.isoformat()}, format="json")
    assert patched.status_code == 200, patched.content
    shoot.refresh_from_db()
    assert shoot.start.astimezone(bella.tz).replace(tzinfo=None) == naive
    feed = feeds.feed_get_or_create(actor=owner, scope="client", client=bella)
    ics = Calendar.from_ical(client.get(f"/calendar/{feed.token}.ics").content)
    event = next(e for e in ics.walk("VEVENT") if "Cake shoot" in str(e["summary"]))
    assert event["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert event.decoded("dtstart").replace(tzinfo=None) == naive
