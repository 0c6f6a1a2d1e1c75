# ruff: noqa: F811 - the storage and portal fixtures are imported and taken as arguments
"""Exporting a deliverable's attachment into its shoot's folder (Drive resumable upload, Dropbox
files/upload) over real HTTP against the fakes, then the portal's Download serving the same bytes;
no second upload, token refresh, rate limit, a lost answer found by lookup, and who may do it."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.models import ActivityEvent, Deliverable
from agency.tests import factories
from integrations.storage import exports, services
from integrations.storage.models import DeliverableExport, DeliverableFile
from integrations.tests.test_storage import drive, dropbox, fake  # noqa: F401 - fixtures
from portal.tests.conftest import bella, joe, portal_as  # noqa: F401 - fixtures
from publishing.fakes import storage as fakes
from publishing.services.attachments import attachment_add
from publishing.tests.conftest import _fake_platform_server, client_a, client_b, fake_platforms  # noqa: F401

pytestmark = pytest.mark.django_db


def _zip(size: int, seed: int = 1) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("raw.bin", os.urandom(size) if seed else b"x" * size)
    return out.getvalue()


ARCHIVE = _zip(300_000)


def _deliverable(client_, editor, provider: str = ""):
    shoot = factories.shoot(client_=client_, title="Spring garden")
    services.create_folder(shoot, actor=editor, provider=provider)
    deliverable = factories.deliverable(
        client_=client_, shoot=shoot, title="Spring reel", status=Deliverable.Status.READY_TO_POST
    )
    attachment = attachment_add(
        target=deliverable, upload=SimpleUploadedFile("final-cut.zip", ARCHIVE), uploaded_by=editor
    )
    return deliverable, attachment


def _folder_files(fake, deliverable) -> list[dict]:
    folder = deliverable.shoot.storage_folder
    if folder.provider == "google_drive":
        files = fake.fake.objects("google_drive")["files"].values()
        return [f for f in files if folder.external_id in f["parents"]]
    prefix = folder.path.lower() + "/"
    return [e for k, e in fake.fake.objects("dropbox")["files"].items() if k.startswith(prefix)]


def _export(api, deliverable, attachment):
    return api.post(f"/api/v1/deliverables/{deliverable.pk}/storage-file/export", {"attachment": str(attachment.pk)},
                    format="json")  # fmt: skip


@pytest.mark.parametrize("provider", ["google_drive", "dropbox"])
def test_export_uploads_links_and_the_portal_serves_the_same_bytes(
    provider, fake, client, admin_user, client_a, editor, api_as, portal_as, joe, django_capture_on_commit_callbacks
):
    from integrations.tests.test_storage import _connect

    _connect(client, admin_user, provider)
    deliverable, attachment = _deliverable(client_a, editor, provider)
    api = api_as(editor)
    with django_capture_on_commit_callbacks() as queued:
        answer = _export(api, deliverable, attachment)
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "queued" and len(queued) == 1
    assert _export(api, deliverable, attachment).json()["id"] == answer.json()["id"]  # a second press: the same job
    assert exports.run(answer.json()["id"]) == "done"
    assert exports.run(answer.json()["id"]) == "nothing to do"  # a second delivery
    in_folder = _folder_files(fake, deliverable)
    assert [f["name"] for f in in_folder] == ["final-cut.zip"] and in_folder[0]["_data"] == ARCHIVE
    linked = DeliverableFile.objects.get(deliverable=deliverable)
    assert (linked.name, linked.size, linked.provider) == ("final-cut.zip", len(ARCHIVE), provider)
    event = ActivityEvent.objects.get(verb="deliverable.file_exported")
    assert event.changes["attachment"] == "final-cut.zip"
    status = api.get(f"/api/v1/storage-exports/{answer.json()['id']}").json()
    assert status["status"] == "done" and status["file_id"] == linked.external_id

    download = portal_as(client_a, joe).get(f"/deliverables/{deliverable.pk}/download")
    assert download.status_code == 200 and b"".join(download.streaming_content) == ARCHIVE

    uploads = fake.calls("upload")
    again = _export(api, deliverable, attachment)  # finished: re-linked, not uploaded again
    assert again.status_code == 200 and again.json()["status"] == "done"
    assert fake.calls("upload") == uploads and len(_folder_files(fake, deliverable)) == 1


def test_an_expired_token_is_refreshed_during_the_export(drive, fake, client_a, editor):
    deliverable, attachment = _deliverable(client_a, editor)
    job, queued = exports.start(deliverable, attachment, actor=editor)
    fake.fail("google_drive", "token_expired", "upload")
    assert queued and exports.run(str(job.pk)) == "done"
    assert len(_folder_files(fake, deliverable)) == 1 and DeliverableFile.objects.filter(deliverable=deliverable)


@pytest.mark.parametrize("provider", ["google_drive", "dropbox"])
def test_a_rate_limit_fails_clearly_and_links_nothing(provider, fake, client, admin_user, client_a, editor, api_as):
    from integrations.tests.test_storage import _connect

    _connect(client, admin_user, provider)
    deliverable, attachment = _deliverable(client_a, editor, provider)
    job, _ = exports.start(deliverable, attachment, actor=editor)
    fake.fail(provider, "rate_limit", "upload")
    assert exports.run(str(job.pk)) == "failed: rate_limited"
    job.refresh_from_db()
    assert (
        job.status == "failed"
        and "rate limiting" in job.error
        and "Nothing was saved" in job.error.replace("nothing was saved", "Nothing was saved")
    )
    assert not DeliverableFile.objects.exists() and not _folder_files(fake, deliverable)
    body = api_as(editor).get(f"/api/v1/storage-exports/{job.pk}").json()
    assert body["status"] == "failed" and "rate limiting" in body["error"]
    again, queued = exports.start(deliverable, attachment, actor=editor)  # a failed export can be tried again
    assert queued and again.pk != job.pk and exports.run(str(again.pk)) == "done"


@pytest.mark.parametrize("provider,operation", [("google_drive", "upload_media"), ("dropbox", "upload")])
def test_a_lost_answer_after_the_file_was_stored_is_found_not_duplicated(
    provider, operation, fake, client, admin_user, client_a, editor, settings
):
    from integrations.tests.test_storage import _connect

    _connect(client, admin_user, provider)
    deliverable, attachment = _deliverable(client_a, editor, provider)
    job, _ = exports.start(deliverable, attachment, actor=editor)
    settings.PLATFORM_READ_TIMEOUT = 0.5
    fake.fail(provider, "hang", operation, seconds=1.5)
    assert exports.run(str(job.pk)) == "done"
    assert len(_folder_files(fake, deliverable)) == 1  # stored once, found by name, size and checksum
    assert DeliverableFile.objects.get(deliverable=deliverable).name == "final-cut.zip"
    # The link removed and the export pressed again: the file there is found, no second upload.
    DeliverableFile.objects.all().delete()
    DeliverableExport.objects.all().delete()
    again, _ = exports.start(deliverable, attachment, actor=editor)
    assert exports.run(str(again.pk)) == "done" and len(_folder_files(fake, deliverable)) == 1


def test_refusals_and_tenant_rules(drive, fake, client_a, client_b, editor, viewer, api_as):
    deliverable, attachment = _deliverable(client_a, editor)
    other, other_attachment = _deliverable(client_b, editor)
    api = api_as(editor)
    assert _export(api, deliverable, other_attachment).status_code == 404  # another deliverable's attachment
    missing = api.post(f"/api/v1/deliverables/{deliverable.pk}/storage-file/export", {}, format="json")
    assert missing.status_code == 400 and "attachment" in str(missing.json())
    assert _export(api_as(viewer), deliverable, attachment).status_code == 403
    no_folder = factories.deliverable(client_=client_a, shoot=factories.shoot(client_=client_a))
    upload = SimpleUploadedFile("brief.zip", _zip(10, seed=0))
    loose = attachment_add(target=no_folder, upload=upload, uploaded_by=editor)
    refused = _export(api_as(editor), no_folder, loose)
    assert refused.status_code == 400 and "no folder" in str(refused.json())
    assert not DeliverableExport.objects.exists()
    services.connection_for("google_drive").delete()
    gone = _export(api_as(editor), deliverable, attachment)
    assert gone.status_code == 409 and gone.json()["error"]["code"] == "storage_not_connected"


def test_the_fakes_upload_contracts(fake):
    token = fake.register_token("drive-up-token", "google_drive")
    auth = {"Authorization": f"Bearer {token}"}
    folder = fakes.drive_put(fake.fake, "Shoot", folder=True)
    started = requests.post(f"{fake.url}/upload/drive/v3/files", params={"uploadType": "resumable"},
                            json={"name": "a.zip", "parents": [folder["id"]]}, headers=auth, timeout=5)  # fmt: skip
    assert started.status_code == 200 and "upload_id=" in started.headers["Location"]
    short = requests.put(started.headers["Location"], data=b"abc", timeout=5)
    assert short.status_code == 200 and short.json()["name"] == "a.zip"
    assert requests.post(f"{fake.url}/upload/drive/v3/files", params={"uploadType": "media"}, json={"name": "x"},
                         headers=auth, timeout=5).status_code == 400  # fmt: skip
    dbx = fake.register_token("dbx-up-token", "dropbox")
    arg = '{"path": "/Shoot/a.zip", "mode": "add", "autorename": true}'
    headers = {"Authorization": f"Bearer {dbx}", "Dropbox-API-Arg": arg, "Content-Type": "application/octet-stream"}
    first = requests.post(f"{fake.url}/dropbox-content/2/files/upload", data=b"one", headers=headers, timeout=5)
    second = requests.post(f"{fake.url}/dropbox-content/2/files/upload", data=b"two", headers=headers, timeout=5)
    assert (first.json()["name"], second.json()["name"]) == ("a.zip", "a (1).zip")
    assert ".tag" not in first.json() and first.json()["content_hash"] == fakes.content_hash(b"one")
    bad = requests.post(f"{fake.url}/dropbox-content/2/files/upload", data=b"x",
                        headers={**headers, "Content-Type": "application/json"}, timeout=5)  # fmt: skip
    assert bad.status_code == 400


def test_the_card_saves_an_attachment_shows_progress_then_the_linked_file(
    drive, fake, client, client_a, editor, viewer
):
    deliverable, attachment = _deliverable(client_a, editor)
    card_url = f"/settings/storage/deliverables/{deliverable.pk}/file/"
    client.force_login(editor)
    card = client.get(card_url, HTTP_HX_REQUEST="true").content.decode()
    assert "Save to shoot folder" in card and "final-cut.zip" in card and 'hx-trigger="every 1s"' not in card
    export_url = f"/settings/storage/deliverables/{deliverable.pk}/file/export/"
    started = client.post(export_url, {"attachment": str(attachment.pk)}, HTTP_HX_REQUEST="true").content.decode()
    assert "Queued" in started and 'hx-trigger="every 1s"' in started and "?poll=1" in started
    job = DeliverableExport.objects.get()
    assert exports.run(str(job.pk)) == "done"
    polled = client.get(card_url + "?poll=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' not in polled and "Saved" in polled and "This deliverable's file" in polled
    DeliverableFile.objects.all().delete()  # unlinked: the saved file can be linked again without an upload
    assert "Link it again" in client.get(card_url + "?poll=1", HTTP_HX_REQUEST="true").content.decode()
    assert "/file/download/" in polled  # the storage-file card shows the new link
    assert client.post(export_url, {"attachment": "not-a-uuid"}).status_code == 404
    client.force_login(viewer)
    assert "Save to shoot folder" not in client.get(card_url, HTTP_HX_REQUEST="true").content.decode()
    assert client.post(export_url, {"attachment": str(attachment.pk)}).status_code == 403


def test_the_card_offers_nothing_without_a_connection(drive, fake, client, client_a, editor):
    deliverable, _attachment = _deliverable(client_a, editor)
    services.connection_for("google_drive").delete()
    client.force_login(editor)
    card = client.get(f"/settings/storage/deliverables/{deliverable.pk}/file/", HTTP_HX_REQUEST="true")
    assert "Save to shoot folder" not in card.content.decode()


def test_the_client_api_lists_a_download_url_that_streams_the_file(drive, fake, client_a, client_b, editor, joe, bella):
    from portal.tests.conftest import bearer

    deliverable, attachment = _deliverable(client_a, editor)
    plain = factories.deliverable(client_=client_a, title="No file", status=Deliverable.Status.READY_TO_POST)
    job, _ = exports.start(deliverable, attachment, actor=editor)
    assert exports.run(str(job.pk)) == "done"
    api = bearer(joe)
    listed = {d["title"]: d for d in api.get(f"/api/v1/client-portal/{client_a.slug}/deliverables").json()["items"]}
    url = listed["Spring reel"]["download_url"]
    assert url == f"http://testserver/api/v1/client/deliverables/{deliverable.pk}/download"
    assert listed[plain.title]["download_url"] is None
    whole = api.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == ARCHIVE
    part = api.get(url, HTTP_RANGE="bytes=0-9")
    assert part.status_code == 206 and b"".join(part.streaming_content) == ARCHIVE[:10]
    assert bearer(bella).get(url).status_code == 404  # another client's token
    assert api.get(f"/api/v1/client/deliverables/{plain.pk}/download").status_code == 404
    fake.fail("google_drive", "deleted", "download")
    gone = api.get(url)
    assert gone.status_code == 410 and "no longer in the shoot" in gone.json()["error"]["message"]


def test_a_revoked_grant_fails_with_reconnect_words(drive, fake, client_a, editor):
    deliverable, attachment = _deliverable(client_a, editor)
    job, _ = exports.start(deliverable, attachment, actor=editor)
    fake.fail("google_drive", "token_expired", "list")  # the find before the upload: refresh…
    fake.fail("google_drive", "invalid_grant", "token")  # … refused
    assert exports.run(str(job.pk)) == "failed: needs_reconnect"
    job.refresh_from_db()
    assert "needs to be reconnected" in job.error and not DeliverableFile.objects.exists()
    assert services.connection_for("google_drive").status == "needs_reconnect"
    with pytest.raises(services.NeedsReconnect):
        exports.start(deliverable, attachment, actor=editor)


def test_the_cards_queries_do_not_grow_with_attachments(
    drive, fake, client, client_a, editor, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deliverable, attachment = _deliverable(client_a, editor)
    exports.start(deliverable, attachment, actor=editor)
    client.force_login(editor)
    url = f"/settings/storage/deliverables/{deliverable.pk}/file/?poll=1"

    def count() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        return len(seen)

    few = count()
    assert few == 8  # pinned (session and person come from the cache); the same with one attachment or five
    for n in range(4):
        attachment_add(target=deliverable, upload=SimpleUploadedFile(f"extra-{n}.zip", _zip(10, seed=0)),
                       uploaded_by=editor)  # fmt: skip
    assert count() == few
