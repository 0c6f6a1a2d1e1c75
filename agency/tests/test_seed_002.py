"""Seed 002 (client & campaign management) with its bodies and real ids, at /api/v1/: clients and
campaigns (flat and nested), generation tasks linked to both, and its data rules — deleting a
client deletes its campaigns and keeps its generation tasks without it (SET NULL), deleting a
campaign keeps what referenced it."""

from __future__ import annotations

import pytest

from generation.models import GenerationJob

pytestmark = pytest.mark.django_db


def test_seed_002_requests_as_written(api_as, owner):
    api = api_as(owner)
    made = api.post("/api/v1/clients", {"name": "Acme Corporation", "description": "Our main enterprise client",
                                         "brand_guidelines": "Use blue color scheme, modern minimalist style"},
                    format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    client_id = made.json()["id"]
    listed = api.get("/api/v1/clients?page=1&page_size=50&sort_by=created_at&sort_order=desc&search=Acme").json()
    assert set(listed) >= {"items", "total", "page", "page_size", "has_more"} and listed["items"][0]["id"] == client_id
    assert api.get(f"/api/v1/clients/{client_id}").json()["description"] == "Our main enterprise client"
    renamed = {"name": "Acme Corporation Inc.", "description": "Updated description"}
    patched = api.patch(f"/api/v1/clients/{client_id}", renamed, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "Acme Corporation Inc."

    campaign = api.post("/api/v1/campaigns", {"client_id": client_id, "name": "Summer 2024 Launch",
                                              "goal": "Promote new product line", "status": "active",
                                              "brief": "Create engaging video content for social media"},
                        format="json")  # fmt: skip
    assert campaign.status_code == 201, campaign.json()
    campaign_id = campaign.json()["id"]
    found = api.get(f"/api/v1/campaigns?page=1&client_id={client_id}&status=active&search=Summer").json()
    assert [c["id"] for c in found["items"]] == [campaign_id]
    assert api.get(f"/api/v1/campaigns/{campaign_id}").json()["goal"] == "Promote new product line"
    archived = api.patch(f"/api/v1/campaigns/{campaign_id}", {"status": "archived", "brief": "Updated campaign brief"},
                         format="json")  # fmt: skip
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    nested = api.post(f"/api/v1/clients/{client_id}/campaigns", {"client_id": client_id, "name": "Winter Campaign",
                                                                  "goal": "Holiday season promotion",
                                                                  "status": "draft"}, format="json")  # fmt: skip
    assert nested.status_code == 201, nested.json()
    assert api.get(f"/api/v1/clients/{client_id}/campaigns?status=draft").json()["total"] == 1

    job = api.post("/api/v1/generate/image", {"prompt": "A futuristic cityscape", "client_id": client_id,
                                              "campaign_id": campaign_id, "provider": "fal",
                                              "model": "fal-ai/flux-pro"}, format="json")  # fmt: skip
    assert job.status_code == 202, job.json()
    job_id = job.json()["id"]
    assert api.get(f"/api/v1/generation/tasks?client_id={client_id}").json()["items"][0]["id"] == job_id

    # Deleting a campaign sets NULL on tasks; deleting a client cascades to campaigns, SET NULL on tasks.
    assert api.delete(f"/api/v1/campaigns/{campaign_id}").status_code == 204
    assert GenerationJob.objects.get(pk=job_id).campaign_id is None
    assert api.delete(f"/api/v1/clients/{client_id}").status_code == 204
    assert api.get(f"/api/v1/campaigns/{nested.json()['id']}").status_code == 404
    kept = api.get(f"/api/v1/generation/tasks/{job_id}")
    assert kept.status_code == 200 and kept.json()["client"] is None
