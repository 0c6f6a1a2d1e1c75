"""A client's attachments leave with its export and go with its erasure; another client's stay."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.models import Deliverable, PortalRequest
from agency.services import client_data
from publishing.models import Attachment
from publishing.services.attachments import attachment_add
from publishing.tests.test_attachments_api import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def attached(client_a, client_b, editor):
    def add(client, name, extra):
        request = PortalRequest.objects.create(client=client, content=f"{name} request")
        deliverable = Deliverable.objects.create(client=client, title=f"{name} reel")
        menu, cut = (
            SimpleUploadedFile(f"{name}-menu.pdf", PDF + extra),
            SimpleUploadedFile(f"{name}-cut.pdf", PDF + extra * 2),
        )
        return [
            attachment_add(target=request, upload=menu, uploaded_by=editor),
            attachment_add(target=deliverable, upload=cut, uploaded_by=editor),
        ]

    return {"a": add(client_a, "alpha", b"a"), "b": add(client_b, "beta", b"b")}


def test_the_export_holds_the_attachments_rows_and_files(owner, client_a, attached):
    out = io.BytesIO()
    client_data.client_export(actor=owner, client=client_a, out=out)
    archive = zipfile.ZipFile(out)
    data = json.loads(archive.read("client.json"))
    assert sorted(row["name"] for row in data["attachments"]) == ["alpha-cut.pdf", "alpha-menu.pdf"]
    for attachment in attached["a"]:
        assert archive.read(f"media/{attachment.file.name}") == PDF + (b"a" if "menu" in attachment.name else b"aa")
    assert not any("beta" in name for name in archive.namelist())
    assert client_data.erasure_preview(client_a)["attachments"] == 2


def test_the_erasure_removes_the_attachments_and_their_files(
    owner, client_a, client_b, attached, stored_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_data.client_erase(actor=owner, client=client_a)
    assert not Attachment.objects.filter(client_id=client_a.pk).exists()
    left = stored_files()
    assert not [name for name in left if name.startswith(f"attachments/{client_a.pk}/")]
    assert sorted(left) == sorted(a.file.name for a in attached["b"])
    assert Attachment.objects.filter(client=client_b).count() == 2
