"""S3 storage for real: moto's S3 server on loopback, django-storages, signed URLs over HTTP."""

from __future__ import annotations

import io
import socket

import boto3
import pytest
import requests
from PIL import Image

from publishing.models import MediaAsset
from publishing.tests import media_files as mf

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # starts an S3 server: runs in `make test`, not test-fast
BUCKET = "localbzz-media-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(settings):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._port}"
    options = {"endpoint_url": endpoint, "region_name": "us-east-1", "access_key": "testing", "secret_key": "testing"}
    bucket = boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing").Bucket(BUCKET)  # fmt: skip
    bucket.create()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **options,
                "bucket_name": BUCKET,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 600,
                "signature_version": "s3v4",
                "file_overwrite": False,
            },  # fmt: skip
        },
    }
    yield bucket
    server.stop()


def test_upload_renditions_signed_urls_and_delete_on_s3(s3, upload, api_as, editor, sync_tasks,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    source = mf.jpeg_bytes(mf.photo((1600, 1200)), gps=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(("storefront.jpg", source))
    assert response.status_code == 201, response.json()
    item = api_as(editor).get(f"/api/v1/media/{response.json()['items'][0]['id']}").json()
    assert item["status"] == "ready" and len(item["renditions"]) == 7

    keys = sorted(o.key for o in s3.objects.all())
    asset = MediaAsset.objects.get(pk=item["id"])
    assert asset.file.name in keys and len(keys) == 8
    assert all(r.file.name in keys for r in asset.renditions.all())

    # The object is private: a plain URL is refused, the signed one downloads the bytes.
    assert "X-Amz-Signature=" in item["url"] and item["url"].startswith("http://127.0.0.1:")
    assert requests.get(item["url"].split("?")[0], timeout=10).status_code == 403
    original = requests.get(item["url"], timeout=10)
    assert original.status_code == 200 and original.content == s3.Object(asset.file.name).get()["Body"].read()
    assert mf.GPS_IFD not in Image.open(io.BytesIO(original.content)).getexif()
    thumb = requests.get(item["thumbnail_url"], timeout=10)
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.content)).format == "JPEG"

    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(editor).delete(f"/api/v1/media/{item['id']}").status_code == 204
    assert list(s3.objects.all()) == []


def test_on_s3_the_worker_cleans_an_incoming_png_and_the_sweep_removes_orphans(
    s3, upload, api_as, editor, settings, sync_tasks, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from publishing.services.media_sweep import media_sweep

    exif = Image.Exif()
    exif.get_ifd(mf.GPS_IFD)[1] = "N"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(("map.png", mf.image_bytes("PNG", mf.photo((640, 480)), exif=exif.tobytes())))
    item = api_as(editor).get(f"/api/v1/media/{response.json()['items'][0]['id']}").json()
    assert item["status"] == "ready", item["processing_error"]
    keys = sorted(o.key for o in s3.objects.all())
    assert not any(k.startswith("incoming/") for k in keys) and len(keys) == 8
    original = requests.get(item["url"], timeout=10).content
    assert not Image.open(io.BytesIO(original)).getexif().get_ifd(mf.GPS_IFD)

    orphan = default_storage.save("media/crashed/before-its-row.jpg", ContentFile(b"half a photo"))
    settings.MEDIA_LEFTOVER_SECONDS = 0  # S3 keeps its own times: count everything as old
    report = media_sweep()
    assert report["orphan_files"] == [orphan]
    assert sorted(o.key for o in s3.objects.all()) == keys
