"""API keys from the outside: made by admins, shown once, scoped per area, revocable, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from agency.models import ActivityEvent
from integrations.models import ApiKey
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_key(api_as, admin_user):
    def make(*scopes, by=None, **extra):
        response = api_as(by or admin_user).post(
            "/api/v1/api-keys", {"name": "Zapier", "scopes": list(scopes), **extra}, format="json"
        )
        assert response.status_code == 201, response.json()
        return response.json()

    return make


def keyed(key: str, header: str = "Authorization") -> APIClient:
    client = APIClient()
    if header == "Authorization":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    else:
        client.credentials(HTTP_X_API_KEY=key)
    return client


def test_a_read_only_crm_key_reads_clients_but_cannot_write(make_key, shop):
    made = make_key("crm:read")
    assert made["key"].startswith(f"lbz_{made['prefix']}_") and len(made["key"]) > 40
    client = keyed(made["key"])
    listed = client.get("/api/v1/clients")
    assert listed.status_code == 200 and listed.json()["total"] == 1
    refused = client.post("/api/v1/clients", {"name": "New Shop"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "This API key lacks the 'crm:write' scope; ask an admin for a key with it."
    )
    # Other areas are closed to it.
    assert client.get("/api/v1/posts").status_code == 403
    assert client.get("/api/v1/media").status_code == 403
    # The X-Api-Key header works too.
    assert keyed(made["key"], "X-Api-Key").get("/api/v1/clients").status_code == 200


def test_a_content_write_key_creates_a_post(make_key, admin_user, shop):
    accounts = accounts_for(shop, admin_user, platforms=("facebook",))
    made = make_key("content:write")
    response = keyed(made["key"]).post(
        "/api/v1/posts",
        {"client_id": str(shop.pk), "caption": "Spring mulch sale", "account_ids": [str(accounts["facebook"].pk)]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["caption"] == "Spring mulch sale"
    # It acts as the admin who made it.
    assert ActivityEvent.objects.filter(verb="post.created", actor=admin_user).exists()
    assert keyed(made["key"]).get("/api/v1/clients").status_code == 403


def test_a_revoked_key_answers_401_with_a_clear_message(make_key, api_as, admin_user, shop):
    made = make_key("crm:read")
    assert keyed(made["key"]).get("/api/v1/clients").status_code == 200
    assert api_as(admin_user).delete(f"/api/v1/api-keys/{made['id']}").status_code == 204
    response = keyed(made["key"]).get("/api/v1/clients")
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("This API key was revoked on ")
    assert response["WWW-Authenticate"]
    assert ActivityEvent.objects.filter(verb="api_key.revoked", target_id=made["id"]).exists()


def test_unknown_tampered_and_expired_keys_answer_401(make_key, shop):
    made = make_key("crm:read", expires_at=(timezone.now() + timedelta(days=1)).isoformat())
    assert keyed(made["key"] + "x").get("/api/v1/clients").status_code == 401
    assert keyed("lbz_nope_nothing").get("/api/v1/clients").status_code == 401
    assert keyed("garbage").get("/api/v1/clients").json()["error"]["message"].startswith("This API key is not valid")
    assert keyed(made["key"]).get("/api/v1/clients").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        expired = keyed(made["key"]).get("/api/v1/clients")
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]


def test_last_used_is_recorded_at_most_once_a_minute(make_key, shop):
    made = make_key("crm:read")
    key = ApiKey.objects.get(pk=made["id"])
    assert key.last_used_at is None
    keyed(made["key"]).get("/api/v1/clients")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    keyed(made["key"]).get("/api/v1/clients")
    key.refresh_from_db()
    assert key.last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        keyed(made["key"]).get("/api/v1/clients")
    key.refresh_from_db()
    assert key.last_used_at > first


def test_the_key_is_not_retrievable_after_creation(make_key, api_as, admin_user, client):
    made = make_key("crm:read", "media:write")
    stored = ApiKey.objects.get(pk=made["id"])
    assert made["key"] not in {stored.key_hash, stored.prefix} and len(stored.key_hash) == 64
    api = api_as(admin_user)
    assert made["key"] not in api.get("/api/v1/api-keys").content.decode()
    detail = api.get(f"/api/v1/api-keys/{made['id']}").json()
    assert "key" not in detail and detail["scopes"] == ["crm:read", "media:write"] and detail["status"] == "active"
    client.force_login(admin_user)
    page = client.get("/settings/api-keys/").content.decode()
    assert made["key"] not in page and f"lbz_{made['prefix']}_…" in page


def test_a_key_never_exceeds_the_level_of_the_admin_who_made_it(make_key, make_staff, api_as, owner, shop):
    maker = make_staff("admin", "maker@test.local")
    made = make_key("crm:write", by=maker)
    assert keyed(made["key"]).patch(f"/api/v1/clients/{shop.pk}", {"notes": "x"}, format="json").status_code == 200
    api_as(owner).patch(f"/api/v1/team-members/{maker.team_member.pk}", {"access_level": "viewer"}, format="json")
    response = keyed(made["key"]).patch(f"/api/v1/clients/{shop.pk}", {"notes": "y"}, format="json")
    assert response.status_code == 403 and "viewer" in response.json()["error"]["message"]


def test_keys_cannot_manage_webhooks_or_keys(make_key):
    made = make_key("crm:write", "content:write", "media:write", "generation:write", "portal-admin:write")
    client = keyed(made["key"])
    assert client.get("/api/v1/webhooks").status_code == 403
    response = client.post("/api/v1/api-keys", {"name": "x", "scopes": ["crm:read"]}, format="json")
    assert response.status_code == 403 and "sign in as a person" in response.json()["error"]["message"]


def test_bad_input_is_refused_with_a_clear_message(api_as, admin_user):
    api = api_as(admin_user)
    response = api.post("/api/v1/api-keys", {"name": "x", "scopes": ["crm:admin"]}, format="json")
    assert response.status_code == 400 and "scopes" in response.json()["error"]["details"]
    response = api.post("/api/v1/api-keys", {"name": "x", "scopes": []}, format="json")
    assert response.status_code == 400
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api.post("/api/v1/api-keys", {"name": "x", "scopes": ["crm:read"], "expires_at": past}, format="json")
    assert response.status_code == 400 and "future" in response.json()["error"]["message"]


def test_editors_cannot_see_or_make_keys(api_as, editor, client):
    api = api_as(editor)
    assert api.get("/api/v1/api-keys").status_code == 403
    assert api.post("/api/v1/api-keys", {"name": "x", "scopes": ["crm:read"]}, format="json").status_code == 403
    client.force_login(editor)
    assert client.get("/settings/api-keys/").status_code == 403


def test_the_page_makes_a_key_shown_once_and_revokes_it(client, admin_user, shop):
    client.force_login(admin_user)
    response = client.post("/settings/api-keys/", {"name": "Reporting", "scopes": ["crm:read"]})
    assert response.status_code == 200
    key = ApiKey.objects.get(name="Reporting")
    html = response.content.decode()
    raw = html.split('data-testid="new-api-key">')[1].split("<")[0]
    assert raw.startswith(f"lbz_{key.prefix}_")
    assert keyed(raw).get("/api/v1/clients").status_code == 200
    assert raw not in client.get("/settings/api-keys/").content.decode()
    invalid = client.post("/settings/api-keys/", {"name": "No scopes"})
    assert "This field is required" in invalid.content.decode() and not ApiKey.objects.filter(name="No scopes")
    client.post(f"/settings/api-keys/{key.pk}/revoke/")
    assert keyed(raw).get("/api/v1/clients").status_code == 401
