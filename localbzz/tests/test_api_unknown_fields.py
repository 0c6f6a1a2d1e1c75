"""No endpoint drops a field it does not know (issue 16): every operation of our OpenAPI schema that
takes a body — read at run time from /api/v1/schema, so an endpoint added later is walked too — is
sent ``{"bogus_field": 1}`` on a real object (path ids from the demo data, as the fuzz test finds
them) and must answer 400 ``unknown_field`` naming it, before any other check of the body. The one
mechanism is ``localbzz.api.input.refuse_unknown_fields`` (every DRF serializer)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from localbzz.tests.test_api_fuzz import CLIENT_PREFIXES, _demo_world, fuzz_auth  # noqa: F401 (fixtures)
from publishing.tests.conftest import _fake_platform_server, fake_platforms  # noqa: F401 (used by fuzz_auth)

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


SCHEMA = _schema()
WRITES = [
    (method.upper(), path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in {"post", "put", "patch", "delete"}
]
WITH_BODY = [(method, path, op) for method, path, op in WRITES if op.get("requestBody")]
NO_BODY = [(method, path, op) for method, path, op in WRITES if not op.get("requestBody")]


def _urls(path: str, known) -> list[str]:
    """``path`` with existing ids: the first of each parameter, then others (a client's own
    subdomain is one of several)."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    if not names:
        return [path]
    urls: list[str] = []
    resolved: dict[str, Any] = {}
    for name in names:
        values = known.get(path, name, resolved)
        assert values, f"no existing object for {{{name}}} of {path}: add one to the demo data or this test"
        resolved[name] = values[0]
    urls.append(path.format(**resolved))
    for value in known.get(path, names[-1], {k: v for k, v in resolved.items() if k != names[-1]})[1:5]:
        urls.append(path.format(**{**resolved, names[-1]: value}))
    return urls


def _send(world, method: str, path: str, media_type: str, body: dict):
    """Send ``body`` to ``path`` on an existing object, as its side (staff or the client Joe)."""
    api = APIClient()
    who = "client" if path.startswith(CLIENT_PREFIXES) else "staff"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[who]}")
    for url in _urls(path, world.known):
        if media_type == "multipart/form-data":
            response = api.generic(method, url, **_multipart(body))
        else:
            response = api.generic(method, url, json.dumps(body), content_type="application/json")
        if response.status_code != 404:
            break
    return response


def _multipart(body: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, {k: str(v) for k, v in body.items()}), "content_type": MULTIPART_CONTENT}


def test_the_walk_covers_every_writable_operation_with_a_body():
    assert len(WITH_BODY) >= 50, [f"{m} {p}" for m, p, _ in WITH_BODY]
    paths = {p for _, p, _ in WITH_BODY}
    for expected in ("/api/v1/posts", "/api/v1/media", "/api/v1/social-accounts", "/api/v1/webhooks/{id}"):
        assert expected in paths
    assert ("POST", "/api/v1/posts/{id}/cancel") in {(m, p) for m, p, _ in NO_BODY}


@pytest.fixture(scope="module")
def _more_world(_demo_world, django_db_blocker):  # noqa: F811
    """What the demo data lacks: a webhook endpoint with a delivery, and an API key (in the demo
    world's transaction, once: the path ids found are cached for the module)."""
    from agency.demo import STAFF

    with django_db_blocker.unblock():
        _add_webhook_and_key(owner_email=next(email for email, _, _, level, _ in STAFF if level == "owner"))
    return _demo_world


def _add_webhook_and_key(owner_email: str) -> None:
    from django.contrib.auth import get_user_model

    from integrations.models import ApiKey, WebhookEndpoint
    from integrations.services.api_keys import api_key_create
    from integrations.services.webhooks.deliveries import webhook_ping
    from integrations.services.webhooks.endpoints import new_secret

    owner = get_user_model().objects.get(email=owner_email)
    if not WebhookEndpoint.objects.exists():
        endpoint = WebhookEndpoint(url="https://hooks.example.com/localbzz", all_events=True)
        endpoint.secret = new_secret()
        endpoint.save()
        webhook_ping(actor=owner, endpoint=endpoint)  # a delivery to redeliver (sent on commit: never here)
    if not ApiKey.objects.exists():
        api_key_create(actor=owner, name="Zapier", scopes=["crm:read"])


@pytest.fixture
def world(fuzz_auth, _more_world):  # noqa: F811
    return fuzz_auth


@pytest.mark.parametrize(("method", "path", "operation"), WITH_BODY, ids=[f"{m} {p}" for m, p, _ in WITH_BODY])
def test_an_unknown_body_field_answers_400_naming_it(world, method, path, operation):
    for media_type in operation["requestBody"]["content"]:
        response = _send(world, method, path, media_type, {"bogus_field": 1})
        assert response.status_code == 400, (media_type, response.status_code, response.content[:500])
        error = response.json()["error"]
        assert error["code"] == "unknown_field", error
        assert "bogus_field" in error["details"] and "bogus_field" in error["message"], error
        assert error["details"]["bogus_field"][0].startswith("Unknown field: this takes ")


@pytest.mark.parametrize(("method", "path", "operation"), NO_BODY, ids=[f"{m} {p}" for m, p, _ in NO_BODY])
def test_an_operation_without_a_body_refuses_one_and_does_nothing(world, method, path, operation):
    """Cancel, publish, retry, verify, ping, every DELETE…: a body there is a mistake, answered
    before the operation runs (a view that takes no body lists the method in ``no_body_methods``)."""
    response = _send(world, method, path, "application/json", {"bogus_field": 1})
    assert response.status_code == 400, (response.status_code, response.content[:500])
    error = response.json()["error"]
    assert error["code"] == "unknown_field" and "bogus_field" in error["details"], error
    assert error["details"]["bogus_field"] == ["Unknown field: this operation takes no body."]


def test_nested_objects_name_their_unknown_fields_too(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens['staff']}")
    asset = world.known.get("/api/v1/media/{asset_id}", "asset_id", {})[0]
    moved = api.patch(f"/api/v1/media/{asset}", {"focal_point": {"x": 0.5, "y": 0.5, "z": 1}}, format="json")
    assert moved.status_code == 400 and moved.json()["error"]["code"] == "unknown_field"
    assert list(moved.json()["error"]["details"]) == ["focal_point"]
    assert list(moved.json()["error"]["details"]["focal_point"]) == ["z"]

    client = world.known.get("/api/v1/clients/{id}", "id", {})[0]
    body = {"client_id": client, "platform": "facebook", "name": "Joe's page", "external_id": "1001",
            "posting_slots": [{"day": 0, "time": "09:30", "timezone": "UTC"}]}  # fmt: skip
    added = api.post("/api/v1/social-accounts", body, format="json")
    assert added.status_code == 400 and added.json()["error"]["code"] == "unknown_field", added.json()
    error = added.json()["error"]
    assert list(error["details"]) == ["posting_slots"] and "timezone" in json.dumps(error["details"]), error
    assert "timezone" in error["message"] and "Unknown field" in error["message"], error
