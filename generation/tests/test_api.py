"""The generation API: exact shapes, permissions from every side (viewer reads, editor generates,
only approvers publish now), tasks list filters and its pinned query count, multi-platform posts
end to end against the fake platforms."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agency.models import Campaign
from generation.models import GenerationJob
from generation.services import images
from generation.services.images import ImageSpec
from publishing.models import Post
from publishing.tests.posting import accounts_for

BATCH_FIELDS = {"id", "status", "total_images", "successful", "failed", "total_generation_time", "results"}
RESULT_FIELDS = {"image_url", "platform", "tag", "aspect_ratio", "generation_time", "success", "error"}
MULTI_FIELDS = {"job_id", "status", "status_label", "platforms", "total_platforms", "successful", "failed",
                "images_generated",
                "total_time"}  # fmt: skip
PLATFORM_FIELDS = {"platform", "status", "status_label", "success", "post_id", "post_url", "image_url", "error"}


@pytest.fixture
def batch_body(brand_client):
    def make(**kw):
        return {
            "client_id": str(brand_client.pk), "base_prompt": "Spring yard makeover", "style": "professional",
            "provider": "auto",
            "images": [{"prompt": "crew at work", "platform": "facebook", "tag": "hero"},
                       {"prompt": "fresh mulch", "platform": "instagram", "aspect_ratio": "4:5"},
                       {"prompt": "before/after", "platform": "instagram_story"}],
            **kw,
        }  # fmt: skip

    return make


@pytest.mark.django_db(transaction=True)
def test_image_batch_create_then_read(api_as, editor, viewer, batch_body, sync_tasks, brand_client):
    campaign = Campaign.objects.create(client=brand_client, name="Spring")
    response = api_as(editor).post(
        "/api/v1/generation/image-batches", batch_body(campaign_id=str(campaign.pk)), format="json"
    )
    assert response.status_code == 201, response.content  # finished within GENERATION_WAIT_SECONDS
    assert set(response.json()) == BATCH_FIELDS
    job_id = response.json()["id"]
    body = api_as(viewer).get(f"/api/v1/generation/image-batches/{job_id}").json()
    assert body["status"] == "succeeded" and body["total_images"] == 3 and body["successful"] == 3
    assert body["failed"] == 0 and body["total_generation_time"] > 0
    for result in body["results"]:
        assert set(result) >= RESULT_FIELDS and result["success"] and result["error"] is None
        assert result["image_url"].startswith("http://testserver/library/files/")  # absolute
    assert [(r["platform"], r["aspect_ratio"], r["width"], r["height"]) for r in body["results"]] == [
        ("facebook", "16:9", 1200, 675), ("instagram", "4:5", 1080, 1350), ("instagram_story", "9:16", 1080, 1920)
    ]  # fmt: skip
    assert body["results"][0]["tag"] == "hero"


@pytest.mark.django_db
def test_viewers_read_but_cannot_generate(api_as, viewer, batch_body, brand_client):
    api = api_as(viewer)
    for url, body in [
        ("/api/v1/generation/image-batches", batch_body()),
        ("/api/v1/generate/image", {"client_id": str(brand_client.pk), "prompt": "x"}),
        ("/api/v1/generation/captions", {"client_id": str(brand_client.pk), "platforms": ["x"]}),
        ("/api/v1/social/multi-platform-posts", {"client_id": str(brand_client.pk), "content": "x",
                                                  "platforms": ["x"]}),
    ]:  # fmt: skip
        response = api.post(url, body, format="json")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied", url
    assert api.get("/api/v1/generation/tasks").status_code == 200
    assert not GenerationJob.objects.exists()


@pytest.mark.django_db
def test_bad_batches_answer_the_error_envelope(api_as, editor, batch_body):
    response = api_as(editor).post(
        "/api/v1/generation/image-batches",
        batch_body(images=[{"platform": "myspace"}, {"aspect_ratio": "tall"}]),
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "images" in error["details"]
    assert "width:height" in error["message"] or "myspace" in error["message"]


@pytest.mark.django_db
def test_generate_image_and_list_tasks_by_client_and_campaign(
    api_as, editor, viewer, brand_client, client_b, django_assert_max_num_queries
):
    campaign = Campaign.objects.create(client=brand_client, name="Spring")
    response = api_as(editor).post(
        "/api/v1/generate/image",
        {"client_id": str(brand_client.pk), "campaign_id": str(campaign.pk), "prompt": "A tidy front yard",
         "provider": "builtin", "model": ""},
        format="json",
    )  # fmt: skip
    assert response.status_code == 202
    job = response.json()
    assert job["kind"] == "image" and job["provider"] == "builtin" and job["campaign"]["id"] == str(campaign.pk)
    assert "Avoid: cheap" in job["items"][0]["prompt"]  # the brand guidelines shape every prompt
    for _ in range(30):
        images.image_batch_create(
            actor=editor, client=client_b, images=[ImageSpec(prompt="x", platform="x"), ImageSpec(platform="x")]
        )
    api = api_as(viewer)
    with django_assert_max_num_queries(8):
        page = api.get("/api/v1/generation/tasks", {"page_size": 50}).json()
    assert page["total"] == 31 and len(page["items"]) == 31 and page["has_more"] is False
    only = api.get("/api/v1/generation/tasks", {"client_id": str(brand_client.pk)}).json()
    assert [j["id"] for j in only["items"]] == [job["id"]]
    assert api.get("/api/v1/generation/tasks", {"campaign_id": str(campaign.pk)}).json()["total"] == 1
    assert api.get("/api/v1/generation/tasks", {"client_id": "nope"}).status_code == 400
    detail = api.get(f"/api/v1/generation/tasks/{job['id']}").json()
    assert detail["input"]["images"][0]["prompt"] == "A tidy front yard"


@pytest.mark.django_db
def test_caption_suggestions(api_as, editor, brand_client):
    response = api_as(editor).post(
        "/api/v1/generation/captions",
        {"client_id": str(brand_client.pk), "notes": "New patio in South Austin", "platforms": ["instagram", "x"],
         "cta": "Book a free quote"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["per_platform"]) == {"instagram", "x"} and "Book a free quote" in body["per_platform"]["x"]
    assert body["provider"] == "builtin" and body["job_id"]


@pytest.fixture
def connected(brand_client, owner, fake_platforms, live_server, settings):
    settings.MEDIA_PUBLIC_BASE_URL = live_server.url
    return accounts_for(brand_client, owner, platforms=("facebook", "instagram", "x"))


def multi_body(client, **kw):
    return {"client_id": str(client.pk), "content": "Spring clean-ups are back! Fresh mulch, sharp edges.",
            "cta": "Book yours today", "hashtags": ["SpringCleanup", "#Austin"],
            "platforms": ["facebook", "instagram", "instagram_story"], "base_image_prompt": "Spring yard",
            "platform_prompts": {"instagram": "close-up of mulch"}, "image_style": "playful", **kw}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_multi_platform_post_published_now_by_an_approver(api_as, owner, brand_client, connected, sync_tasks):
    response = api_as(owner).post(
        "/api/v1/social/multi-platform-posts", multi_body(brand_client, publish_immediately=True), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == MULTI_FIELDS and body["status"] == "published", body
    assert (body["total_platforms"], body["successful"], body["failed"], body["images_generated"]) == (3, 3, 0, 3)
    for row in body["platforms"]:
        assert set(row) == PLATFORM_FIELDS and row["success"] and row["post_url"] and row["image_url"]
    feed, story = Post.objects.get(placement="feed"), Post.objects.get(placement="story")
    assert feed.status == story.status == "published" and feed.source == "generation"
    assert sorted(t.account.platform for t in feed.targets.all()) == ["facebook", "instagram"]
    insta = feed.targets.get(account__platform="instagram")
    assert insta.assets()[0].width == 1080 and insta.assets()[0].height == 1080
    assert "#SpringCleanup" in insta.text and "Book yours today" in insta.text
    assert connected["facebook"].platform == "facebook"
    job = GenerationJob.objects.get(pk=body["job_id"])
    assert job.kind == "multi_platform_post" and job.post_id == feed.pk and job.items.count() == 3


@pytest.mark.django_db
def test_only_approvers_publish_now(api_as, editor, brand_client):
    response = api_as(editor).post(
        "/api/v1/social/multi-platform-posts", multi_body(brand_client, publish_immediately=True), format="json"
    )
    assert response.status_code == 403 and "approve" in response.json()["error"]["message"]
    assert not GenerationJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_editor_drafts_and_a_platform_without_account_is_partial(
    api_as, editor, brand_client, connected, sync_tasks
):
    body = multi_body(brand_client, platforms=["x", "linkedin"])
    response = api_as(editor).post("/api/v1/social/multi-platform-posts", body, format="json")
    assert response.status_code == 201
    out = response.json()
    assert out["status"] == "partial" and out["successful"] == 1 and out["failed"] == 1
    linkedin = next(r for r in out["platforms"] if r["platform"] == "linkedin")
    assert not linkedin["success"] and "no connected LinkedIn account" in linkedin["error"]
    post = Post.objects.get()
    assert post.status == "draft" and [t.account.platform for t in post.targets.all()] == ["x"]


@pytest.mark.django_db(transaction=True)
def test_an_editor_asking_for_a_time_sends_it_for_approval(api_as, editor, owner, brand_client, connected, sync_tasks):
    when = (timezone.now() + timezone.timedelta(days=2)).replace(microsecond=0)
    body = multi_body(brand_client, platforms=["facebook", "x"], schedule_time=when.isoformat())
    out = api_as(editor).post("/api/v1/social/multi-platform-posts", body, format="json").json()
    assert out["status"] == "pending_approval" and out["successful"] == 2
    post = Post.objects.get()
    assert post.status == "pending_approval" and post.scheduled_at == when
    out = api_as(owner).post("/api/v1/social/multi-platform-posts", body, format="json").json()
    assert out["status"] == "scheduled"
    assert api_as(owner).get(f"/api/v1/social/multi-platform-posts/{out['job_id']}").json() == out
