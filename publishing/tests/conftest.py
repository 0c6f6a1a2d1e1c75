"""The ``fake_platforms`` fixture: every platform, faked over real HTTP on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from agency.models import Campaign, Client
from localbzz.fakekit import start_free
from localbzz.platform_urls import platform_urls
from publishing.fakes.core import FakePlatforms
from publishing.fakes.server import FakePlatformServer


class FakePlatformsHandle:
    """What a test gets: the server's ``url``, the ``fake`` state (ledger, switches) and shortcuts.

    Everything of ``FakePlatforms`` is reachable directly: ``fake_platforms.ledger(platform="x")``,
    ``fake_platforms.fail("instagram", "http_500", "media_publish")``, ``.set_latency("*", 0.1)``,
    ``.configure(**{"instagram.quota_total": 1})``, ``.register_token(...)``, ``.expire_token(...)``.
    """

    def __init__(self, server: FakePlatformServer):
        self.server = server
        self.url = server.url
        self.fake: FakePlatforms = server.fake

    def media_url(self, name: str) -> str:
        """A URL the fake serves sample bytes at (by extension: .jpg .png .mp4 .heic; ``missing-…`` is 404)."""
        return f"{self.url}/_fake/media/{name}"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fake, name)


def _start() -> FakePlatformServer:
    """On a free port: the first free one of FAKE_PLATFORMS_PORT_RANGE ("8200-8299") if set, else any."""
    wanted = os.environ.get("FAKE_PLATFORMS_PORT_RANGE", "")
    return start_free(lambda port: FakePlatformServer("127.0.0.1", port), wanted)


@pytest.fixture(scope="session")
def _fake_platform_server():
    server = _start()
    yield server
    server.stop()


@pytest.fixture
def fake_platforms(_fake_platform_server, settings) -> Iterator[FakePlatformsHandle]:
    """The fake platforms, reset, with settings pointing every platform URL at them.

    Polling is made fast (10 ms first wait, 2 s budget) and the OAuth app credentials are the
    fake's defaults; tests of timeouts lower ``settings.PLATFORM_READ_TIMEOUT`` themselves.
    """
    server = _fake_platform_server
    server.fake.reset()
    settings.FAKE_PLATFORMS_URL = server.url
    settings.PLATFORM_URLS = platform_urls(server.url)
    settings.PLATFORM_POLL_INTERVAL = 0.01
    settings.PLATFORM_POLL_MAX_INTERVAL = 0.05
    settings.PLATFORM_POLL_TIMEOUT = 2.0
    settings.META_APP_ID, settings.META_APP_SECRET = "fake-meta-app", "fake-meta-secret"
    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = "fake-linkedin-client", "fake-linkedin-secret"
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "fake-x-client", "fake-x-secret"
    yield FakePlatformsHandle(server)
    server.fake.reset()


# Building what connectors take ----------------------------------------------------------------

DEMO_ACCOUNTS = {
    "facebook": ("10001", {}),
    "instagram": ("17841400001", {}),
    "linkedin": ("urn:li:organization:5550001", {}),
    "x": ("2244994945", {}),
    "google_business": ("accounts/111/locations/222", {}),
    "publer": (
        "ws-demo-facebook",
        {"workspace_id": "ws-demo", "account_id": "ws-demo-facebook", "network": "facebook"},
    ),
}


def make_account(platform: str, token: str = "demo-token", **extra: Any):
    from publishing.connectors.base import Account

    external_id, defaults = DEMO_ACCOUNTS[platform]
    return Account(
        platform=platform,
        external_id=extra.pop("external_id", external_id),
        token=token,
        name=f"Bella Bakery on {platform}",
        extra={**defaults, **extra},
    )


@pytest.fixture
def media(fake_platforms):
    """``media("IMG_1.jpg")`` → a MediaItem the fake serves (kind and mime from the extension)."""
    from publishing.connectors.base import MediaItem

    mimes = {"jpg": "image/jpeg", "png": "image/png", "heic": "image/heic", "mp4": "video/mp4"}

    def make(name: str, **fields: Any) -> MediaItem:
        mime = mimes[name.rsplit(".", 1)[-1].lower()]
        return MediaItem(
            kind="video" if mime.startswith("video") else "image",
            url=fake_platforms.media_url(name),
            mime=mime,
            bytes=700,
            filename=name,
            **fields,
        )

    return make


@pytest.fixture
def publish_request():
    """``publish_request("x", text=..., media=(...))`` → a PublishRequest for the demo account."""
    from publishing.connectors.base import PublishRequest

    def make(platform: str, text: str = "Fresh sourdough, out of the oven at 7 #bakery", **fields: Any):
        account = fields.pop("account", None) or make_account(platform, token=fields.pop("token", "demo-token"))
        return PublishRequest(target_id=fields.pop("target_id", "target-1"), account=account, text=text, **fields)

    return make


@pytest.fixture
def client_a(db):
    return Client.objects.create(name="Joe's Landscaping", slug="joes-landscaping-test")


@pytest.fixture
def client_b(db):
    return Client.objects.create(name="Bella Bakery", slug="bella-bakery-test")


@pytest.fixture
def campaign_a(client_a):
    return Campaign.objects.create(client=client_a, name="Spring lawns")


@pytest.fixture
def stored_files(settings):
    """Every file name in the media storage (filesystem), relative to its root."""

    def list_all() -> list[str]:
        root = settings.MEDIA_ROOT
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return list_all


@pytest.fixture
def upload(api_as, editor, client_a):
    """POST files to /api/v1/media as the editor; returns the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(*files: tuple[str, bytes], client=None, user=None, **fields):
        api = api_as(user or editor)
        data = {
            "files": [SimpleUploadedFile(name, content) for name, content in files],
            "client_id": str((client or client_a).pk),
            **fields,
        }
        return api.post("/api/v1/media", data, format="multipart")

    return send
