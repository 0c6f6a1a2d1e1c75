from __future__ import annotations

import pytest

from agency.models import Campaign, Client


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
