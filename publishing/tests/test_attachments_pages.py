"""The staff Attachments card on the shoot, deliverable and request pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.models import Deliverable, PortalRequest, Shoot
from publishing.models import Attachment
from publishing.services.attachments import attachment_add
from publishing.tests.test_attachments_api import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoot(client_a):
    start = timezone.now() + timedelta(days=1)
    return Shoot.objects.create(client=client_a, title="Patio shoot", start=start, end=start + timedelta(hours=1))


@pytest.mark.parametrize("kind", ["shoot", "deliverable", "request"])
def test_each_page_loads_its_card(client, editor, client_a, kind):
    start = timezone.now() + timedelta(days=1)
    thing = {
        "shoot": lambda: Shoot.objects.create(client=client_a, title="S", start=start, end=start + timedelta(hours=1)),
        "deliverable": lambda: Deliverable.objects.create(client=client_a, title="D"),
        "request": lambda: PortalRequest.objects.create(client=client_a, content="R"),
    }[kind]()
    client.force_login(editor)
    page = {"shoot": "shoots", "deliverable": "deliverables", "request": "requests"}[kind]
    html = client.get(f"/{page}/{thing.pk}/").content.decode()
    assert f'hx-get="/attachments/{kind}/{thing.pk}/"' in html
    card = client.get(f"/attachments/{kind}/{thing.pk}/").content.decode()
    assert "No files attached" in card and 'name="file"' in card


def test_an_editor_attaches_downloads_and_removes(client, editor, shoot, django_capture_on_commit_callbacks):
    client.force_login(editor)
    added = client.post(
        f"/attachments/shoot/{shoot.pk}/", {"file": SimpleUploadedFile("Call sheet.pdf", PDF)}, HTTP_HX_REQUEST="true"
    )
    assert added.status_code == 200
    html = added.content.decode()
    assert "Attached <strong>Call sheet.pdf</strong>" in html and "PDF" in html and "Editor Tester" in html
    attachment = Attachment.objects.get()
    history = client.get(f"/shoots/{shoot.pk}/").content.decode()
    assert "attached a file to" in history and "Call sheet.pdf" in history and "Attachment id" not in history
    download = client.get(f"/attachments/{attachment.pk}/download")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="Call sheet.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(f"/attachments/{attachment.pk}/remove", HTTP_HX_REQUEST="true")
    assert "Removed <strong>Call sheet.pdf</strong>" in removed.content.decode()
    assert not Attachment.objects.exists()


def test_a_refused_file_says_why_in_the_card(client, editor, shoot):
    client.force_login(editor)
    response = client.post(
        f"/attachments/shoot/{shoot.pk}/",
        {"file": SimpleUploadedFile("invoice.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 415
    assert "invoice.jpg cannot be attached" in response.content.decode()
    assert not Attachment.objects.exists()


def test_without_javascript_the_form_returns_to_the_page(client, editor, shoot):
    client.force_login(editor)
    response = client.post(f"/attachments/shoot/{shoot.pk}/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 302 and response["Location"] == f"/shoots/{shoot.pk}/"
    assert Attachment.objects.count() == 1


def test_a_viewer_sees_and_downloads_but_changes_nothing(client, viewer, editor, shoot):
    attachment = attachment_add(target=shoot, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=editor)
    client.force_login(viewer)
    card = client.get(f"/attachments/shoot/{shoot.pk}/").content.decode()
    assert "a.pdf" in card and 'name="file"' not in card and "/remove" not in card
    assert client.get(f"/attachments/{attachment.pk}/download").status_code == 200
    assert client.post(f"/attachments/shoot/{shoot.pk}/", {"file": SimpleUploadedFile("b.pdf", PDF)}).status_code == 403
    assert client.post(f"/attachments/{attachment.pk}/remove").status_code == 403
    assert Attachment.objects.count() == 1


def test_outsiders_and_unknown_things_get_nothing(client, outsider, editor, shoot):
    attachment = attachment_add(target=shoot, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=editor)
    client.force_login(outsider)
    assert client.get(f"/attachments/{attachment.pk}/download").status_code == 403
    client.force_login(editor)
    assert client.get(f"/attachments/task/{shoot.pk}/").status_code == 404
    assert client.get(f"/attachments/deliverable/{shoot.pk}/").status_code == 404


def test_the_card_costs_the_same_for_many_files(client, editor, shoot, django_assert_max_num_queries):
    for n in range(8):
        attachment_add(target=shoot, upload=SimpleUploadedFile(f"{n}.pdf", PDF + bytes([n])), uploaded_by=editor)
    client.force_login(editor)
    client.get(f"/attachments/shoot/{shoot.pk}/")
    with django_assert_max_num_queries(6):
        html = client.get(f"/attachments/shoot/{shoot.pk}/").content.decode()
    assert html.count("/download") == 16  # name and button per file
