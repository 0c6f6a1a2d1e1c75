# ruff: noqa: F811 - the storage fixtures are imported from test_storage and taken as arguments
"""A real django-q2 cluster killed (SIGKILL to its process group) in the middle of importing 50
photos from the fake Drive: once the sweep re-queues the job and a new cluster runs it, the client's
library holds each photo exactly once, every asset has its ImportedFile, and a second import adds
nothing."""

from __future__ import annotations

import sys
import time

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from integrations.storage import imports, services
from integrations.storage.models import ImportedFile, StorageImport
from integrations.tests.test_storage import _seed_pictures, drive, fake, shoot  # noqa: F401 - fixtures
from publishing.models import MediaAsset
from publishing.tests.conftest import _fake_platform_server, fake_platforms  # noqa: F401 - fixtures
from publishing.tests.test_guarantees import wait_until
from publishing.tests.test_media_kill import _kill, _start

pytestmark = [pytest.mark.slow, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
FILES = 50


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("The kill tests run real processes on PostgreSQL.")


def _cluster(fake_url: str):
    return _start([sys.executable, "manage.py", "qcluster"], FAKE_PLATFORMS_URL=fake_url, Q_WORKERS="2")


def _job_done(job: StorageImport) -> bool:
    return StorageImport.objects.get(pk=job.pk).status in ("done", "failed")


def test_a_cluster_killed_mid_import_leaves_each_photo_once(drive, fake, shoot, editor, settings):
    folder = services.create_folder(shoot, actor=editor)
    _seed_pictures(fake, folder, FILES)
    fake.fake.config["storage.download_seconds"] = 0.25  # ~13 s of downloads: time to kill it midway
    job, queued = imports.start(folder, actor=editor)  # autocommit: queued at once
    assert queued
    cluster = _cluster(fake.url)
    try:
        assert wait_until(lambda: ImportedFile.objects.count() >= 12, timeout=90, every=0.1), "the import never ran"
    finally:
        _kill(cluster)
    before = ImportedFile.objects.count()
    job.refresh_from_db()
    assert job.status == "running" and 12 <= before < FILES
    # No half-written photo: every asset committed came with its ImportedFile, and nothing else.
    assert MediaAsset.objects.filter(client=shoot.client).count() == before
    time.sleep(1.0)
    assert ImportedFile.objects.count() == before  # the cluster is really gone

    # The heartbeat goes stale (a setting: seconds here, five minutes in production) and the sweep
    # that runs every minute re-queues the job; a new cluster resumes it.
    settings.STORAGE_IMPORT_STALE_SECONDS = 1
    assert imports.sweep() == [str(job.pk)]
    cluster = _cluster(fake.url)
    try:
        assert wait_until(lambda: _job_done(job), timeout=120), "the re-queued import never finished"
        job.refresh_from_db()
        assert (job.status, job.total, job.imported + job.skipped, job.failed) == ("done", FILES, FILES, 0)
        assert job.skipped >= before  # what the killed worker had imported was not fetched again
        assert ImportedFile.objects.count() == FILES
        assets = MediaAsset.objects.filter(client=shoot.client)
        assert assets.count() == FILES
        assert len(set(ImportedFile.objects.values_list("external_id", flat=True))) == FILES
        assert set(ImportedFile.objects.values_list("asset_id", flat=True)) == set(assets.values_list("pk", flat=True))
        assert sorted(assets.values_list("original_name", flat=True)) == [f"shot-{n:03d}.jpg" for n in range(FILES)]
        assert all(default_storage.exists(a.file.name) for a in assets)

        # A second import adds nothing and downloads nothing.
        downloads = fake.calls("download")
        settings.STORAGE_IMPORT_STALE_SECONDS = 300
        second, queued = imports.start(folder, actor=editor)
        assert queued and second.pk != job.pk
        assert wait_until(lambda: _job_done(second), timeout=60)
        second.refresh_from_db()
        assert (second.status, second.imported, second.skipped) == ("done", 0, FILES)
        assert MediaAsset.objects.filter(client=shoot.client).count() == FILES
        assert fake.calls("download") == downloads
    finally:
        _kill(cluster)
