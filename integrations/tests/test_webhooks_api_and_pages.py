"""Webhook endpoints over the API and the staff pages: validation, secrets, access."""

from __future__ import annotations

import io

import pytest

from integrations.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def create(api, **body):
    return api.post(
        "/api/v1/webhooks", {"url": "https://hooks.example.com/in", "events": ["post.published"], **body}, format="json"
    )


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "http://hooks.example.com/in"}, "url", "https://"),
        ({"url": "https://user:pw@hooks.example.com/in"}, "url", "passwords"),
        ({"url": "not a url"}, "url", "valid URL"),
        ({"events": ["post.exploded"]}, "events", "not a valid choice"),
        ({"events": []}, "events", "at least one event type"),
    ],
)
def test_bad_endpoints_are_refused_with_an_actionable_message(api_as, admin_user, body, field, words):
    response = create(api_as(admin_user), **body)
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert field in error["details"] and words in error["message"]
    assert not WebhookEndpoint.objects.exists()


def test_http_is_fine_for_loopback_and_all_events_needs_no_list(api_as, admin_user):
    response = create(api_as(admin_user), url="http://localhost:9000/hook", events=[], all_events=True)
    assert response.status_code == 201, response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.wants("task.completed") and endpoint.wants("post.failed")


def test_the_secret_is_answered_once_and_stored_encrypted(api_as, admin_user):
    api = api_as(admin_user)
    made = create(api).json()
    secret = made["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30
    endpoint = WebhookEndpoint.objects.get()
    assert secret not in endpoint.secret_encrypted and endpoint.secret == secret
    assert secret not in api.get("/api/v1/webhooks").content.decode()
    assert secret not in api.get(f"/api/v1/webhooks/{made['id']}").content.decode()
    listed = api.get("/api/v1/webhooks").json()
    assert listed["total"] == 1 and "secret" not in listed["items"][0]


def test_patch_changes_events_and_reenabling_clears_the_health(api_as, admin_user):
    api = api_as(admin_user)
    made = create(api).json()
    WebhookEndpoint.objects.filter(pk=made["id"]).update(
        is_active=False, disabled_reason="Every attempt failed", consecutive_failures=9
    )
    response = api.patch(f"/api/v1/webhooks/{made['id']}", {"events": ["task.completed"], "is_active": True})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["events"] == ["task.completed"] and body["is_active"] and body["health"] == "ok"
    assert body["disabled_reason"] == "" and body["consecutive_failures"] == 0
    assert body["url"] == "https://hooks.example.com/in"  # untouched
    bad = api.patch(f"/api/v1/webhooks/{made['id']}", {"url": "http://example.com/x"})
    assert bad.status_code == 400
    assert api.delete(f"/api/v1/webhooks/{made['id']}").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_editors_get_403_on_the_api_and_the_pages(api_as, admin_user, editor, client):
    made = create(api_as(admin_user)).json()
    api = api_as(editor)
    assert api.get("/api/v1/webhooks").status_code == 403
    assert create(api).status_code == 403
    assert api.get(f"/api/v1/webhooks/{made['id']}").status_code == 403
    assert api.get(f"/api/v1/webhooks/{made['id']}/deliveries").status_code == 403
    assert api.post(f"/api/v1/webhooks/{made['id']}/ping").status_code == 403
    message = api.get("/api/v1/webhooks").json()["error"]["message"]
    assert "cannot manage webhooks and API keys" in message
    client.force_login(editor)
    for url in ["/settings/webhooks/", "/settings/webhooks/new/", f"/settings/webhooks/{made['id']}/"]:
        assert client.get(url).status_code == 403
    assert client.post(f"/settings/webhooks/{made['id']}/secret/").status_code == 403
    settings_page = client.get("/settings/").content.decode()
    assert "/settings/webhooks/" not in settings_page


def test_admins_register_a_webhook_on_the_page_and_see_the_secret_once(client, admin_user, receiver):
    client.force_login(admin_user)
    assert "/settings/webhooks/" in client.get("/settings/").content.decode()
    empty = client.get("/settings/webhooks/").content.decode()
    assert "No webhooks yet" in empty
    invalid = client.post("/settings/webhooks/new/", {"url": receiver.url, "description": "CRM sync"})
    assert "Choose at least one event type" in invalid.content.decode()
    response = client.post(
        "/settings/webhooks/new/",
        {
            "url": receiver.url,
            "description": "CRM sync",
            "events": ["lead.approved", "task.completed"],
            "is_active": "on",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["lead.approved", "task.completed"]
    page = response.content.decode()
    assert endpoint.secret in page and "Copy the secret now" in page
    again = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in again and "Reveal secret" in again and "No deliveries yet" in again
    revealed = client.post(f"/settings/webhooks/{endpoint.pk}/secret/", HTTP_HX_REQUEST="true")
    assert endpoint.secret in revealed.content.decode()
    listing = client.get("/settings/webhooks/").content.decode()
    assert "CRM sync" in listing and "Healthy" in listing and endpoint.secret not in listing


def test_ping_and_redeliver_buttons_answer_the_log_over_htmx(
    client, admin_user, receiver, sync_tasks, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    from integrations.services.webhooks import endpoints

    endpoint, secret = endpoints.webhook_endpoint_create(actor=admin_user, url=receiver.url, events=["post.failed"])
    receiver.secret, receiver.answer = secret, 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/webhooks/{endpoint.pk}/ping/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="deliveries"' in html and "<html" not in html
    assert "ping" in html and "Queued" in html  # sent in the background, after the answer
    log_url = f"/settings/webhooks/{endpoint.pk}/"
    html = client.get(log_url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deliveries").content.decode()
    assert "HTTP 200" in html and "Delivered" in html and '{"ok": true}' in html.replace("&quot;", '"')
    ping = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/settings/webhooks/{endpoint.pk}/deliveries/{ping.pk}/redeliver/", HTTP_HX_REQUEST="true")
    html = client.get(log_url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deliveries").content.decode()
    assert html.count("HTTP 200") == 2 and "redelivery" in html
    assert [e["type"] for e in receiver.accepted] == ["ping", "ping"]
    filtered = client.get(
        f"/settings/webhooks/{endpoint.pk}/", {"status": "failed"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deliveries"
    ).content.decode()
    assert "No deliveries match" in filtered


def test_the_schema_documents_the_api_key_scheme(api_as, admin_user):
    schema = api_as(admin_user).get("/api/v1/schema", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme["type"] == "apiKey" and scheme["name"] == "Authorization"
    assert "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver" in schema["paths"]


def test_the_secret_survives_an_encryption_key_rotation(api_as, admin_user, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    secret = create(api_as(admin_user)).json()["secret"]
    old = WebhookEndpoint.objects.get().secret_encrypted
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_encryption_key", stdout=io.StringIO())
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret_encrypted != old and endpoint.secret == secret
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert WebhookEndpoint.objects.get().secret == secret
