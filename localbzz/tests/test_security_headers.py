"""Security headers on every kind of response: staff pages, a client's portal, the API, the public
lead form and the API docs (Content-Security-Policy with nonces, framing, Permissions-Policy...)."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from agency.models import Client
from conftest import PASSWORD
from portal.services.people import client_user_invite

NONCE_IN_HEADER = re.compile(r"script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_common_headers(response, *, frameable_by: list[str] | None = None) -> dict[str, list[str]]:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    permissions_policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions_policy
    policy = directives(response)
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'self'" in policy["script-src"] and "'self'" in policy["style-src"]
    if frameable_by is None:
        assert policy["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
    else:
        assert policy["frame-ancestors"] == frameable_by
        assert "X-Frame-Options" not in response
    return policy


def assert_nonce_matches_scripts(response) -> str:
    """Every <script> of the page carries the nonce of this response's header; answers it."""
    match = NONCE_IN_HEADER.search(response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    nonce = match.group(1)
    tags = SCRIPT_TAG.findall(response.content.decode())
    assert tags, "the page has scripts"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
        assert "src=" in tag, f"inline script: {tag}"
    return nonce


@pytest.fixture
def staff_browser(owner):
    browser = HttpClient()
    browser.force_login(owner)
    return browser


def test_it_sends_every_header_on_a_staff_page_with_a_fresh_nonce_each_time(staff_browser):
    first = staff_browser.get("/")
    second = staff_browser.get("/")
    assert first.status_code == second.status_code == 200
    assert_common_headers(first)
    assert 'name="htmx-config"' in first.content.decode() and '"allowEval":false' in first.content.decode()
    assert assert_nonce_matches_scripts(first) != assert_nonce_matches_scripts(second)


def test_it_sends_every_header_on_a_portal_page(db):
    client = Client.objects.create(name="Joe's Landscaping", slug="joes-headers")
    joe = client_user_invite(
        actor=None, client=client, email="joe@joes.example", first_name="Joe", role="owner", password=PASSWORD,
        send_invite=False,
    )  # fmt: skip
    browser = HttpClient(HTTP_HOST="joes-headers.localhost")
    browser.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    response = browser.get("/")
    assert response.status_code == 200
    assert joe.client.name.replace("'", "&#x27;") in response.content.decode()
    assert_common_headers(response)
    assert_nonce_matches_scripts(response)


def test_it_sends_every_header_on_the_api(api_as, owner):
    response = api_as(owner).get("/api/v1/clients")
    assert response.status_code == 200
    assert_common_headers(response)
    anonymous = HttpClient().get("/api/v1/clients")
    assert anonymous.status_code == 401
    assert_common_headers(anonymous)


def test_it_lets_only_the_lead_form_be_framed_by_the_configured_sites(db, settings):
    settings.INTAKE_FRAME_ANCESTORS = ["'self'", "https://agency.example"]
    response = HttpClient().get("/forms/intake/")
    assert response.status_code == 200
    policy = assert_common_headers(response, frameable_by=["'self'", "https://agency.example"])
    assert policy["form-action"] == ["'self'"]
    assert HttpClient().get("/accounts/login/")["X-Frame-Options"] == "DENY"


def test_it_serves_swagger_ui_without_inline_code(db):
    page = HttpClient().get("/api/docs/")
    assert page.status_code == 200
    assert_common_headers(page)
    nonce = assert_nonce_matches_scripts(page)
    body = page.content.decode()
    assert "<style" not in body
    init = re.search(r'<script src="([^"]*script=[^"]*)"', body).group(1).replace("&amp;", "&")
    script = HttpClient().get(init)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert nonce not in script["Content-Security-Policy"]  # a fresh response, a fresh (unused) nonce


def test_it_relaxes_only_styles_for_redoc(db):
    page = HttpClient().get("/api/docs/redoc/")
    assert page.status_code == 200
    policy = directives(page)
    assert "'unsafe-inline'" in policy["style-src"]  # Redoc injects <style> elements as it renders
    assert not [v for v in policy["style-src"] if v.startswith("'nonce-")]  # a nonce would void 'unsafe-inline'
    assert "blob:" in policy["worker-src"] and "https://cdn.redoc.ly" not in policy["img-src"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in page["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert_nonce_matches_scripts(page)
    assert "fonts.googleapis.com" not in page.content.decode()


def test_it_allows_images_from_the_s3_origin_when_storage_is_s3(monkeypatch):
    import importlib

    from localbzz import settings as project_settings

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "lbz-media")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://s3.eu-central-1.example.com/")
    monkeypatch.setenv("AWS_S3_CUSTOM_DOMAIN", "media.agency.example")
    monkeypatch.setenv("DEBUG", "1")
    try:
        reloaded = importlib.reload(project_settings)
        img_src = reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
        assert "https://media.agency.example" in img_src
        assert "https://s3.eu-central-1.example.com" in img_src
        assert "https://lbz-media.s3.eu-central-1.example.com" in img_src
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_it_sends_every_header_in_the_admin(staff_browser):
    response = staff_browser.get("/admin/")
    assert response.status_code == 200 and "LocalBzz operations" in response.content.decode()
    assert_common_headers(response)
    for tag in SCRIPT_TAG.findall(response.content.decode()):
        assert "src=" in tag, f"inline script in the admin: {tag}"  # served from 'self'


def test_it_sends_hsts_over_https_in_production(db, settings):
    settings.SECURE_HSTS_SECONDS = 2592000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = HttpClient().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=2592000; includeSubDomains"
    assert_common_headers(response)
