"""Attachments through the staff API: attach, list, read, download, remove — on shoots,
deliverables and requests — and every refusal (hostile, empty, oversized, badly named files)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from agency.models import ActivityEvent, Deliverable, PortalRequest, Shoot
from publishing.models import Attachment
from publishing.tests import media_files as mf

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def docx_bytes(macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


@pytest.fixture
def things(client_a):
    start = timezone.now() + timedelta(days=2)
    return {
        "shoots": Shoot.objects.create(
            client=client_a, title="Spring lawns", start=start, end=start + timedelta(hours=2)
        ),
        "deliverables": Deliverable.objects.create(client=client_a, title="Reel 1", status="Needs Review"),
        "portal-requests": PortalRequest.objects.create(client=client_a, content="New menu photos please"),
    }


def attach(api, path: str, name: str, content: bytes):
    return api.post(f"{path}/attachments", {"file": SimpleUploadedFile(name, content)}, format="multipart")


@pytest.mark.parametrize("prefix", ["shoots", "deliverables", "portal-requests"])
def test_it_attaches_lists_reads_downloads_and_removes(api_as, editor, things, prefix, stored_files):
    api = api_as(editor)
    thing = things[prefix]
    path = f"/api/v1/{prefix}/{thing.pk}"

    created = attach(api, path, "brief.pdf", PDF)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "brief.pdf"
    assert body["kind"] == "document" and body["content_type"] == "application/pdf"
    assert body["bytes"] == len(PDF) and body["status"] == "ready" and body["uploaded_by"] == "Editor Tester"
    assert body["download_url"].endswith(f"{path}/attachments/{body['id']}/download")
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.file.name.startswith(f"attachments/{thing.client_id}/{attachment.pk}/")
    assert Attachment.field_for(thing) and attachment.target == thing

    listed = api.get(f"{path}/attachments").json()
    assert listed["total"] == 1 and [i["id"] for i in listed["items"]] == [body["id"]]
    assert api.get(f"{path}/attachments/{body['id']}").json()["sha256"] == attachment.sha256

    download = api.get(f"{path}/attachments/{body['id']}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"

    verbs = list(ActivityEvent.objects.filter(target_id=str(thing.pk)).values_list("verb", flat=True))
    assert verbs == ["attachment.added"]

    with pytest.raises(AssertionError):  # the file is there before the delete…
        assert stored_files() == []
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert api.delete(f"{path}/attachments/{body['id']}").status_code == 204
    assert not Attachment.objects.exists()
    assert stored_files() == []  # …and gone after it
    assert ActivityEvent.objects.filter(verb="attachment.removed", target_id=str(thing.pk)).count() == 1
    assert api.get(f"{path}/attachments/{body['id']}").status_code == 404


def test_a_viewer_reads_but_cannot_attach_or_remove(api_as, editor, viewer, things):
    path = f"/api/v1/shoots/{things['shoots'].pk}"
    made = attach(api_as(editor), path, "brief.pdf", PDF).json()
    api = api_as(viewer)
    assert api.get(f"{path}/attachments").json()["total"] == 1
    assert api.get(f"{path}/attachments/{made['id']}/download").status_code == 200
    refused = api.delete(f"{path}/attachments/{made['id']}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert attach(api, path, "more.pdf", PDF).status_code == 403
    assert Attachment.objects.count() == 1


def test_an_attachment_is_found_only_through_its_own_thing(api_as, editor, things):
    api = api_as(editor)
    made = attach(api, f"/api/v1/shoots/{things['shoots'].pk}", "brief.pdf", PDF).json()
    other = f"/api/v1/deliverables/{things['deliverables'].pk}/attachments/{made['id']}"
    assert api.get(other).status_code == 404
    assert api.get(other + "/download").status_code == 404
    missing = api.get("/api/v1/shoots/00000000-0000-0000-0000-000000000000/attachments")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_documents_photos_and_videos_are_typed_by_content(api_as, editor, things, tmp_path):
    api = api_as(editor)
    path = f"/api/v1/deliverables/{things['deliverables'].pk}"
    docx = attach(api, path, "Shot list.docx", docx_bytes()).json()
    assert docx["content_type"].endswith("wordprocessingml.document") and docx["name"] == "Shot list.docx"
    # A JPEG called .html: kept as the JPEG it is, under a name that says so.
    photo = attach(api, path, "notes.html", mf.jpeg_bytes(mf.photo((300, 200)))).json()
    assert (photo["kind"], photo["content_type"], photo["name"]) == ("image", "image/jpeg", "notes.jpg")
    if mf.has_ffmpeg():  # a real video, whose location is removed on the way in
        clip = attach(api, path, "clip.mp4", mf.mp4_bytes(tmp_path)).json()
        assert (clip["kind"], clip["content_type"]) == ("video", "video/mp4")
        data = b"".join(api.get(clip["download_url"]).streaming_content)
        assert b"+37.3349-122.0090" not in data


def test_a_photo_keeps_no_location(api_as, editor, things):
    api = api_as(editor)
    path = f"/api/v1/shoots/{things['shoots'].pk}"
    made = attach(api, path, "site.jpg", mf.jpeg_bytes(mf.photo((400, 300)), gps=True)).json()
    assert made["status"] == "ready"
    data = b"".join(api.get(f"{path}/attachments/{made['id']}/download").streaming_content)
    with Image.open(io.BytesIO(data)) as im:
        assert not im.getexif().get_ifd(mf.GPS_IFD)


def test_a_rotated_photo_is_cleaned_by_the_worker_before_it_is_served(
    api_as, editor, things, sync_tasks, django_capture_on_commit_callbacks
):
    api = api_as(editor)
    path = f"/api/v1/shoots/{things['shoots'].pk}"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = attach(api, path, "turned.jpg", mf.jpeg_bytes(mf.photo((400, 300)), gps=True, orientation=6)).json()
    assert made["status"] == "processing"
    waiting = api.get(f"{path}/attachments/{made['id']}/download")
    assert waiting.status_code == 409 and "still being prepared" in waiting.json()["error"]["message"]
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert Attachment.objects.get(pk=made["id"]).status == "ready"
    data = b"".join(api.get(f"{path}/attachments/{made['id']}/download").streaming_content)
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (300, 400)  # turned upright
        assert not im.getexif().get_ifd(mf.GPS_IFD)


@pytest.mark.parametrize(
    ("name", "content", "status", "code", "says"),
    [
        ("photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", 415, "unsupported_type",
         ["photo.jpg cannot be attached", "a web page (HTML)", "Attach photos"]),
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 415,
         "unsupported_type", ["SVG"]),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64, 415, "unsupported_type", ["a Windows program"]),
        ("empty.pdf", b"", 400, "empty", ["empty.pdf is empty"]),
        ("cut.pdf", PDF[:30], 400, "damaged", ["cut.pdf is not a whole PDF"]),
        ("plan.docx", docx_bytes(macros=True), 415, "unsupported_type", ["an Office file with macros"]),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, 415, "unsupported_type",
         ["an old Office document"]),
        ("cut.docx", docx_bytes()[:40], 400, "damaged", ["cut.docx is not a whole ZIP"]),
        ("....", PDF, 400, "bad_filename", ["Rename it"]),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_a_message(api_as, editor, things, stored_files, name, content, status, code, says):
    response = attach(api_as(editor), f"/api/v1/portal-requests/{things['portal-requests'].pk}", name, content)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    for words in says:
        assert words in error["message"], error["message"]
    assert not Attachment.objects.exists()
    assert stored_files() == []
    assert not ActivityEvent.objects.filter(verb__startswith="attachment.").exists()


def test_too_large_documents_and_photos_are_refused(api_as, editor, things, settings):
    settings.ATTACHMENT_MAX_DOCUMENT_BYTES = 1000
    settings.MEDIA_MAX_IMAGE_BYTES = 2000
    api = api_as(editor)
    path = f"/api/v1/shoots/{things['shoots'].pk}"
    big = attach(api, path, "big.pdf", PDF + b" " * 2000 + b"%%EOF")
    assert big.status_code == 413
    assert "documents can be at most 1000 bytes" in big.json()["error"]["message"]
    photo = attach(api, path, "big.jpg", mf.jpeg_bytes(mf.photo((800, 600))))
    assert photo.status_code == 413 and "photos can be at most" in photo.json()["error"]["message"]
    assert not Attachment.objects.exists()


def test_a_missing_file_field_says_so(api_as, editor, things):
    response = api_as(editor).post(f"/api/v1/shoots/{things['shoots'].pk}/attachments", {}, format="multipart")
    assert response.status_code == 400
    assert "No file arrived" in response.json()["error"]["details"]["file"][0]


@pytest.mark.parametrize("name", ["..", "a/.."])
def test_a_name_the_browser_cannot_keep_is_refused_clearly(api_as, editor, things, name):
    """Django drops a part whose name sanitises to nothing; a control character is ours to refuse."""
    boundary = "----localbzz-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    path = f"/api/v1/shoots/{things['shoots'].pk}/attachments"
    response = api_as(editor).generic("POST", path, body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400, response.content
    message = response.json()["error"]["message"]
    assert "No file arrived" in message or "Rename it" in message
    assert not Attachment.objects.exists()


def test_the_list_costs_the_same_for_many_attachments(api_as, editor, things, django_assert_max_num_queries):
    api = api_as(editor)
    path = f"/api/v1/deliverables/{things['deliverables'].pk}"
    for n in range(6):
        attach(api, path, f"brief-{n}.pdf", PDF + str(n).encode())
    api.get(f"{path}/attachments")  # warm the user's caches
    with django_assert_max_num_queries(6):
        listed = api.get(f"{path}/attachments")
    assert listed.json()["total"] == 6


def test_deleting_the_thing_takes_its_attachments_and_files(api_as, editor, things, stored_files):
    api = api_as(editor)
    attach(api, f"/api/v1/shoots/{things['shoots'].pk}", "brief.pdf", PDF)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        things["shoots"].delete()
    assert not Attachment.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("brief.PDF", "brief.PDF"), (".pdf", "attachment.pdf"), ("notes.html", "notes.pdf"), ("report", "report.pdf")],
)
def test_the_kept_name_says_what_the_content_is(sent, kept):
    from publishing.media.attachments import checked_name, name_for

    assert name_for(checked_name(sent), "PDF") == kept


@pytest.mark.parametrize("name", ["", "...", "tab\tname.pdf", "bell\x07.pdf"])
def test_names_without_a_usable_name_are_refused(name):
    from publishing.media.attachments import checked_name
    from publishing.media.probe import FileProblem

    with pytest.raises(FileProblem, match="Rename it"):
        checked_name(name)


def test_a_file_gone_from_storage_answers_404_in_the_envelope(api_as, editor, things):
    api = api_as(editor)
    path = f"/api/v1/shoots/{things['shoots'].pk}"
    made = attach(api, path, "brief.pdf", PDF).json()
    attachment = Attachment.objects.get(pk=made["id"])
    attachment.file.storage.delete(attachment.file.name)
    response = api.get(f"{path}/attachments/{made['id']}/download")
    assert response.status_code == 404
    assert "no longer in storage" in response.json()["error"]["message"]


def test_a_photo_the_worker_cannot_clean_is_failed_with_the_reason(api_as, editor, things, settings):
    """Real limits, really exceeded: the work child gets 8 MB of address space, too little to start."""
    from publishing.services.attachments import attachment_clean

    settings.MEDIA_WORK_MEMORY_MB = 8
    api = api_as(editor)
    path = f"/api/v1/shoots/{things['shoots'].pk}"
    made = attach(api, path, "turned.jpg", mf.jpeg_bytes(mf.photo((400, 300)), orientation=6)).json()
    assert attachment_clean(attachment_id=made["id"]) is None
    failed = Attachment.objects.get(pk=made["id"])
    assert failed.status == "failed" and "could not be processed" in failed.processing_error
    refused = api.get(f"{path}/attachments/{made['id']}/download")
    assert refused.status_code == 409 and failed.processing_error in refused.json()["error"]["message"]
    assert attachment_clean(attachment_id=made["id"]) is None  # a settled attachment is left alone
    assert Attachment.objects.get(pk=made["id"]).status == "failed"


def test_cleaning_twice_does_the_work_once(api_as, editor, things, stored_files, django_capture_on_commit_callbacks):
    from publishing.services.attachments import attachment_clean

    api = api_as(editor)
    made = attach(api, f"/api/v1/shoots/{things['shoots'].pk}", "t.jpg", mf.jpeg_bytes(orientation=3)).json()
    with django_capture_on_commit_callbacks(execute=True):
        first = attachment_clean(attachment_id=made["id"])
    assert first is not None and first.status == "ready" and first.name == "t.jpg"
    assert attachment_clean(attachment_id=made["id"]) is None
    assert stored_files() == [first.file.name]  # the uncleaned upload is gone, one clean file stays
