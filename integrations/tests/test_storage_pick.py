# ruff: noqa: F811 - the storage fixtures are imported from test_storage and taken as arguments
"""Importing picked files, or only what is new since the last import (the providers' change feeds,
with a full listing when the provider forgot the cursor), over real HTTP against the fakes; the
Files card's pick list; the sweep that re-queues a job whose worker died."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integrations.storage import imports, services
from integrations.storage.models import ImportedFile, ShootFolder, StorageImport
from integrations.tests.test_storage import _seed_pictures, drive, dropbox, fake, shoot  # noqa: F401 - fixtures
from publishing.fakes import storage as fakes
from publishing.models import MediaAsset
from publishing.tests.conftest import _fake_platform_server, fake_platforms  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_now(sync_tasks, django_capture_on_commit_callbacks):
    """Post to the import endpoint; the job runs in-process on commit. Answers (response, job json)."""

    def post(api, shoot, body=None):
        with django_capture_on_commit_callbacks(execute=True):
            answer = api.post(f"/api/v1/shoots/{shoot.pk}/folder/import", body, format="json")
        if answer.status_code != 202:
            return answer, None
        return answer, api.get(answer["Location"]).json()

    return post


def _files(api, shoot) -> list[dict]:
    return api.get(f"/api/v1/shoots/{shoot.pk}/folder/files?page_size=1000").json()["files"]


def test_picked_files_only_are_imported_and_the_listing_says_which(drive, fake, shoot, api_as, editor, run_now):
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 5)
    api = api_as(editor)
    listed = _files(api, shoot)
    assert [f["imported"] for f in listed] == [False] * 5 and all(f["is_media"] for f in listed)
    picked = [listed[1]["id"], listed[3]["id"], listed[1]["id"]]  # a repeat counts once
    answer, job = run_now(api, shoot, {"files": picked})
    assert answer["Location"] == f"/api/v1/storage-imports/{answer.json()['id']}"
    assert (job["mode"], job["status"], job["total"], job["imported"]) == ("selected", "done", 2, 2)
    assert [f["imported"] for f in _files(api, shoot)] == [False, True, False, True, False]
    assert MediaAsset.objects.filter(client=shoot.client).count() == 2
    # Picking an imported one again adds nothing.
    _answer, again = run_now(api, shoot, {"files": [listed[1]["id"]]})
    assert (again["imported"], again["skipped"]) == (0, 1)


def test_bad_picks_are_refused_with_what_to_fix(drive, fake, shoot, api_as, editor, run_now):
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 1)
    notes = fakes.drive_put(fake.fake, "notes.txt", b"words", parent=folder.external_id)
    api = api_as(editor)
    photo = _files(api, shoot)[0]["id"]
    unknown, _ = run_now(api, shoot, {"files": [photo, "1nope-not-a-file-id"]})
    assert unknown.status_code == 400 and "1nope-not-a-file-id" in str(unknown.json())
    other, _ = run_now(api, shoot, {"files": [notes["id"]]})
    assert other.status_code == 400 and "not: notes.txt" in str(other.json())
    both, _ = run_now(api, shoot, {"files": [photo], "mode": "all"})
    assert both.status_code == 400 and "not both" in str(both.json())
    for body in ({"mode": "everything"}, {"files": []}, {"files": "abc"}):
        assert run_now(api, shoot, body)[0].status_code == 400, body
    assert not StorageImport.objects.exists()


@pytest.mark.parametrize("provider", ["google_drive", "dropbox"])
def test_import_new_reads_the_change_feed_and_lists_again_when_the_cursor_expired(
    provider, request, fake, shoot, api_as, editor, run_now
):
    request.getfixturevalue("drive" if provider == "google_drive" else "dropbox")
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 4)
    api = api_as(editor)
    _answer, first = run_now(api, shoot, {"mode": "new"})  # no cursor yet: the whole folder
    assert (first["total"], first["imported"]) == (4, 4)
    folder.refresh_from_db()
    assert folder.changes_cursor
    # Three more files (one elsewhere, which the feed must leave out), then "new": only those.
    add = fakes.drive_put if provider == "google_drive" else None
    for n in range(2):
        data = fakes.picture(40, 30, seed=100 + n, format="JPEG")
        if add:
            add(fake.fake, f"late-{n}.jpg", data, parent=folder.external_id)
        else:
            fakes.dropbox_put(fake.fake, f"{folder.path}/late-{n}.jpg", data)
    if add:
        add(fake.fake, "elsewhere.jpg", fakes.picture(30, 30, seed=7, format="JPEG"))
    else:
        fakes.dropbox_put(fake.fake, "/elsewhere/elsewhere.jpg", fakes.picture(30, 30, seed=7, format="JPEG"))
    listings = fake.calls("list")
    _answer, new = run_now(api, shoot, {"mode": "new"})
    assert (new["mode"], new["total"], new["imported"], new["skipped"]) == ("new", 2, 2, 0)
    if provider == "google_drive":
        assert fake.calls("list") == listings  # the feed, not a listing
    # The provider forgets the cursor: "new" lists the whole folder and skips what it has.
    fake.fail(provider, "cursor_expired", "changes" if provider == "google_drive" else "list")
    _answer, fallback = run_now(api, shoot, {"mode": "new"})
    assert (fallback["status"], fallback["total"], fallback["imported"], fallback["skipped"]) == ("done", 6, 0, 6)
    assert MediaAsset.objects.filter(client=shoot.client).count() == 6 == ImportedFile.objects.count()


def test_picked_imports_leave_the_cursor_alone(drive, fake, shoot, api_as, editor, run_now):
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 3)
    api = api_as(editor)
    run_now(api, shoot, {"files": [_files(api, shoot)[0]["id"]]})
    assert ShootFolder.objects.get(pk=folder.pk).changes_cursor == ""  # "new" must still see the other two
    _answer, new = run_now(api, shoot, {"mode": "new"})
    assert (new["imported"], new["skipped"]) == (2, 1)


def test_sweep_requeues_a_job_whose_worker_died(drive, fake, shoot, editor, settings, sync_tasks,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 2)
    job = StorageImport.objects.create(folder=folder, status=StorageImport.Status.RUNNING, started_by=editor)
    assert imports.sweep() == []  # its heartbeat is fresh: a live worker has it
    assert imports.run(str(job.pk)) == "nothing to do"  # nor does a second delivery take it over
    settings.STORAGE_IMPORT_STALE_SECONDS = 30
    StorageImport.objects.filter(pk=job.pk).update(updated_at=job.updated_at - timedelta(seconds=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert imports.sweep() == [str(job.pk)]
    job.refresh_from_db()
    assert (job.status, job.imported) == ("done", 2)


def test_files_card_picks_filters_new_and_imports_the_ticked(drive, fake, shoot, client, editor, sync_tasks,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 3)
    fakes.drive_put(fake.fake, "brief.pdf", b"%PDF-1.4", parent=folder.external_id)
    client.force_login(editor)
    url = f"/settings/storage/shoots/{shoot.pk}/folder/"
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert panel.count('name="file"') == 4 and panel.count("disabled") == 1  # the PDF cannot be picked
    ids = [f.id for f in services.list_files(folder)[0] if f.name.endswith(".jpg")]
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{url}import/", {"mode": "selected", "file": ids[:2]}, HTTP_HX_REQUEST="true")
    assert "Import queued" in started.content.decode()
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Import of the picked files finished: 2 new" in panel and panel.count(">Imported<") == 2
    only_new = client.get(f"{url}?show=new", HTTP_HX_REQUEST="true").content.decode()
    assert only_new.count('name="file"') == 1 and "shot-002.jpg" in only_new and "brief.pdf" not in only_new
    refused = client.post(f"{url}import/", {"mode": "selected"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Pick at least one file" in refused


def test_demo_photos_arrive_by_button_and_command_only_with_the_fakes(drive, fake, shoot, client, editor, settings):
    from django.core.management import CommandError, call_command

    folder = services.create_folder(shoot, actor=editor)
    client.force_login(editor)
    url = f"/settings/storage/shoots/{shoot.pk}/folder/"
    assert "Demo: put 12 photos" in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    panel = client.post(f"{url}demo-photos/", HTTP_HX_REQUEST="true").content.decode()
    assert panel.count('name="file"') == 12 and panel.count(">New<") == 12
    call_command("fake_storage_fill", shoot.title[:6], "--count", "5")
    assert len(services.list_files(folder, page_size=100)[0]) == 17
    with pytest.raises(CommandError, match="No shoot"):
        call_command("fake_storage_fill", "no such shoot")
    settings.FAKE_PLATFORMS_URL = ""
    assert "Demo: put" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert client.post(f"{url}demo-photos/").status_code == 404


def test_the_connect_buttons_may_post_on_to_the_providers_sign_in(fake, client, admin_user):
    """Browsers hold a form's redirects to the page's CSP form-action: the settings page names the
    providers' authorize origins, or Connect does nothing in a real browser."""
    client.force_login(admin_user)
    policy = client.get("/settings/storage/")["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action")).split()
    assert form_action[1:] == ["'self'", fake.url]


def test_a_long_download_keeps_the_job_alive(drive, fake, shoot, editor, monkeypatch):
    import tempfile

    from django.utils import timezone

    from integrations.storage.providers import client as storage_client

    folder = services.create_folder(shoot, actor=editor)
    big = fakes.drive_put(fake.fake, "big.mp4", b"\0" * (3 * 1024 * 1024 + 5), parent=folder.external_id)
    job = StorageImport.objects.create(folder=folder, status=StorageImport.Status.RUNNING)
    long_ago = timezone.now() - timedelta(minutes=10)
    StorageImport.objects.filter(pk=job.pk).update(updated_at=long_ago)
    monkeypatch.setattr(imports, "HEARTBEAT", timedelta(0))
    file = next(f for f in services.full_listing(folder)[0] if f.id == big["id"])
    with tempfile.TemporaryFile() as out:
        services.authorized(drive, lambda token: imports._download(storage_client("google_drive"), token, file, out,
                                                                   imports._heartbeat(job)))  # fmt: skip
        assert out.tell() == 3 * 1024 * 1024 + 5
    job.refresh_from_db()
    assert job.updated_at > long_ago + timedelta(minutes=9)  # beaten during the download: not stale


def test_a_file_another_run_imported_meanwhile_counts_as_skipped(
    drive, fake, shoot, editor, monkeypatch, sync_tasks, django_capture_on_commit_callbacks
):
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, 2)
    real = imports.media_upload

    def raced(**kwargs):  # a second worker records the same file just before this one does
        name = kwargs["files"][0].name
        file = next(f for f in services.full_listing(folder)[0] if f.name == name)
        ImportedFile.objects.create(provider="google_drive", external_id=file.id, checksum=file.checksum)
        return real(**kwargs)

    monkeypatch.setattr(imports, "media_upload", raced)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = imports.start(folder, actor=editor)
    job.refresh_from_db()
    assert (job.status, job.imported, job.skipped) == ("done", 0, 2)
    # Nothing of ours stays (here the "other worker's" row shared our rolled-back transaction too).
    assert MediaAsset.objects.filter(client=shoot.client).count() == 0
