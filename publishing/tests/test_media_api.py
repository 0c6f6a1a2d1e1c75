"""The media API beyond uploads: list envelope and filters, edits, deletes, permissions."""

from __future__ import annotations

import pytest

from agency.models import ActivityEvent
from publishing.models import MediaAsset, MediaRendition, MediaTag
from publishing.services.media import edit as edit_services
from publishing.tests import media_files as mf

pytestmark = pytest.mark.django_db


def bulk_assets(client, n: int, **extra) -> list[MediaAsset]:
    """Rows without files (URLs are only signed, never checked): for lists and query counts."""
    assets = MediaAsset.objects.bulk_create(
        MediaAsset(client=client, file=f"media/{client.pk}/{i}.jpg", original_name=f"photo-{i:03d}.jpg",
                   content_type="image/jpeg", kind="image", width=100 + i, height=100, bytes=1000 + i,
                   sha256=f"{client.pk.hex}{i:032d}"[:64], status="ready", **extra)
        for i in range(n)
    )  # fmt: skip
    tag = MediaTag.objects.create(client=client, name="summer")
    for asset in assets:
        asset.tags.add(tag)
    MediaRendition.objects.bulk_create(
        MediaRendition(asset=a, preset=p, file=f"media/{p}-{a.pk}.jpg", width=10, height=10, bytes=10)
        for a in assets
        for p in ("thumbnail", "instagram_square")
    )
    return assets


def test_the_list_is_an_envelope_with_urls_and_a_fixed_number_of_queries(
    api_as, viewer, client_a, django_assert_max_num_queries
):
    bulk_assets(client_a, 300)
    api = api_as(viewer)
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/media?client_id={client_a.pk}&page_size=200")
    body = response.json()
    assert response.status_code == 200
    assert (body["total"], body["page_size"], body["has_more"], len(body["items"])) == (300, 200, True, 200)
    item = body["items"][0]
    assert item["thumbnail_url"].startswith("/library/files/media/thumbnail-")
    assert [r["preset"] for r in item["renditions"]] == ["instagram_square", "thumbnail"]
    assert item["renditions"][0]["platforms"] == ["instagram", "facebook"]
    assert item["tags"] == ["summer"] and item["url"].startswith("/library/files/")


def test_filters_search_and_sort(api_as, viewer, client_a, client_b, campaign_a):
    bulk_assets(client_a, 5)
    bulk_assets(client_b, 2)
    a_video = MediaAsset.objects.filter(client=client_a).first()
    MediaAsset.objects.filter(pk=a_video.pk).update(kind="video", source="generated", campaign=campaign_a)
    api = api_as(viewer)

    def names(query: str) -> list[str]:
        response = api.get(f"/api/v1/media?{query}")
        assert response.status_code == 200, response.json()
        return [i["name"] for i in response.json()["items"]]

    assert len(names(f"client_id={client_a.pk}")) == 5
    assert len(names("")) == 7
    assert names(f"client_id={client_a.pk}&kind=video") == [a_video.original_name]
    assert names(f"source=generated&campaign_id={campaign_a.pk}") == [a_video.original_name]
    assert len(names("tag=SUMMER")) == 7 and names("tag=winter") == []
    assert names(f"client_id={client_a.pk}&search=photo-003") == ["photo-003.jpg"]
    assert names(f"client_id={client_a.pk}&sort_by=width&sort_order=desc")[0] == "photo-004.jpg"
    bad = api.get("/api/v1/media?kind=pdf")
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["message"]
    assert api.get("/api/v1/media?client_id=00000000-0000-0000-0000-000000000000").status_code == 400


def test_tags_folder_and_campaign_on_upload_and_on_edit(upload, api_as, editor, client_a, client_b, campaign_a):
    item = upload(("a.jpg", mf.jpeg_bytes()), tags=["Team", "team ", "Shop front"], folder=" June  shoot ",
                  campaign_id=str(campaign_a.pk)).json()["items"][0]  # fmt: skip
    assert (item["tags"], item["folder"], item["campaign_id"]) == (
        ["shop front", "team"],
        "June shoot",
        str(campaign_a.pk),
    )
    api = api_as(editor)
    response = api.patch(f"/api/v1/media/{item['id']}", {"tags": ["menu"], "folder": None, "campaign_id": None},
                         format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert (response.json()["tags"], response.json()["folder"], response.json()["campaign_id"]) == (
        ["menu"],
        None,
        None,
    )
    event = ActivityEvent.objects.filter(verb="media_asset.updated").get()
    assert event.changes["tags"] == [["shop front", "team"], ["menu"]] and event.actor == editor
    other_campaign = client_b.campaigns.create(name="Not theirs")
    refused = api.patch(f"/api/v1/media/{item['id']}", {"campaign_id": str(other_campaign.pk)}, format="json")
    assert refused.status_code == 400 and "campaign_id" in refused.json()["error"]["message"]
    bad_point = api.patch(f"/api/v1/media/{item['id']}", {"focal_point": {"x": 1.5, "y": 0}}, format="json")
    assert bad_point.status_code == 400


def test_delete_removes_the_row_and_every_file(
    upload, api_as, editor, stored_files, sync_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = upload(("a.jpg", mf.jpeg_bytes())).json()["items"][0]
    assert len(stored_files()) == 8
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(editor).delete(f"/api/v1/media/{item['id']}")
    assert response.status_code == 204
    assert stored_files() == [] and not MediaAsset.objects.exists() and not MediaRendition.objects.exists()
    assert ActivityEvent.objects.filter(verb="media_asset.deleted", target_id=item["id"]).exists()
    assert api_as(editor).get(f"/api/v1/media/{item['id']}").status_code == 404


def test_delete_is_refused_while_a_scheduled_post_uses_the_asset(upload, api_as, editor, stored_files, monkeypatch):
    item = upload(("a.jpg", mf.jpeg_bytes())).json()["items"][0]
    use = "the post “Spring sale” scheduled for 3 Jun 2027 09:00 (Instagram)"
    monkeypatch.setattr(edit_services, "media_blocking_uses", lambda asset: [use])
    response = api_as(editor).delete(f"/api/v1/media/{item['id']}")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["details"]["uses"] == [use]
    assert (
        error["message"] == f"a.jpg is used by {use}. Remove it from that post (or cancel them) first, then delete it."
    )
    assert MediaAsset.objects.count() == 1 and len(stored_files()) == 1


def test_nothing_uses_an_asset_before_posts_exist(upload):
    item = upload(("a.jpg", mf.jpeg_bytes())).json()["items"][0]
    assert edit_services.media_blocking_uses(MediaAsset.objects.get(pk=item["id"])) == []


def test_reads_need_view_and_writes_need_edit_content(api, api_as, viewer, outsider, client_a, upload):
    assert api.get("/api/v1/media").status_code == 401
    assert api_as(outsider).get("/api/v1/media").status_code == 403
    assert api_as(viewer).get("/api/v1/media").status_code == 200
    response = upload(("a.jpg", mf.jpeg_bytes()), user=viewer)
    assert response.status_code == 403 and "viewer" in response.json()["error"]["message"]
    assert not MediaAsset.objects.exists()


def test_routes_answer_with_and_without_a_trailing_slash(api_as, viewer):
    assert api_as(viewer).get("/api/v1/media/").status_code == 200


@pytest.fixture
def varied_assets(owner, client_a, campaign_a) -> list[MediaAsset]:
    """A bare asset (no sizes, no tags, odd text) and one with everything set, sizes of every kind."""
    from datetime import UTC, datetime

    from publishing.models import MediaFolder

    bare, full = bulk_assets(client_a, 2)
    MediaAsset.objects.filter(pk=bare.pk).update(width=None, height=None, processing_error="Bad & <odd> 'x'")
    bare.tags.clear()
    folder = MediaFolder.objects.create(client=client_a, name="Spring & <Summer>")
    MediaAsset.objects.filter(pk=full.pk).update(
        kind="video", duration=12.5, focal_x=0.25, focal_y=0.75, folder=folder, campaign=campaign_a,
        uploaded_by=owner, source="generated", created_at=datetime(1880, 5, 1, 12, 0, tzinfo=UTC),
    )  # fmt: skip
    full.tags.add(MediaTag.objects.create(client=client_a, name="autumn"))
    for preset in ("poster", "retired"):  # a video's poster; a preset no longer in PRESETS
        MediaRendition.objects.create(asset=full, preset=preset, file=f"media/{preset}-{full.pk}.jpg", width=1,
                                      height=1, bytes=1)  # fmt: skip
    return [bare, full]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_asset_out_writes_what_the_declared_serializer_wrote(varied_assets, client_a, zone):
    """``asset_out`` (the list and every asset answer) against DRF's own output of MediaAssetOut
    (and UploadedAssetOut): the same keys, order and bytes, in zones with odd offsets too."""
    from django.utils import timezone
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer

    from publishing import selectors
    from publishing.api.media import MediaAssetOut, UploadedAssetOut

    render = JSONRenderer().render
    with timezone.override(zone):
        for asset in selectors.media_assets(client=client_a):
            lean, drf = MediaAssetOut().to_representation(asset), MediaAssetOut().drf_representation(asset)
            assert list(lean) == list(drf) and render(lean) == render(drf)
            asset.existing = True
            drf_uploaded = serializers.ModelSerializer.to_representation(UploadedAssetOut(), asset)
            assert render(UploadedAssetOut().to_representation(asset)) == render(drf_uploaded)


def test_the_list_endpoint_answers_the_same_bytes(api_as, viewer, varied_assets, client_a, settings):
    from django.utils import timezone
    from rest_framework.renderers import JSONRenderer

    from publishing import selectors
    from publishing.api.media import MediaAssetOut

    response = api_as(viewer).get(f"/api/v1/media?client_id={client_a.pk}")
    assert response.status_code == 200
    with timezone.override(settings.AGENCY_TIME_ZONE):  # what the request ran in (AgencyTimezoneMiddleware)
        loaded = selectors.media_assets(client=client_a).order_by("-created_at", "-id")
        expected = [MediaAssetOut().drf_representation(a) for a in loaded]
    assert len(expected) == 2
    assert response.content == JSONRenderer().render({**response.json(), "items": expected})
