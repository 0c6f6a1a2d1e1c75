"""The ``fake_ai`` fixture (fake OpenAI-compatible and fal servers over real HTTP on loopback) and
builders of generation tests; the publishing fixtures (client_a, fake_platforms, …) are reused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile

from generation.fakes.server import DEFAULT_KEY, FakeAI, FakeAIServer
from localbzz.fakekit import start_free
from publishing.tests.conftest import (  # noqa: F401  (fixtures shared with publishing's tests)
    _fake_platform_server,
    campaign_a,
    client_a,
    client_b,
    fake_platforms,
)


class FakeAIHandle:
    """What a test gets: ``url``, the ``fake`` state and its switches (``fail``, ``set_latency``, ``calls``)."""

    def __init__(self, server: FakeAIServer):
        self.server = server
        self.url = server.url
        self.fake: FakeAI = server.fake
        self.key = DEFAULT_KEY

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fake, name)


def _start() -> FakeAIServer:
    """From the top of FAKE_PLATFORMS_PORT_RANGE if set (the platforms' fake takes the bottom), else any port."""
    wanted = os.environ.get("FAKE_PLATFORMS_PORT_RANGE", "")
    return start_free(lambda port: FakeAIServer("127.0.0.1", port), wanted, from_top=True)


@pytest.fixture(scope="session")
def _fake_ai_server():
    server = _start()
    yield server
    server.stop()


@pytest.fixture
def fake_ai(_fake_ai_server, settings) -> Iterator[FakeAIHandle]:
    """The fake providers, reset, with settings pointing the openai and fal providers at them
    (fast retries and polling)."""
    server = _fake_ai_server
    server.fake.reset()
    settings.GENERATION_OPENAI_BASE_URL = f"{server.url}/openai/v1"
    settings.GENERATION_OPENAI_API_KEY = DEFAULT_KEY
    settings.GENERATION_FAL_BASE_URL = f"{server.url}/fal"
    settings.GENERATION_FAL_API_KEY = DEFAULT_KEY
    settings.GENERATION_RETRY_BACKOFF = 0.01
    settings.GENERATION_POLL_INTERVAL = 0.01
    settings.GENERATION_READ_TIMEOUT = 2.0
    yield FakeAIHandle(server)
    server.fake.reset()


@pytest.fixture
def brand_client(db):
    from agency.models import Client

    return Client.objects.create(
        name="Joe's Landscaping",
        slug="joes-gen-test",
        industry="landscaping",
        location="Austin, TX",
        description="Family-run landscaping and yard care.",
        brand_colors=["#2F6B3A", "#A3C76D", "#F4F1E8"],
        brand_guidelines="Friendly and local. Tone: warm, practical, proud of the work. Avoid: cheap, guaranteed.",
    )


@pytest.fixture
def photo_asset(brand_client):
    """A landscape photo with an EXIF date in the client's library (renditions not made)."""
    from publishing.services.media.upload import media_upload
    from publishing.tests.media_files import jpeg_bytes, photo

    def make(name: str = "yard.jpg", size=(1200, 800), client=None, **kw):
        data = jpeg_bytes(photo(size, **kw))
        return media_upload(client=client or brand_client, files=[ContentFile(data, name=name)])[0].asset

    return make
