"""A client generated from our OpenAPI schema works: openapi-python-client (offline) writes a
package into a temporary folder, every module of it imports, and a whole flow runs through it
against a live server — so the schema can never drift from what the server takes and answers."""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import PASSWORD
from publishing.tests.media_files import jpeg_bytes, photo

PACKAGE = "lbz_generated_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, importable (module scope: generating takes a few seconds)."""
    from drf_spectacular.generators import SchemaGenerator

    folder = tmp_path_factory.mktemp("generated")
    schema = folder / "openapi.json"
    schema.write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    config = folder / "config.json"
    config.write_text(json.dumps({"post_hooks": [], "package_name_override": PACKAGE}))
    tool = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run(
        [str(tool), "generate", "--path", str(schema), "--meta", "none", "--config", str(config),
         "--output-path", str(folder / PACKAGE)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout, run.stdout  # a skipped endpoint or model is a schema bug
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_openapi_spec_validator_accepts_the_schema(schema):
    from openapi_spec_validator import validate

    validate(json.loads(json.dumps(schema)))  # raises with the first problem (e.g. a default its own rule refuses)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_bodies_are_json_and_only_uploads_are_multipart(schema):
    kinds = {name: sorted(op["requestBody"]["content"]) for name, op in _operations(schema) if "requestBody" in op}
    uploads = {name for name, types in kinds.items() if types == ["multipart/form-data"]}
    attachments = {f"POST /api/v1/{p}/{{id}}/attachments" for p in ("shoots", "deliverables", "portal-requests",
                                                                        "client/requests")}  # fmt: skip
    assert uploads == {"POST /api/v1/media", "POST /api/v1/client/media/upload", *attachments}
    assert all(types == ["application/json"] for name, types in kinds.items() if name not in uploads), kinds


def test_every_answer_has_a_body_and_every_error_the_envelope(schema):
    for name, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code in ("204", "302") or (
                code == "200" and set(response.get("content", {})) in ({"application/pdf"}, {"*/*"})
            ):
                continue  # no body (a redirect too), or a file: a report PDF, an attachment, a deliverable
            assert "application/json" in response.get("content", {}), f"{name} {code} has no body"
            if code[0] in "45":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_property_has_a_type(schema):
    untyped = []

    def walk(where, node):
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                if not {"type", "$ref", "allOf", "oneOf", "anyOf", "enum"} & set(value):
                    untyped.append(f"{where}.{key}")
                walk(f"{where}.{key}", value)
            if isinstance(node.get("items"), dict):
                walk(f"{where}[]", node["items"])

    for name, component in schema["components"]["schemas"].items():
        walk(name, component)
    assert not untyped


def test_a_form_encoded_body_is_refused_with_415_in_the_envelope(api_as, owner, db):
    response = api_as(owner).post("/api/v1/clients", "name=Joe", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_every_generated_module_imports(generated):
    failures, count = [], 0
    for module in pkgutil.walk_packages(generated.__path__, PACKAGE + "."):
        count += 1
        try:
            importlib.import_module(module.name)
        except Exception as error:  # every failure listed, not only the first
            failures.append(f"{module.name}: {error!r}")
    assert count > 100 and not failures, "\n".join(failures)


class Caller:
    """``call("clients", "clients_create", body=("ClientRequest", {...}), status=201)`` through the
    generated package: the operation module's ``sync_detailed``, the body built with the model's
    ``from_dict``; answers the parsed (typed) body after checking the status code."""

    def __init__(self, package, client):
        self.package, self.client = package, client

    def model(self, name: str):
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)

    def raw(self, tag: str, operation: str, *path, body=None):
        module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")
        kwargs = {}
        if body is not None:
            name, values = body
            kwargs["body"] = self.model(name).from_dict(values) if isinstance(values, dict) else values
        return module.sync_detailed(*path, client=self.client, **kwargs)

    def __call__(self, tag: str, operation: str, *path, body=None, status: int = 200):
        response = self.raw(tag, operation, *path, body=body)
        assert response.status_code == status, response.content
        return response.parsed


@pytest.mark.django_db(transaction=True)
def test_a_whole_flow_through_the_generated_client(generated, live_server, owner, sync_tasks):
    url = live_server.url
    anonymous = Caller(generated, generated.Client(base_url=url, raise_on_unexpected_status=True))
    tokens = anonymous(
        "auth", "auth_token_create", body=("StaffTokenRequest", {"email": owner.email, "password": PASSWORD})
    )
    assert tokens.access and tokens.refresh
    staff = Caller(generated, generated.AuthenticatedClient(base_url=url, token=tokens.access))

    client = staff("clients", "clients_create", status=201, body=("ClientRequest", {
        "name": "Joe's Landscaping", "primary_contact_name": "Joe", "monthly_post_limit": 8,
        "brand_colors": ["#1A2B3C"]}))  # fmt: skip
    assert client.slug == "joes-landscaping" and client.brand_colors == ["#1A2B3C"]
    cid = str(client.id)

    campaign = staff("campaigns", "clients_campaigns_create", client.id, status=201, body=("NestedCampaignRequest", {
        "name": "Spring lawns", "goal": "Bookings", "status": "active"}))  # fmt: skip
    assert str(campaign.client_id) == cid

    start = timezone.now() + timedelta(days=3)
    shoot = staff("shoots", "shoots_create", status=201, body=("ShootRequest", {
        "client_id": cid, "title": "Spring shoot", "start": start.isoformat(), "duration_minutes": 90,
        "campaign_id": str(campaign.id)}))  # fmt: skip
    assert shoot.end - shoot.start == timedelta(minutes=90)

    deliverable = staff("deliverables", "deliverables_create", status=201, body=("DeliverableRequest", {
        "client_id": cid, "shoot_id": str(shoot.id), "title": "Before/after reel", "type": "Reel"}))  # fmt: skip
    assert str(deliverable.shoot_id) == str(shoot.id)

    task = staff("tasks", "tasks_create", status=201, body=("TaskRequest", {
        "name": "Edit the reel", "client_id": cid, "deliverable_id": str(deliverable.id)}))  # fmt: skip
    assert staff("tasks", "tasks_timer_create", task.id, status=201).ended_at is None
    assert staff("tasks", "tasks_timer_destroy", task.id).ended_at is not None

    job = staff("generation", "generate_image_create", status=202, body=("ImageInRequest", {
        "client_id": cid, "prompt": "A green lawn", "platform": "instagram"}))  # fmt: skip
    job = staff("generation", "generation_tasks_retrieve", job.id)
    assert job.status == "succeeded" and job.items[0].image_url

    lead = anonymous("leads", "form_submissions_create", status=201, body=("LeadRequest", {
        "contact_name": "Ann", "email": "ann@example.com", "business_name": "Ann's Cafe",
        "message": "We need reels"}))  # fmt: skip
    assert lead.status == "New"

    staff("social_accounts", "social_accounts_create", status=201, body=("SocialAccountInRequest", {
        "client_id": cid, "platform": "facebook", "name": "Joe's page", "external_id": "p-1",
        "token": "demo-page-token"}))  # fmt: skip
    staff("clients", "clients_set_password_create", client.id, body=("SetPasswordInRequest", {
        "password": "Secure-Password-123"}))  # fmt: skip

    signed_in = anonymous("client_portal", "client_login_create", body=("ClientLoginInRequest", {
        "business_name": "Joe's Landscaping", "password": "Secure-Password-123"}))  # fmt: skip
    assert signed_in.client.subdomain == client.slug and signed_in.client.role == "owner"
    joe = Caller(generated, generated.AuthenticatedClient(base_url=url, token=signed_in.access_token))

    File = importlib.import_module(f"{PACKAGE}.types").File
    photo_file = File(payload=io.BytesIO(jpeg_bytes(photo(seed=3))), file_name="before.jpg", mime_type="image/jpeg")
    uploaded = joe("client_portal", "client_media_upload_create", status=201,
                   body=("ClientUploadInRequest", joe.model("ClientUploadInRequest")(files=[photo_file])))  # fmt: skip
    assert len(uploaded.media_urls) == 1

    submitted = joe("client_portal", "client_content_submit_create", status=201, body=("ClientSubmitInRequest", {
        "media_urls": uploaded.media_urls, "notes": "Downtown renovation project"}))  # fmt: skip
    assert submitted.status == "pending_approval" and submitted.platforms == ["facebook"]
    assert isinstance(submitted.hashtags, list)

    when = timezone.now() + timedelta(days=2)
    approved = staff("posts", "posts_approve_create", submitted.id, body=("ApproveInRequest", {
        "scheduled_at": when.isoformat()}))  # fmt: skip
    assert approved.status == "scheduled"

    listed = joe("client_portal", "client_scheduled_posts_list")
    assert listed.total == 1 and listed.items[0].can_reschedule
    assert listed.usage.limit == 8 and listed.usage.used == 1

    later = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    moved = joe("client_portal", "client_content_reschedule_partial_update", submitted.id,
                body=("ClientRescheduleInRequest", {"new_scheduled_time": later.isoformat()}))  # fmt: skip
    assert moved.scheduled_at == later

    now = timezone.now().isoformat()
    refused = joe.raw("client_portal", "client_content_reschedule_partial_update", submitted.id,
                      body=("ClientRescheduleInRequest", {"new_scheduled_time": now}))  # fmt: skip
    assert refused.status_code == 400 and refused.parsed.error.details  # the envelope, typed
