"""The upload box's row after the file is up: "Processing…" (polling itself) while the worker makes
the sizes, then "Ready" or the reason it failed (polling stops) — staff library and client portal."""

from __future__ import annotations

import re

import pytest

from publishing.models import MediaAsset
from publishing.tests import media_files as mf

pytestmark = pytest.mark.django_db


def _stored(upload, django_capture_on_commit_callbacks, name="shop.jpg", **kwargs) -> tuple[MediaAsset, list]:
    """An uploaded asset still processing, and the worker's job (not run yet)."""
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        item = upload((name, mf.jpeg_bytes(mf.photo((900, 600), **kwargs)))).json()["items"][0]
    assert item["status"] == "processing"
    return MediaAsset.objects.get(pk=item["id"]), jobs


def _state(html: str) -> str:
    match = re.search(r'data-upload-state="(\w+)"', html)
    assert match, html
    return match.group(1)


def test_the_row_polls_while_processing_then_says_ready_and_stops(
    client, editor, upload, sync_tasks, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    asset, jobs = _stored(upload, django_capture_on_commit_callbacks)
    client.force_login(editor)
    url = f"/library/{asset.pk}/upload-status"
    with django_assert_max_num_queries(4):  # session, user, the asset's status: polled every 2 s
        html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert _state(html) == "processing" and "Processing…" in html
    assert f'hx-get="{url}"' in html and 'hx-trigger="live"' in html and 'hx-swap="outerHTML"' in html
    assert 'data-live="mediaasset:' in html and 'data-live-poll="2"' in html  # polls only without a live socket
    assert "<html" not in html, "a fragment"

    jobs[0]()  # the worker makes the sizes
    html = client.get(url).content.decode()
    assert _state(html) == "ready" and ">Ready<" in html
    assert "hx-trigger" not in html and "hx-get" not in html, "final: the polling stops"
    again = client.get(f"{url}?existing=1").content.decode()
    assert "Already in the library" in again


def test_a_failed_asset_shows_the_reason_and_where_to_retry(
    client, editor, upload, settings, sync_tasks, django_capture_on_commit_callbacks
):
    asset, jobs = _stored(upload, django_capture_on_commit_callbacks)
    settings.MEDIA_WORK_MEMORY_MB = 60  # the work child cannot decode within this: the asset fails
    jobs[0]()
    asset.refresh_from_db()
    assert asset.status == "failed"
    client.force_login(editor)
    html = client.get(f"/library/{asset.pk}/upload-status").content.decode()
    assert _state(html) == "failed" and 'role="alert"' in html and "hx-trigger" not in html
    assert "(60 MB)" in html and "Use Retry to try again." in html
    assert f'<a href="/library/{asset.pk}/">Open it</a>' in html


def test_a_deleted_asset_ends_the_polling_and_strangers_see_nothing(client, editor, viewer, upload, client_a):
    item = upload(("gone.jpg", mf.jpeg_bytes(mf.photo((300, 200))))).json()["items"][0]
    MediaAsset.objects.filter(pk=item["id"]).delete()
    client.force_login(viewer)  # viewers may watch
    html = client.get(f"/library/{item['id']}/upload-status").content.decode()
    assert _state(html) == "gone" and "hx-trigger" not in html
    client.logout()
    assert client.get(f"/library/{item['id']}/upload-status").status_code == 302, "staff only"


def test_the_upload_boxes_know_where_to_ask(client, editor, client_a):
    client.force_login(editor)
    html = client.get(f"/library/?client={client_a.pk}").content.decode()
    assert 'data-status-url="/library/00000000-0000-0000-0000-000000000000/upload-status"' in html
