"""A target may carry its own media (a generated image sized for its platform): scheduling checks
it, the engine sends it instead of the post's, previews show it, and it blocks deletion."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from agency.models import Client
from publishing.services.media.edit import media_blocking_uses
from publishing.services.media.upload import media_upload
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for, approved_post, run_due, schedule_due

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_target_sends_its_own_image(
    fake_platforms, live_server, settings, make_staff, sync_tasks, django_capture_on_commit_callbacks, client
):
    settings.MEDIA_PUBLIC_BASE_URL = live_server.url
    owner = make_staff("owner")
    shop = Client.objects.create(name="Own Media Bakery", slug="own-media-bakery")
    accounts = accounts_for(shop, owner, platforms=("instagram", "x"))
    with django_capture_on_commit_callbacks(execute=True):
        square, wide = (
            media_upload(client=shop, files=[ContentFile(jpeg_bytes(photo(size, seed=i)), name=name)])[0].asset
            for i, (size, name) in enumerate([((1080, 1080), "square.jpg"), ((1600, 900), "wide.jpg")])
        )
    post = approved_post(
        owner, shop, accounts.values(), caption="One post, two images",
        target_media={"instagram": [square], str(accounts["x"].pk): [wide]},
    )  # fmt: skip
    assert [t.assets() for t in post.targets.order_by("account__platform")] == [[square], [wide]]
    assert media_blocking_uses(square) and media_blocking_uses(wide)
    schedule_due(owner, post)
    assert sorted(run_due()) == ["published", "published"]
    insta = fake_platforms.ledger(platform="instagram")[0]
    tweet = fake_platforms.ledger(platform="x")[0]
    assert len(insta["media_urls"]) == 1 and "square" in insta["media_urls"][0]
    assert len(tweet["media_urls"]) <= 1  # X uploads bytes: no URL; the upload carried the wide image
    client.force_login(owner)
    page = client.get(f"/content/{post.pk}/").content.decode()
    assert page.count("<img") >= 2
