"""Real processes killed with SIGKILL mid-way leave nothing behind once the media sweep has run:
a django-q2 cluster killed mid-rendition (the asset is retried and becomes ready), and gunicorn
killed mid-upload — during a big streamed upload, and after some files of a batch were stored.

After each: no temporary file, no stored file without its row, no row without its file, no asset
stuck in "processing"."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from PIL import Image

from publishing.models import MediaAsset, MediaRendition
from publishing.services.media.upload import media_upload
from publishing.services.media_sweep import media_sweep
from publishing.tests import media_files as mf
from publishing.tests.test_guarantees import _database_url, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.real_clock, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
WEB_PORTS = range(9480, 9500)  # inside this worktree's port range (brief: 9N00–9N99)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("The kill tests run real processes on PostgreSQL.")


def _env(**extra) -> dict:
    env = {
        **os.environ, "DATABASE_URL": _database_url(), "DEBUG": "1", "SECRET_KEY": settings.SECRET_KEY,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT), "MEDIA_UPLOAD_TEMP_DIR": str(settings.MEDIA_UPLOAD_TEMP_DIR),
        "LOG_LEVEL": "WARNING", "Q_WORKERS": "1", **extra,
    }  # fmt: skip
    env.pop("REDIS_URL", None)  # the ORM broker: the jobs are rows of the test database
    return env


def _start(args: list[str], **extra) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=_env(**extra), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _leftovers() -> dict:
    """What must be empty once the sweep has run."""
    root = Path(settings.MEDIA_ROOT)
    stored = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    rows = set(MediaAsset.objects.values_list("file", flat=True)) | set(
        MediaRendition.objects.values_list("file", flat=True)
    )
    return {
        "temp files": sorted(os.listdir(settings.MEDIA_UPLOAD_TEMP_DIR)),
        "files without a row": sorted(stored - rows),
        "rows without a file": sorted(rows - stored),
        "stuck processing": list(
            MediaAsset.objects.filter(status="processing").values_list("original_name", flat=True)
        ),
    }


def _sweep_everything(settings) -> dict:
    settings.MEDIA_LEFTOVER_SECONDS = 0  # no upload or job is running now: everything old is a leftover
    settings.MEDIA_PROCESSING_STALE_SECONDS = 0
    return media_sweep()


def test_a_worker_killed_mid_rendition_leaves_nothing_and_the_asset_is_retried(client_a, settings):
    big = io.BytesIO()
    Image.new("RGB", (9990, 9990), (30, 90, 160)).save(big, "PNG")  # ~10 s of work in the child
    asset = media_upload(client=client_a, files=[ContentFile(big.getvalue(), name="flat.png")])[0].asset
    worker = _start([sys.executable, "manage.py", "qcluster"])
    try:
        started = wait_until(
            lambda: (
                MediaAsset.objects.filter(pk=asset.pk, processing_started_at__isnull=False).exists()
                and any(n.startswith("localbzz-work-") for n in os.listdir(settings.MEDIA_UPLOAD_TEMP_DIR))
            ),
            timeout=60,
            every=0.1,
        )
        assert started, "the worker never started on the asset"  # killed at once: the child's decode takes
        # seconds even on a quiet machine (a second's wait let it finish there)
    finally:
        _kill(worker)
    asset.refresh_from_db()
    assert asset.status == "processing" and asset.renditions.count() == 0
    assert any(n.startswith("localbzz-work-") for n in os.listdir(settings.MEDIA_UPLOAD_TEMP_DIR))

    report = _sweep_everything(settings)
    assert report["retried"] == [str(asset.pk)] and report["temp_files"]
    worker = _start([sys.executable, "manage.py", "qcluster"])
    try:
        assert wait_until(lambda: MediaAsset.objects.get(pk=asset.pk).status != "processing", timeout=120)
    finally:
        _kill(worker)
    asset.refresh_from_db()
    assert asset.status == "ready", asset.processing_error
    assert asset.renditions.count() == 7 and asset.processing_attempts == 2
    _sweep_everything(settings)
    assert _leftovers() == {"temp files": [], "files without a row": [], "rows without a file": [],
                            "stuck processing": []}  # fmt: skip


@pytest.fixture
def web(editor):
    """gunicorn (one sync worker) on the test database, and a staff bearer token for it."""
    from rest_framework_simplejwt.tokens import AccessToken

    for port in WEB_PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                break
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = _start([gunicorn, "localbzz.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "120"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if conn.recv(100).startswith(b"HTTP/1."):
                    break
        except OSError:
            time.sleep(0.2)
    else:
        _kill(proc)
        pytest.fail("gunicorn did not start")
    yield proc, port, str(AccessToken.for_user(editor))
    _kill(proc)


def _multipart_head(boundary: str, client_id, files: list[tuple[str, int]]) -> tuple[bytes, int]:
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="client_id"\r\n\r\n{client_id}\r\n'.encode()
    parts_size = sum(
        len(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{n}"\r\n\r\n'.encode())
        + size + 2 for n, size in files
    )  # fmt: skip
    return head, len(head) + parts_size + len(f"--{boundary}--\r\n")


def _open_upload(port: int, token: str, client_id, files: list[tuple[str, bytes]]):
    boundary = uuid.uuid4().hex
    head, length = _multipart_head(boundary, client_id, [(n, len(d)) for n, d in files])
    conn = socket.create_connection(("127.0.0.1", port), timeout=30)
    conn.sendall(
        f"POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n".encode()
        + head
    )
    return conn, boundary


def test_gunicorn_killed_mid_upload_leaves_a_temp_file_the_sweep_removes(web, client_a, settings):
    proc, port, token = web
    megabytes = 64
    name = "long-shoot.mp4"
    boundary = uuid.uuid4().hex
    head, _ = _multipart_head(boundary, client_a.pk, [(name, megabytes * 1024 * 1024)])
    conn = socket.create_connection(("127.0.0.1", port), timeout=30)
    part = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'.encode()
    total = len(head) + len(part) + megabytes * 1024 * 1024 + 2 + len(f"--{boundary}--\r\n")
    conn.sendall(
        f"POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n".encode()
        + head
        + part
        + mf.minimal_mp4()[:64]
    )
    chunk = os.urandom(1024 * 1024)
    for _ in range(megabytes // 2):  # half the file, then the web process dies
        conn.sendall(chunk)
    assert wait_until(lambda: any(".upload" in n for n in os.listdir(settings.MEDIA_UPLOAD_TEMP_DIR)), timeout=30)
    _kill(proc)
    conn.close()
    left = os.listdir(settings.MEDIA_UPLOAD_TEMP_DIR)
    assert any(n.endswith(".upload.mp4") for n in left), left  # in our folder (not /tmp), for the sweep
    report = _sweep_everything(settings)
    assert report["temp_files"] == left
    assert MediaAsset.objects.count() == 0
    assert _leftovers() == {"temp files": [], "files without a row": [], "rows without a file": [],
                            "stuck processing": []}  # fmt: skip


def test_gunicorn_killed_between_stored_files_and_their_rows_leaves_orphans_the_sweep_removes(web, client_a, settings):
    proc, port, token = web
    photos = [
        (f"shoot-{i}.jpg", mf.jpeg_bytes(Image.effect_noise((2600, 2600), 90 + i).convert("RGB"), gps=True))
        for i in range(6)
    ]
    conn, boundary = _open_upload(port, token, client_a.pk, photos)
    for name, data in photos:
        conn.sendall(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'.encode()
        )
        conn.sendall(data + b"\r\n")
    conn.sendall(f"--{boundary}--\r\n".encode())
    media = Path(settings.MEDIA_ROOT) / "media"
    stored = lambda: list(media.rglob("*.jpg")) if media.exists() else []  # noqa: E731
    assert wait_until(lambda: len(stored()) >= 2, timeout=60, every=0.005), "nothing was stored"
    _kill(proc)
    conn.close()
    killed_with = len(stored())
    rows = MediaAsset.objects.count()
    assert killed_with >= 2 and rows in (0, 6)  # all or nothing: the rows commit together, or not at all
    _sweep_everything(settings)
    assert _leftovers()["files without a row"] == [] and _leftovers()["rows without a file"] == []
    assert _leftovers()["temp files"] == []
    print(f"killed with {killed_with} of 6 files stored, {rows} rows committed")
