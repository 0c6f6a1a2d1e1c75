"""Cloud storage (issue 20) over real HTTP against the Drive and Dropbox fakes: the fakes' contracts,
the OAuth round trips, token refresh and needs-reconnect, shoot folders, files, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from agency.tests import factories
from integrations.storage import services
from integrations.storage.models import ShootFolder, StorageConnection
from publishing.fakes import storage as fakes
from publishing.tests.conftest import _fake_platform_server, fake_platforms  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(fake_platforms, settings):  # noqa: F811
    settings.GOOGLE_DRIVE_CLIENT_ID, settings.GOOGLE_DRIVE_CLIENT_SECRET = "fake-drive-client", "fake-drive-secret"
    settings.DROPBOX_APP_KEY = "fake-dropbox-app"
    settings.STORAGE_ROOT_FOLDER = "LocalBzz shoots"
    return fake_platforms


def _connect(client, user, provider: str) -> requests.Response:
    """The whole browser round trip: our connect button → the provider's authorize page (fake) →
    back to our callback with code and state."""
    client.force_login(user)
    start = client.post(f"/settings/storage/{provider}/connect/")
    assert start.status_code == 302, start.content
    consent = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert consent.status_code == 302, consent.text
    back = urlsplit(consent.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def drive(fake, client, admin_user):
    answer = _connect(client, admin_user, "google_drive")
    assert answer.status_code == 302
    return StorageConnection.objects.get(provider="google_drive")


@pytest.fixture
def dropbox(fake, client, admin_user):
    _connect(client, admin_user, "dropbox")
    return StorageConnection.objects.get(provider="dropbox")


@pytest.fixture
def shoot(db):
    shop = factories.client(name="Joe's Landscaping")
    return factories.shoot(client_=shop, title="Spring / garden")


# The fakes' contracts ----------------------------------------------------------------------------


def _drive_token(fake) -> str:
    return fake.register_token("drive-test-token", "google_drive")


def test_drive_fake_pages_default_fields_and_ranges(fake):
    token = _drive_token(fake)
    folder = fakes.drive_put(fake.fake, "Shoot", folder=True)
    for n in range(5):
        fakes.drive_put(fake.fake, f"img-{n}.jpg", bytes(range(100)) * (n + 1), parent=folder["id"])
    url = f"{fake.url}/drive/v3/files"
    auth = {"Authorization": f"Bearer {token}"}
    q = f"'{folder['id']}' in parents and trashed = false"
    first = requests.get(url, params={"q": q, "pageSize": 2}, headers=auth, timeout=5).json()
    assert set(first["files"][0]) == {"kind", "id", "name", "mimeType"}  # v3's default fields
    names, body = [f["name"] for f in first["files"]], first
    while "nextPageToken" in body:
        body = requests.get(url, params={"q": q, "pageSize": 2, "pageToken": body["nextPageToken"]},
                            headers=auth, timeout=5).json()  # fmt: skip
        names += [f["name"] for f in body["files"]]
    assert names == [f"img-{n}.jpg" for n in range(5)]
    assert requests.get(url, params={"q": "name contains 'x'"}, headers=auth, timeout=5).status_code == 400
    file_id = first["files"][0]["id"]
    part = requests.get(
        f"{url}/{file_id}", params={"alt": "media"}, headers={**auth, "Range": "bytes=10-19"}, timeout=5
    )
    assert part.status_code == 206
    assert part.content == bytes(range(10, 20))
    assert part.headers["Content-Range"] == "bytes 10-19/100"
    fake.fail("google_drive", "deleted", "download")
    gone = requests.get(f"{url}/{file_id}", params={"alt": "media"}, headers=auth, timeout=5)
    assert gone.status_code == 404
    assert gone.json()["error"]["errors"][0]["reason"] == "notFound"
    assert requests.get(f"{url}/{file_id}", headers=auth, timeout=5).status_code == 404  # really gone


def test_drive_fake_changes_faults_and_auth(fake):
    token = _drive_token(fake)
    auth = {"Authorization": f"Bearer {token}"}
    base = f"{fake.url}/drive/v3"
    start = requests.get(f"{base}/changes/startPageToken", headers=auth, timeout=5).json()["startPageToken"]
    made = fakes.drive_put(fake.fake, "new.png", b"x")
    changes = requests.get(f"{base}/changes", params={"pageToken": start}, headers=auth, timeout=5).json()
    assert [c["fileId"] for c in changes["changes"]] == [made["id"]]
    assert "newStartPageToken" in changes
    fake.fail("google_drive", "rate_limit", "list", retry_after=7)
    limited = requests.get(f"{base}/files", headers=auth, timeout=5)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert requests.get(f"{base}/files", headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    fake.expire_token(token)
    expired = requests.get(f"{base}/files", headers=auth, timeout=5)
    assert expired.json()["error"]["status"] == "UNAUTHENTICATED"


def test_dropbox_fake_cursor_continue_and_download(fake):
    token = fake.register_token("dbx-test-token", "dropbox")
    auth = {"Authorization": f"Bearer {token}"}
    for n in range(3):
        fakes.dropbox_put(fake.fake, f"/Shoots/a{n}.jpg", b"0123456789")
    api = f"{fake.url}/dropbox-api/2/files"
    page = requests.post(f"{api}/list_folder", json={"path": "/Shoots", "limit": 2}, headers=auth, timeout=5).json()
    assert page["has_more"] and len(page["entries"]) == 2
    rest = requests.post(f"{api}/list_folder/continue", json={"cursor": page["cursor"]}, headers=auth, timeout=5).json()
    assert [e["name"] for e in rest["entries"]] == ["a2.jpg"] and not rest["has_more"]
    fakes.dropbox_put(fake.fake, "/Shoots/late.jpg", b"late")
    later = requests.post(
        f"{api}/list_folder/continue", json={"cursor": rest["cursor"]}, headers=auth, timeout=5
    ).json()
    assert [e["name"] for e in later["entries"]] == ["late.jpg"]
    missing = requests.post(f"{api}/list_folder", json={"path": "/Nope"}, headers=auth, timeout=5)
    assert missing.status_code == 409 and missing.json()["error_summary"].startswith("path/not_found")
    arg = {"Dropbox-API-Arg": '{"path": "/Shoots/a0.jpg"}', "Range": "bytes=-3"}
    got = requests.post(f"{fake.url}/dropbox-content/2/files/download", headers={**auth, **arg}, timeout=5)
    assert got.status_code == 206 and got.content == b"789"
    assert '"content_hash"' in got.headers["Dropbox-API-Result"]
    fake.fail("dropbox", "rate_limit", "list", retry_after=3)
    limited = requests.post(f"{api}/list_folder", json={"path": "/Shoots"}, headers=auth, timeout=5)
    assert limited.status_code == 429 and limited.json()["error"]["retry_after"] == 3
    fake.fail("dropbox", "token_expired", "list")
    expired = requests.post(f"{api}/list_folder", json={"path": "/Shoots"}, headers=auth, timeout=5)
    assert expired.status_code == 401 and expired.json()["error"][".tag"] == "expired_access_token"


# Connecting -------------------------------------------------------------------------------------


def test_drive_oauth_round_trip_stores_encrypted_tokens(drive, fake):
    assert drive.status == StorageConnection.Status.CONNECTED
    assert drive.access_token.startswith("goo-at-") and drive.refresh_token.startswith("goo-rt-")
    raw = StorageConnection.objects.values_list("access_token_encrypted", "refresh_token_encrypted").get()
    assert drive.access_token not in raw[0] and drive.refresh_token not in raw[1]
    assert drive.expires_at is not None


def test_dropbox_oauth_uses_pkce(fake, client, admin_user):
    client.force_login(admin_user)
    start = client.post("/settings/storage/dropbox/connect/")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["token_access_type"] == ["offline"]
    assert "client_secret" not in query
    consent = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert consent.status_code == 302, (start["Location"], consent.text)
    back = urlsplit(consent.headers["Location"])
    session = client.session
    session["storage_oauth"]["verifier"] = "not-the-verifier"  # the exchange must prove the verifier
    session.save()
    answer = client.get(f"{back.path}?{back.query}", follow=True)
    assert "invalid code verifier" in answer.content.decode()
    assert not StorageConnection.objects.exists()
    assert _connect(client, admin_user, "dropbox").status_code == 302
    assert StorageConnection.objects.get().refresh_token.startswith("dro-rt-")


def test_callback_with_a_foreign_state_is_refused(fake, client, admin_user):
    client.force_login(admin_user)
    client.post("/settings/storage/google_drive/connect/")
    answer = client.get("/settings/storage/google_drive/callback/?code=abc&state=forged", follow=True)
    assert "stale or was not started here" in answer.content.decode()
    assert not StorageConnection.objects.exists()


def test_expired_token_is_refreshed_then_a_revoked_grant_needs_reconnect(drive, fake, shoot, api_as, editor):
    old = drive.access_token
    fake.expire_token(old)
    answer = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {}, format="json")
    assert answer.status_code == 201, answer.json()
    drive.refresh_from_db()
    assert drive.access_token != old and drive.status == "connected"
    fake.expire_token(drive.access_token)
    fake.fail("google_drive", "invalid_grant", "token")
    listing = api_as(editor).get(f"/api/v1/shoots/{shoot.pk}/folder/files")
    assert listing.status_code == 409
    assert listing.json()["error"]["code"] == "storage_needs_reconnect", listing.json()
    drive.refresh_from_db()
    assert drive.status == StorageConnection.Status.NEEDS_RECONNECT
    assert fake.calls("token") == 3  # the code, one refresh that worked, one refused; no retry loop


def test_disconnect_forgets_tokens_keeps_folders(drive, shoot, client, admin_user, editor):
    services.create_folder(shoot, actor=editor)
    client.force_login(admin_user)
    assert client.post("/settings/storage/google_drive/disconnect/").status_code == 302
    assert not StorageConnection.objects.exists() and ShootFolder.objects.filter(shoot=shoot).exists()


# Shoot folders ------------------------------------------------------------------------------------


def test_create_folder_under_client_folder_and_list_files_in_pages(drive, fake, shoot, api_as, editor):
    made = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    day = shoot.start.astimezone(__import__("zoneinfo").ZoneInfo(shoot.client.timezone)).date().isoformat()
    assert body["name"] == f"{day} Joe's Landscaping – Spring - garden"
    files = fake.fake.objects("google_drive")["files"]
    parent = files[files[body["external_id"]]["parents"][0]]
    assert parent["name"] == "Joe's Landscaping"
    assert files[parent["parents"][0]]["name"] == "LocalBzz shoots"
    shoot.refresh_from_db()
    assert shoot.drive_folder_link == body["web_url"]
    for n in range(5):
        fakes.drive_put(fake.fake, f"photo-{n}.jpg", b"jpeg" * (n + 1), parent=body["external_id"])
    seen, token = [], ""
    while True:
        page = api_as(editor).get(f"/api/v1/shoots/{shoot.pk}/folder/files", {"page_size": 2, "page_token": token})
        assert page.status_code == 200, page.json()
        seen += [f["name"] for f in page.json()["files"]]
        token = page.json()["next_page_token"]
        if not token:
            break
    assert seen == [f"photo-{n}.jpg" for n in range(5)]
    assert page.json()["files"][0]["checksum"]
    again = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {}, format="json")
    assert again.status_code == 409
    # A second shoot of the same client goes into the same client folder.
    other = factories.shoot(client_=shoot.client, title="Summer")
    second = api_as(editor).post(f"/api/v1/shoots/{other.pk}/folder", {}, format="json").json()
    assert files[second["external_id"]]["parents"] == [parent["id"]]


def test_dropbox_folder_and_linking_by_url(dropbox, fake, shoot, api_as, editor):
    made = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["path"].startswith("/LocalBzz shoots/Joe's Landscaping/")
    fakes.dropbox_put(fake.fake, made.json()["path"] + "/raw.jpg", b"raw")
    listed = api_as(editor).get(f"/api/v1/shoots/{shoot.pk}/folder/files").json()
    assert [f["name"] for f in listed["files"]] == ["raw.jpg"]
    fakes.dropbox_put(fake.fake, "/Clients/Existing", folder=True)
    other = factories.shoot(client_=shoot.client, title="Linked")
    linked = api_as(editor).post(f"/api/v1/shoots/{other.pk}/folder",
                                 {"url": "https://www.dropbox.com/home/Clients/Existing"}, format="json")  # fmt: skip
    assert linked.status_code == 201 and linked.json()["name"] == "Existing" and not linked.json()["created_here"]


def test_link_refusals_are_clear(drive, fake, shoot, api_as, editor):
    bad = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {"url": "https://example.com/x"}, format="json")
    assert bad.status_code == 400 and "not a folder link" in bad.json()["error"]["message"]
    dbx = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder",
                              {"url": "https://www.dropbox.com/home/A"}, format="json")  # fmt: skip
    assert dbx.status_code == 409 and "Dropbox is not connected" in dbx.json()["error"]["message"]
    a_file = fakes.drive_put(fake.fake, "photo.jpg", b"x")
    url = f"https://drive.google.com/drive/folders/{a_file['id']}"
    not_folder = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {"url": url}, format="json")
    assert not_folder.status_code == 400 and "not a folder" in not_folder.json()["error"]["message"]
    missing = "https://drive.google.com/drive/folders/1missingmissingmissing"
    gone = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {"url": missing}, format="json")
    assert gone.status_code == 404
    unknown = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {"name": "x"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_field"
    assert api_as(editor).get(f"/api/v1/shoots/{shoot.pk}/folder/files").status_code == 404


def test_nothing_connected_is_explained(fake, shoot, api_as, editor):
    answer = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder", {}, format="json")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "storage_not_connected"


def test_rate_limited_listing_is_retried(drive, fake, shoot, api_as, editor, settings):
    services.create_folder(shoot, actor=editor)
    fake.fail("google_drive", "rate_limit", "list", retry_after=0)
    answer = api_as(editor).get(f"/api/v1/shoots/{shoot.pk}/folder/files")
    assert answer.status_code == 200
    fake.fail("google_drive", "rate_limit", "list", times=3, retry_after=0)
    answer = api_as(editor).get(f"/api/v1/shoots/{shoot.pk}/folder/files")
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "storage_rate_limited"


# Who may -----------------------------------------------------------------------------------------


def test_viewer_cannot_connect_or_create_but_can_see(drive, fake, shoot, client, api_as, viewer, editor):
    client.force_login(viewer)
    assert client.post("/settings/storage/google_drive/connect/").status_code == 403
    assert client.post("/settings/storage/google_drive/disconnect/").status_code == 403
    assert client.get("/settings/storage/").status_code == 403
    assert client.post(f"/settings/storage/shoots/{shoot.pk}/folder/create/").status_code == 403
    assert api_as(viewer).post(f"/api/v1/shoots/{shoot.pk}/folder", {}, format="json").status_code == 403
    services.create_folder(shoot, actor=editor)
    assert api_as(viewer).get(f"/api/v1/shoots/{shoot.pk}/folder/files").status_code == 200
    assert client.get(f"/settings/storage/shoots/{shoot.pk}/folder/").status_code == 200


def test_editor_cannot_connect_storage(fake, client, editor):
    client.force_login(editor)
    assert client.post("/settings/storage/dropbox/connect/").status_code == 403


def test_portal_users_and_anonymous_are_kept_out(drive, shoot, client, api, outsider):
    assert api.get(f"/api/v1/shoots/{shoot.pk}/folder/files").status_code == 401
    client.force_login(outsider)
    assert client.get(f"/settings/storage/shoots/{shoot.pk}/folder/").status_code in (302, 403)


# The shoot page ----------------------------------------------------------------------------------


def test_shoot_page_panel_creates_and_lists_with_pinned_queries(drive, fake, shoot, client, editor):
    client.force_login(editor)
    page = client.get(f"/shoots/{shoot.pk}/")
    assert f"/settings/storage/shoots/{shoot.pk}/folder/" in page.content.decode()
    empty = client.get(f"/settings/storage/shoots/{shoot.pk}/folder/", HTTP_HX_REQUEST="true").content.decode()
    assert "Create folder" in empty
    made = client.post(f"/settings/storage/shoots/{shoot.pk}/folder/create/", HTTP_HX_REQUEST="true")
    assert "The folder is empty" in made.content.decode()
    folder = ShootFolder.objects.get(shoot=shoot)
    for n in range(3):
        fakes.drive_put(fake.fake, f"p{n}.jpg", b"x" * 10, parent=folder.external_id)
    with CaptureQueriesContext(db_connection) as queries:
        listed = client.get(f"/settings/storage/shoots/{shoot.pk}/folder/", HTTP_HX_REQUEST="true")
    html = listed.content.decode()
    assert all(f"p{n}.jpg" in html for n in range(3)) and "/_fake/storage/thumb/" in html
    assert len(queries) <= 9, [q["sql"] for q in queries]


def test_shoot_page_panel_shows_a_helpful_error(drive, fake, shoot, client, editor):
    services.create_folder(shoot, actor=editor)
    fake.fail("google_drive", "http_500", "list", times=3)
    client.force_login(editor)
    html = client.get(f"/settings/storage/shoots/{shoot.pk}/folder/", HTTP_HX_REQUEST="true").content.decode()
    assert "try again shortly" in html


def test_settings_page_shows_states(drive, client, admin_user):
    client.force_login(admin_user)
    html = client.get("/settings/storage/").content.decode()
    assert "Connected" in html and "Connect Dropbox" in html
    drive.status = StorageConnection.Status.NEEDS_RECONNECT
    drive.save()
    assert "Reconnect Google Drive" in client.get("/settings/storage/").content.decode()


# Importing into the media library ---------------------------------------------------------------


def _import(api, shoot, capture) -> dict:
    with capture(execute=True):
        answer = api.post(f"/api/v1/shoots/{shoot.pk}/folder/import")
    assert answer.status_code == 202, answer.json()
    polled = api.get(f"/api/v1/storage-imports/{answer.json()['id']}")
    assert polled.status_code == 200
    return polled.json()


def _seed_pictures(fake, folder: ShootFolder, count: int) -> None:
    from localbzz.fakekit import picture

    for n in range(count):
        data = picture(48, 32, seed=n, format="JPEG")
        if folder.provider == "google_drive":
            fakes.drive_put(fake.fake, f"shot-{n:03d}.jpg", data, parent=folder.external_id)
        else:
            fakes.dropbox_put(fake.fake, f"{folder.path}/shot-{n:03d}.jpg", data)


def test_import_fills_the_library_once(drive, fake, shoot, api_as, editor, sync_tasks,
                                       django_capture_on_commit_callbacks):  # fmt: skip
    from publishing.models import MediaAsset

    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 50)
    fakes.drive_put(fake.fake, "notes.txt", b"not media", parent=folder.external_id)
    api = api_as(editor)
    first = _import(api, shoot, django_capture_on_commit_callbacks)
    assert (first["status"], first["total"], first["imported"], first["skipped"]) == ("done", 50, 50, 0)
    assert MediaAsset.objects.filter(client=shoot.client).count() == 50
    asset = MediaAsset.objects.filter(client=shoot.client).first()
    assert asset.folder.name == shoot.title
    second = _import(api, shoot, django_capture_on_commit_callbacks)
    assert (second["imported"], second["skipped"]) == (0, 50)
    assert MediaAsset.objects.filter(client=shoot.client).count() == 50
    assert fake.calls("download") == 50  # the second import downloaded nothing


def test_import_resumes_after_a_crash_and_survives_a_deleted_file(dropbox, fake, shoot, api_as, editor,
                                                                  monkeypatch, sync_tasks,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    from integrations.storage import imports
    from integrations.storage.models import StorageImport
    from publishing.models import MediaAsset

    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 6)
    real, calls = imports.media_upload, []

    def dies_at_the_fourth(**kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise SystemExit("worker killed")  # the worker process dies mid-import
        return real(**kwargs)

    monkeypatch.setattr(imports, "media_upload", dies_at_the_fourth)
    job, _ = imports.start(folder, actor=editor)
    with pytest.raises(SystemExit):
        imports.run(str(job.pk))
    assert MediaAsset.objects.filter(client=shoot.client).count() == 3
    job.refresh_from_db()
    assert job.status == "running" and job.imported == 3
    # Polling again while the heartbeat is fresh answers the same job without queuing another.
    assert imports.start(folder, actor=editor) == (job, False)
    StorageImport.objects.filter(pk=job.pk).update(updated_at=imports.stale_before() - timedelta(seconds=1))
    fake.fail("dropbox", "deleted", "download")
    with django_capture_on_commit_callbacks(execute=True):
        again, queued = imports.start(folder, actor=editor)
    assert queued and again.pk == job.pk
    again.refresh_from_db()
    assert (again.status, again.imported, again.skipped, again.failed) == ("done", 2, 3, 1)
    assert "deleted or moved" in again.problems[0]["message"]
    assert MediaAsset.objects.filter(client=shoot.client).count() == 5


def test_import_needs_a_folder_and_an_editor(drive, shoot, api_as, viewer, editor):
    none = api_as(editor).post(f"/api/v1/shoots/{shoot.pk}/folder/import")
    assert none.status_code == 400 and "no folder yet" in str(none.json())
    assert api_as(viewer).post(f"/api/v1/shoots/{shoot.pk}/folder/import").status_code == 403


def test_shoot_page_import_button_shows_progress_then_the_outcome(
    drive, fake, shoot, client, editor, viewer, sync_tasks, django_capture_on_commit_callbacks
):
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 2)
    client.force_login(editor)
    panel = client.get(f"/settings/storage/shoots/{shoot.pk}/folder/", HTTP_HX_REQUEST="true").content.decode()
    assert "Import all" in panel and "Import selected" in panel
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/settings/storage/shoots/{shoot.pk}/folder/import/", HTTP_HX_REQUEST="true")
    assert "Import queued" in started.content.decode()  # rendered before the job ran on commit
    job = folder.imports.get()
    done = client.get(f"/settings/storage/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Import finished: 2 new in the media library" in done and "every 1s" not in done
    client.force_login(viewer)
    assert client.post(f"/settings/storage/shoots/{shoot.pk}/folder/import/").status_code == 403
    html = client.get(f"/settings/storage/shoots/{shoot.pk}/folder/", HTTP_HX_REQUEST="true").content.decode()
    assert "Import finished" in html and "Import all" not in html and 'type="checkbox"' not in html
