"""/api/v1/clients and campaigns: CRUD, validation, permissions from every side."""

from __future__ import annotations

import pytest

from agency.models import ActivityEvent, Campaign, Client, Task
from agency.tests import factories

pytestmark = pytest.mark.django_db


def test_it_creates_a_client_from_a_business_name(api_as, owner):
    response = api_as(owner).post(
        "/api/v1/clients", {"business_name": "Joe's Landscaping", "timezone": "America/Chicago"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Joe's Landscaping" and body["slug"] == "joes-landscaping"
    assert body["portal_url"].startswith("http://joes-landscaping.localhost")
    client = Client.objects.get(pk=body["id"])
    assert ActivityEvent.objects.filter(verb="client.created", target_id=str(client.pk), actor=owner).exists()


@pytest.mark.parametrize(
    "slug, message",
    [
        ("admin", "reserved for LocalBzz itself"),
        ("-bad-", "lowercase letters, digits and hyphens"),
        ("has space", "lowercase letters, digits and hyphens"),
        ("x" * 64, "no more than 63 characters"),
    ],
)
def test_portal_address_must_be_a_free_dns_label(api_as, owner, slug, message):
    response = api_as(owner).post("/api/v1/clients", {"name": "Any", "slug": slug}, format="json")
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Client.objects.exists()


def test_duplicate_portal_address_is_refused(api_as, owner):
    factories.client(slug="bella-bakery")
    response = api_as(owner).post("/api/v1/clients", {"name": "Other", "slug": "bella-bakery"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["error"]["details"]


def test_a_made_up_portal_address_is_always_a_valid_dns_label():
    from agency.services.clients import slug_suggest

    assert slug_suggest("By admin_user & Sons!") == "by-admin-user-sons"
    assert slug_suggest("www") == "www-co"
    assert slug_suggest("   ") == "client"


def test_unknown_time_zone_is_refused_with_an_example(api_as, owner):
    response = api_as(owner).post("/api/v1/clients", {"name": "Any", "timezone": "Mars/Olympus"}, format="json")
    assert response.status_code == 400
    assert "America/New_York" in response.json()["error"]["message"]


def test_list_searches_filters_and_sorts(api_as, viewer):
    factories.client(name="Bella Bakery", status="Active", industry="bakery")
    factories.client(name="Zed Zoo", status="Pitching")
    factories.client(name="Alpha Auto", status="Inactive")
    api = api_as(viewer)
    assert [c["name"] for c in api.get("/api/v1/clients?search=bakery").json()["items"]] == ["Bella Bakery"]
    assert [c["name"] for c in api.get("/api/v1/clients?status=Pitching").json()["items"]] == ["Zed Zoo"]
    names = [c["name"] for c in api.get("/api/v1/clients?sort_by=name&sort_order=desc").json()["items"]]
    assert names == ["Zed Zoo", "Bella Bakery", "Alpha Auto"]


def test_patch_put_and_delete(api_as, admin_user):
    client = factories.client(name="Old Name")
    api = api_as(admin_user)
    assert (
        api.patch(f"/api/v1/clients/{client.pk}", {"monthly_post_limit": 12}, format="json").json()[
            "monthly_post_limit"
        ]
        == 12
    )
    put = api.put(f"/api/v1/clients/{client.pk}", {"name": "New Name", "slug": client.slug}, format="json")
    assert put.status_code == 200 and put.json()["name"] == "New Name"
    event = ActivityEvent.objects.filter(verb="client.updated", target_id=str(client.pk)).first()
    assert event.changes["name"] == ["Old Name", "New Name"]
    assert api.delete(f"/api/v1/clients/{client.pk}").status_code == 204
    assert not Client.objects.filter(pk=client.pk).exists()


def test_deleting_a_client_removes_its_campaigns_and_keeps_its_tasks(api_as, owner):
    client = factories.client()
    Campaign.objects.create(client=client, name="Spring")
    task = factories.task(client=client)
    assert api_as(owner).delete(f"/api/v1/clients/{client.pk}").status_code == 204
    assert not Campaign.objects.exists()
    task.refresh_from_db()
    assert task.client is None
    assert ActivityEvent.objects.filter(verb="client.deleted", client=None).exists()


@pytest.mark.parametrize(
    "who, read, write",
    [("owner", 200, 201), ("admin_user", 200, 201), ("editor", 200, 403), ("viewer", 200, 403)],
)
def test_clients_permissions_from_every_side(request, api_as, who, read, write):
    api = api_as(request.getfixturevalue(who))
    assert api.get("/api/v1/clients").status_code == read
    response = api.post("/api/v1/clients", {"name": f"By {who}"}, format="json")
    assert response.status_code == write
    if write == 403:
        assert "ask an owner or admin" in response.json()["error"]["message"]


def test_anonymous_cannot_read_or_write(api):
    assert api.get("/api/v1/clients").status_code == 401
    assert api.post("/api/v1/clients", {"name": "X"}, format="json").status_code == 401


def test_unknown_client_is_404_in_the_envelope(api_as, viewer):
    response = api_as(viewer).get("/api/v1/clients/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# Campaigns ----------------------------------------------------------------------------------


def test_nested_campaigns_list_and_create(api_as, editor):
    client, other = factories.client(), factories.client()
    api = api_as(editor)
    created = api.post(f"/api/v1/clients/{client.pk}/campaigns", {"name": "Spring", "status": "active"}, format="json")
    assert created.status_code == 201 and created.json()["client_id"] == str(client.pk)
    Campaign.objects.create(client=other, name="Not mine")
    items = api.get(f"/api/v1/clients/{client.pk}/campaigns").json()["items"]
    assert [c["name"] for c in items] == ["Spring"]
    mismatch = api.post(
        f"/api/v1/clients/{client.pk}/campaigns", {"name": "X", "client_id": str(other.pk)}, format="json"
    )
    assert mismatch.status_code == 400


def test_campaigns_filter_by_client_status_and_search(api_as, viewer):
    a, b = factories.client(), factories.client()
    Campaign.objects.create(client=a, name="Summer launch", status="active")
    Campaign.objects.create(client=a, name="Winter", status="draft")
    Campaign.objects.create(client=b, name="Summer sale", status="active")
    api = api_as(viewer)
    items = api.get(f"/api/v1/campaigns?client_id={a.pk}&status=active&search=summer").json()["items"]
    assert [c["name"] for c in items] == ["Summer launch"]


def test_deleting_a_campaign_leaves_linked_things_without_it(api_as, editor):
    client = factories.client()
    campaign = Campaign.objects.create(client=client, name="Spring")
    shoot = factories.shoot(client_=client, campaign=campaign)
    task = factories.task(client=client, campaign=campaign)
    assert api_as(editor).delete(f"/api/v1/campaigns/{campaign.pk}").status_code == 204
    shoot.refresh_from_db()
    task.refresh_from_db()
    assert shoot.campaign is None and task.campaign is None


def test_campaign_cannot_end_before_it_starts(api_as, editor):
    client = factories.client()
    response = api_as(editor).post(
        "/api/v1/campaigns",
        {"client_id": str(client.pk), "name": "Backwards", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.json()["error"]["message"]


def test_viewer_cannot_write_campaigns(api_as, viewer):
    client = factories.client()
    assert (
        api_as(viewer).post(f"/api/v1/clients/{client.pk}/campaigns", {"name": "X"}, format="json").status_code == 403
    )
    assert not Task.objects.exists()


def test_deleting_a_client_with_posts_is_a_409_that_says_why(owner):
    """Found by the API fuzz test: the database's protected foreign keys refused the delete and the
    API answered 500."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token
    from publishing.services import posts as post_services
    from publishing.tests.posting import accounts_for

    client = factories.client()
    accounts = accounts_for(client, owner, platforms=("facebook",))
    post_services.post_create(actor=owner, client=client, caption="Spring lawns", accounts=list(accounts.values()))
    response = conforms("DELETE", "/api/v1/clients/{id}", token=staff_token(owner, PASSWORD),
                        path_parameters={"id": str(client.pk)})  # fmt: skip
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and "still in use" in error["message"]
    assert error["details"]["in_use_by"]
    assert Client.objects.filter(pk=client.pk).exists()
