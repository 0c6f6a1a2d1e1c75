"""Seed 001 (client portal integration guide) field names: accepted on input, present on output,
at /api/v1/ (its /api/... paths without the version answer the JSON 404 envelope); titles are
optional with a sensible default; unknown fields answer 400 ``unknown_field`` naming them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_clients_take_and_answer_email_phone_and_portal_subdomain(api_as, owner):
    api = api_as(owner)
    made = api.post("/api/v1/clients", {"name": "Joe's Landscaping", "status": "Active", "primary_contact_name": "Joe",
                                         "email": "joe@joes.example", "phone": "+1 512 555 0100",
                                         "client_portal_subdomain": "Joes-Yard", "shoot_frequency": "Monthly"},
                    format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["email"], body["phone"], body["client_portal_subdomain"]) == (
        "joe@joes.example",
        "+1 512 555 0100",
        "joes-yard",
    )
    assert (body["primary_contact_email"], body["slug"]) == ("joe@joes.example", "joes-yard")  # same values
    put = api.patch(f"/api/v1/clients/{body['id']}", {"phone": "+1 512 555 0199"}, format="json").json()
    assert put["phone"] == put["primary_contact_phone"] == "+1 512 555 0199"


def test_team_members_take_name_and_roles(api_as, owner):
    made = api_as(owner).post("/api/v1/team-members", {"name": "Maya Lopez", "email": "maya@agency.example",
                                                        "phone": "555-0101", "roles": ["Editor", "Scheduler"]},
                              format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["first_name"], body["last_name"], body["name"]) == ("Maya", "Lopez", "Maya Lopez")
    assert body["is_editor"] and body["is_scheduler"] and not body["is_content_creator"]
    assert body["roles"] == ["editor", "scheduler"]
    changed = api_as(owner).patch(f"/api/v1/team-members/{body['id']}", {"roles": ["Content Creator"]}, format="json")
    assert changed.json()["roles"] == ["content creator"]


def test_shoots_take_shoot_start_duration_and_shoot_end_and_title_is_optional(api_as, owner):
    api = api_as(owner)
    client = api.post("/api/v1/clients", {"name": "Joe's Landscaping"}, format="json").json()
    made = api.post("/api/v1/shoots", {"client_id": client["id"], "shoot_start": "2026-12-12T15:00:00Z",
                                        "duration": 90, "status": "Scheduled", "location": "Austin"},
                    format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["title"] == "Joe's Landscaping shoot, 12 Dec"
    assert body["shoot_start"] == body["start"] and body["duration"] == body["duration_minutes"] == 90
    assert body["shoot_end"] == body["end"] and body["shoot_end"].startswith("2026-12-12T11:30:00")  # New York
    by_end = api.post("/api/v1/shoots", {"client_id": client["id"], "shoot_start": "2026-12-13T15:00:00Z",
                                          "shoot_end": "2026-12-13T16:00:00Z"}, format="json")  # fmt: skip
    assert by_end.status_code == 201 and by_end.json()["duration"] == 60
    missing = api.post("/api/v1/shoots", {"client_id": client["id"], "duration": 60}, format="json")
    assert missing.status_code == 400 and "start" in missing.json()["error"]["details"]

    deliverable = api.post("/api/v1/deliverables", {"client_id": client["id"], "shoot_id": body["id"],
                                                     "deliverable_type": "Reel", "due_date": "2026-12-20"},
                           format="json")  # fmt: skip
    assert deliverable.status_code == 201, deliverable.json()
    out = deliverable.json()
    assert out["deliverable_type"] == out["type"] == "Reel" and out["title"] == "Joe's Landscaping reel, 20 Dec"
    assert api.get(f"/api/v1/shoots/{body['id']}/deliverables").json()["items"][0]["deliverable_type"] == "Reel"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/clients", {"name": "Typo Inc", "emial": "x@example.com"}),
        ("/api/v1/shoots", {"shoot_start": "2026-12-12T15:00:00Z", "duraton": 60}),
        ("/api/v1/tasks", {"name": "Edit", "priorty": "High"}),
    ],
)
def test_unknown_fields_answer_400_naming_them(api_as, owner, path, body):
    response = api_as(owner).post(path, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    typo = next(name for name in body if name in {"emial", "duraton", "priorty"})
    assert error["code"] == "unknown_field" and typo in error["details"] and typo in error["message"]
    assert "Unknown field" in error["details"][typo][0]


def test_seed_paths_without_the_version_answer_the_json_404(api_as, owner):
    response = api_as(owner).get("/api/clients")
    assert response.status_code == 404 and "/api/v1/" in response.json()["error"]["message"]
