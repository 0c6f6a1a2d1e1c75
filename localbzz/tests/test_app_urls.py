"""Links that work on any port: `make run` derives APP_HOST from HOST/PORT (unless APP_HOST is set)
and every absolute URL we hand out — approval and invitation emails, the portal address, feeds,
the URLs platforms fetch media from — is built from it by ``localbzz.app_urls``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from agency.models import Client
from localbzz import app_urls

ROOT = Path(__file__).resolve().parents[2]


def make_run(*args: str, **env: str) -> str:
    """The command `make run` would start honcho with (``make -n``: printed, nothing runs)."""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    ours = {"APP_HOST", "HOST", "PORT", "FAKE_PLATFORMS_PORT", "FAKE_PLATFORMS_URL", "MAKEFLAGS", "MAKELEVEL"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    out = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True
    ).stdout
    return next(line for line in out.splitlines() if "honcho start" in line)


def test_make_run_derives_the_app_host_from_the_port():
    line = make_run("PORT=8200", "FAKE_PLATFORMS_PORT=8210")
    assert "APP_HOST=localhost:8200 " in line and line.endswith("-p 8200")
    assert "FAKE_PLATFORMS_PORT=8210 " in line and "FAKE_PLATFORMS_URL=http://127.0.0.1:8210 " in line
    assert "APP_HOST=localhost:8000 " in make_run()  # the defaults
    assert "APP_HOST=localhost:9300 " in make_run("HOST=0.0.0.0", "PORT=9300")  # a wildcard address: localhost
    assert "APP_HOST=devbox.lan:8000 " in make_run("HOST=devbox.lan")  # a real name is used as is


def test_an_app_host_that_is_set_wins():
    assert "APP_HOST=app.localbzz.example " in make_run("PORT=8200", APP_HOST="app.localbzz.example")
    assert "APP_HOST=app.localbzz.example " in make_run("PORT=8200", "APP_HOST=app.localbzz.example")


@pytest.fixture
def on_8200(settings):
    """The settings `make run` gives the processes with PORT=8200 (DEBUG on: http)."""
    settings.DEBUG, settings.APP_HOST = True, "localhost:8200"
    settings.PORTAL_DOMAIN, settings.PORTAL_SCHEME = "localhost", "http"
    settings.NOTIFICATIONS_BASE_URL, settings.MEDIA_PUBLIC_BASE_URL = "", ""
    return settings


def test_the_helpers_use_the_app_host_and_its_port(on_8200):
    assert app_urls.app_url("/content/") == "http://localhost:8200/content/"
    assert app_urls.portal_url("joes") == "http://joes.localhost:8200/"
    assert Client(slug="joes").portal_url == "http://joes.localhost:8200/"
    on_8200.PORTAL_DOMAIN, on_8200.PORTAL_SCHEME = "portal.localbzz.example", "https"
    assert app_urls.portal_url("joes", "/posts/") == "https://joes.portal.localbzz.example/posts/"  # own front door
    on_8200.APP_HOST, on_8200.PORTAL_DOMAIN = "localbzz.example:8443", "localbzz.example"
    assert app_urls.portal_url("joes") == "https://joes.localbzz.example:8443/"  # subdomains of the app's host
    on_8200.NOTIFICATIONS_BASE_URL = "https://mail-links.example/"
    assert app_urls.app_url("/x/", base=on_8200.NOTIFICATIONS_BASE_URL) == "https://mail-links.example/x/"


@pytest.mark.django_db
def test_approval_and_invitation_emails_use_the_derived_port(
    on_8200, client, owner, admin_user, django_capture_on_commit_callbacks
):
    from portal.services.people import client_user_invite
    from publishing.services import posts as post_services
    from publishing.tests.posting import accounts_for

    joes = Client.objects.create(
        name="Joe's Landscaping", slug="joes", requires_client_approval=True, primary_contact_email="joe@example.com"
    )
    # The client approval email.
    account = accounts_for(joes, owner, platforms=("facebook",))["facebook"]
    post = post_services.post_create(actor=owner, client=joes, caption="Please approve", accounts=[account])
    with django_capture_on_commit_callbacks(execute=True):
        post_services.post_approve(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(days=1))
    assert re.search(r"http://localhost:8200/approve/\S+/", mail.outbox[-1].body)
    # The portal invitation (a one-time link on the client's own portal, and its address).
    with django_capture_on_commit_callbacks(execute=True):
        client_user_invite(actor=owner, client=joes, email="joe@example.com", role="owner")
    body = mail.outbox[-1].body
    assert re.search(r"http://joes\.localhost:8200/set-password/\S+", body)
    assert "sign in at http://joes.localhost:8200/" in body
    # The staff invitation.
    client.force_login(admin_user)
    client.post("/settings/team/", {"email": "nia@test.local", "first_name": "Nia", "access_level": "editor"})
    assert re.search(r"http://localhost:8200/accounts/password/reset/\S+", mail.outbox[-1].body)
    # The client page's Portal link and People with access.
    assert "http://joes.localhost:8200/" in client.get(f"/clients/{joes.pk}/").content.decode()
    assert "sign in at http://joes.localhost:8200/" in client.get(f"/clients/{joes.pk}/portal-users/").content.decode()
    # The approval link to copy on the post page.
    assert "http://localhost:8200/approve/" in client.get(f"/content/{post.pk}/").content.decode()
    # Password resets, asked for on whatever host: the links still use APP_HOST and the portal address.
    from django.test import Client as HttpClient

    HttpClient(HTTP_HOST="127.0.0.1").post("/accounts/password/reset/", {"email": "nia@test.local"})
    assert re.search(r"\nhttp://localhost:8200/accounts/password/reset/\S+", mail.outbox[-1].body)
    HttpClient(HTTP_HOST="joes.localhost").post("/password/reset/", {"email": "joe@example.com"})
    assert re.search(r"\nhttp://joes\.localhost:8200/set-password/\S+", mail.outbox[-1].body)


@pytest.mark.django_db
def test_platforms_fetch_media_from_the_derived_port(on_8200, owner):
    from publishing.media.urls import media_public_url
    from publishing.services.media.upload import media_upload
    from publishing.tests.media_files import jpeg_bytes, photo

    joes = Client.objects.create(name="Joe's Landscaping", slug="joes")
    [upload] = media_upload(client=joes, files=[ContentFile(jpeg_bytes(photo((400, 300))), name="a.jpg")])
    assert media_public_url(upload.asset.file).startswith("http://localhost:8200/library/files/")
