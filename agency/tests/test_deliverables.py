"""Deliverables: the board (one htmx request per move), overdue, the API, the trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agency.models import ActivityEvent, Deliverable
from agency.tests import factories

pytestmark = pytest.mark.django_db


def test_moving_a_card_is_one_htmx_request_that_returns_the_board(client, editor):
    d = factories.deliverable(title="Sourdough reel")
    client.force_login(editor)
    response = client.post(f"/deliverables/{d.pk}/move/", {"status": "In Progress"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board"' in html and "<html" not in html
    column = html.split('data-status="In Progress"')[1].split("</section>")[0]
    assert "Sourdough reel" in column
    d.refresh_from_db()
    assert d.status == "In Progress"
    event = ActivityEvent.objects.get(verb="deliverable.moved", target_id=str(d.pk))
    assert event.changes == {"status": ["To Do", "In Progress"]} and event.actor == editor


def test_the_board_works_without_javascript(client, editor):
    d = factories.deliverable()
    client.force_login(editor)
    response = client.post(f"/deliverables/{d.pk}/move/", {"status": "Needs Review", "next": "/deliverables/"})
    assert response.status_code == 302 and response["Location"] == "/deliverables/"
    d.refresh_from_db()
    assert d.status == "Needs Review"


def test_delivering_stamps_the_time_and_going_back_clears_it(editor):
    from agency.services.deliverables import deliverable_move

    d = factories.deliverable()
    deliverable_move(actor=editor, deliverable=d, status="Delivered")
    assert d.delivered_at is not None
    deliverable_move(actor=editor, deliverable=d, status="Needs Review")
    assert d.delivered_at is None


def test_an_unknown_status_is_refused(client, editor):
    d = factories.deliverable()
    client.force_login(editor)
    client.post(f"/deliverables/{d.pk}/move/", {"status": "Lost"}, HTTP_HX_REQUEST="true")
    d.refresh_from_db()
    assert d.status == "To Do"


def test_viewers_see_the_board_but_cannot_move(client, viewer):
    d = factories.deliverable(title="Look only")
    client.force_login(viewer)
    html = client.get("/deliverables/").content.decode()
    assert "Look only" in html and "hx-post" not in html
    assert client.post(f"/deliverables/{d.pk}/move/", {"status": "Delivered"}).status_code == 403


def test_overdue_items_stand_out_and_filter(client, api_as, viewer):
    late = factories.deliverable(title="Late one", due_date=timezone.localdate() - timedelta(days=2))
    factories.deliverable(title="On time", due_date=timezone.localdate() + timedelta(days=2))
    factories.deliverable(
        title="Late but delivered", due_date=timezone.localdate() - timedelta(days=2), status="Delivered"
    )
    assert late.is_overdue
    items = api_as(viewer).get("/api/v1/deliverables?overdue=true").json()["items"]
    assert [i["title"] for i in items] == ["Late one"] and items[0]["is_overdue"] is True
    client.force_login(viewer)
    listing = client.get("/deliverables/?view=list&overdue=true").content.decode()
    assert "Late one" in listing and "badge-overdue" in listing and "On time" not in listing


def test_api_create_links_shoot_of_the_same_client_only(api_as, editor):
    c1, c2 = factories.client(), factories.client()
    shoot = factories.shoot(client_=c2)
    response = api_as(editor).post(
        "/api/v1/deliverables", {"client_id": str(c1.pk), "title": "X", "shoot_id": str(shoot.pk)}, format="json"
    )
    assert response.status_code == 400
    assert "belongs to another client" in response.json()["error"]["message"]
    assert not Deliverable.objects.exists()


def test_api_patch_status_moves_it(api_as, editor):
    d = factories.deliverable()
    response = api_as(editor).patch(f"/api/v1/deliverables/{d.pk}", {"status": "Ready-To-Post"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "Ready-To-Post"
    assert ActivityEvent.objects.filter(verb="deliverable.moved", target_id=str(d.pk)).exists()


def test_nested_lists(api_as, viewer):
    client = factories.client()
    shoot = factories.shoot(client_=client)
    d = factories.deliverable(client_=client, shoot=shoot)
    factories.deliverable()
    api = api_as(viewer)
    assert [x["id"] for x in api.get(f"/api/v1/shoots/{shoot.pk}/deliverables").json()["items"]] == [str(d.pk)]
    assert [x["id"] for x in api.get(f"/api/v1/clients/{client.pk}/deliverables").json()["items"]] == [str(d.pk)]
