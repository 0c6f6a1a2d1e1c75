"""Instagram through the engine with real media: the fake fetches our signed media URL from the
live server, builds a container, publishes; a container in ERROR fails with its reason."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from agency.models import Client
from publishing.services.media.upload import media_upload
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for, approved_post, run_due, schedule_due

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(fake_platforms, live_server, settings, make_staff, sync_tasks, django_capture_on_commit_callbacks):
    settings.MEDIA_PUBLIC_BASE_URL = live_server.url
    owner = make_staff("owner")
    client = Client.objects.create(name="Insta Bakery", slug="insta-bakery")
    account = accounts_for(client, owner, platforms=("instagram",))["instagram"]
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_upload(client=client, files=[ContentFile(jpeg_bytes(photo((1080, 1350))), name="tart.jpg")],
                             uploaded_by=owner)[0].asset  # fmt: skip
    return {"owner": owner, "client": client, "account": account, "asset": asset, "fake": fake_platforms}


def test_a_photo_goes_out_through_a_container(world):
    post = schedule_due(
        world["owner"],
        approved_post(
            world["owner"], world["client"], [world["account"]], caption="Seasonal tart", media=[world["asset"]]
        ),
    )
    assert run_due() == ["published"]
    target = post.targets.get()
    assert target.status == "published" and target.checkpoint.get("container_id")
    entries = world["fake"].ledger(target_id=str(target.pk))
    assert len(entries) == 1 and "/library/files/" in entries[0]["media_urls"][0]  # our signed media URL


def test_a_container_in_error_fails_with_its_reason(world):
    world["fake"].fail("instagram", "container_error", subcode=2207009)  # the aspect ratio is not supported
    post = schedule_due(
        world["owner"],
        approved_post(
            world["owner"], world["client"], [world["account"]], caption="Seasonal tart", media=[world["asset"]]
        ),
    )
    run_due()
    target = post.targets.get()
    assert target.status == "failed" and target.error_kind == "rejected"
    assert "tart.jpg" in target.last_error and "4:5" in target.last_error
    assert world["fake"].ledger(target_id=str(target.pk)) == []
