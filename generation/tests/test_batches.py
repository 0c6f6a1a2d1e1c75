"""Image batches: one task per image, one failed item never fails the others, images land in the
client's library linked to the campaign, regenerating one platform's image."""

from __future__ import annotations

import pytest
from PIL import Image

from agency.models import Campaign
from generation.models import GenerationJob
from generation.services import images
from generation.services.images import ImageSpec
from publishing.models import MediaAsset

pytestmark = pytest.mark.django_db


def specs():
    return [ImageSpec(prompt="Team at work", platform="facebook", tag="hero"),
            ImageSpec(prompt="Fresh mulch", platform="instagram"),
            ImageSpec(prompt="Before and after", platform="instagram_story")]  # fmt: skip


def test_every_image_is_its_own_task(monkeypatch, editor, brand_client, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("localbzz.queue.async_task", lambda task, *args, **kw: sent.append((task, args, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        job = images.image_batch_create(actor=editor, client=brand_client, images=specs(), base_prompt="Spring")
    assert [t for t, _, _ in sent] == ["generation.tasks.image_item_run"] * 3
    assert sorted(a[0] for _, a, _ in sent) == sorted(str(i.pk) for i in job.items.all())
    assert job.status == "queued" and job.total_items == 3


def test_a_batch_lands_in_the_library_at_preset_sizes(
    editor, brand_client, sync_tasks, django_capture_on_commit_callbacks
):
    campaign = Campaign.objects.create(client=brand_client, name="Spring lawns")
    with django_capture_on_commit_callbacks(execute=True):
        job = images.image_batch_create(
            actor=editor, client=brand_client, campaign=campaign, images=specs(), base_prompt="Spring", style="bold"
        )
    job.refresh_from_db()
    assert job.status == "succeeded" and job.succeeded_items == 3 and job.finished_at and job.provider == "builtin"
    sizes = {}
    for item in job.items.select_related("asset"):
        asset = item.asset
        assert asset.source == MediaAsset.Source.GENERATED and asset.campaign == campaign
        assert asset.client == brand_client and item.generation_time > 0
        assert "Spring" in item.prompt and item.prompt.endswith("Avoid: cheap, guaranteed.")
        with asset.file.open("rb") as handle, Image.open(handle) as im:
            sizes[item.platform] = im.size
        assert {"generated", item.platform} <= {t.name for t in asset.tags.all()}
    assert sizes == {"facebook": (1200, 675), "instagram": (1080, 1080), "instagram_story": (1080, 1920)}
    assert (
        "facebook" in job.items.get(platform="facebook").prompt.lower()
        or "landscape" in job.items.get(platform="facebook").prompt
    )


def test_one_failed_item_is_reported_and_the_others_kept(
    editor, brand_client, sync_tasks, fake_ai, django_capture_on_commit_callbacks
):
    fake_ai.fail("images", "bad_request", times=1, message="Your prompt was flagged by the safety system.")
    with django_capture_on_commit_callbacks(execute=True):
        job = images.image_batch_create(actor=editor, client=brand_client, images=specs(), provider="openai")
    job.refresh_from_db()
    assert job.status == "partial" and (job.succeeded_items, job.failed_items) == (2, 1)
    failed = job.items.get(status="failed")
    assert "safety system" in failed.error and failed.asset is None
    assert job.items.filter(status="succeeded", asset__isnull=False).count() == 2
    assert MediaAsset.objects.filter(client=brand_client, source="generated").count() == 2


def test_regenerating_one_platform_replaces_only_its_image(
    editor, brand_client, sync_tasks, fake_ai, django_capture_on_commit_callbacks
):
    fake_ai.fail("images", "bad_request", times=1)
    with django_capture_on_commit_callbacks(execute=True):
        job = images.image_batch_create(actor=editor, client=brand_client, images=specs(), provider="openai")
    failed = job.items.get(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        new = images.image_item_regenerate(actor=editor, item=failed)
    job.refresh_from_db()
    failed.refresh_from_db()
    new.refresh_from_db()
    assert failed.replaced and new.status == "succeeded" and new.platform == failed.platform
    assert job.status == "succeeded" and (job.total_items, job.succeeded_items) == (3, 3)


def test_a_task_delivered_twice_runs_once(editor, brand_client, django_capture_on_commit_callbacks):
    job = images.image_batch_create(actor=editor, client=brand_client, images=specs()[:1])
    item = job.items.get()
    assert images.image_item_run(item_id=str(item.pk)) == "succeeded"
    assert images.image_item_run(item_id=str(item.pk)) == "skipped"
    assert GenerationJob.objects.get(pk=job.pk).status == "succeeded"


def test_bad_input_is_refused_with_a_message(editor, brand_client):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="aspect ratio"):
        images.image_batch_create(actor=editor, client=brand_client, images=[ImageSpec(aspect_ratio="wide")])
    with pytest.raises(ValidationError, match="Style is one of"):
        images.image_batch_create(actor=editor, client=brand_client, images=specs(), style="grunge")
    assert not GenerationJob.objects.exists()
