"""Seed 004 (multi-platform workflow) as written: its example requests at its paths, answering its
fields — the batch waits for its images, image URLs are absolute, its styles and providers are
accepted or mapped, and its bodies without a client use the agency's default client."""

from __future__ import annotations

import pytest

from generation.models import GenerationJob
from publishing.tests.posting import accounts_for

BATCH = {  # seed 004, "Example Request"
    "base_prompt": "Digital marketing success",
    "style": "professional",
    "images": [
        {"prompt": "team collaboration", "platform": "facebook"},
        {"prompt": "growth metrics", "platform": "instagram"},
        {"prompt": "mobile strategy", "platform": "instagram_story"},
    ],
}
MULTI = {  # seed 004, "cURL Test"
    "content": "Lancio nuovo servizio! 🚀",
    "cta": "Scopri di più →",
    "hashtags": ["marketing", "AI", "innovation"],
    "platforms": ["facebook", "instagram"],
    "base_image_prompt": "Modern tech startup success",
    "publish_immediately": True,
    "image_style": "professional",
}


@pytest.fixture
def default_client(brand_client, settings):
    settings.GENERATION_API_DEFAULT_CLIENT = brand_client.slug
    return brand_client


@pytest.mark.django_db(transaction=True)
def test_batch_generate_answers_the_finished_batch(api_as, editor, default_client, sync_tasks):
    response = api_as(editor).post("/api/v1/marketing/image/batch-generate", BATCH, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"total_images", "successful", "failed", "total_generation_time", "results"} <= set(body)
    assert (body["total_images"], body["successful"], body["failed"]) == (3, 3, 0)
    assert body["total_generation_time"] > 0
    for result in body["results"]:
        assert {"image_url", "platform", "tag", "aspect_ratio", "generation_time", "success", "error"} <= set(result)
        assert result["success"] and result["image_url"].startswith("http://testserver/library/files/")
    assert [r["aspect_ratio"] for r in body["results"]] == ["16:9", "1:1", "9:16"]
    assert GenerationJob.objects.get().client == default_client


@pytest.mark.django_db(transaction=True)
def test_batch_generate_answers_202_past_the_wait(api_as, editor, default_client, settings):
    settings.GENERATION_WAIT_SECONDS = 0  # the images are still being made (no worker here)
    response = api_as(editor).post("/api/v1/marketing/image/batch-generate", BATCH, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued" and response.json()["total_images"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("style", "provider"), [("creative", "google"), ("professional", "pollinations"),
                                                 ("minimal", "auto")])  # fmt: skip
def test_seed_styles_and_providers_are_accepted(api_as, editor, default_client, settings, style, provider):
    settings.GENERATION_WAIT_SECONDS = 0
    body = {**BATCH, "style": style, "provider": provider}
    assert api_as(editor).post("/api/v1/marketing/image/batch-generate", body, format="json").status_code == 202
    job = GenerationJob.objects.get()
    assert job.input["style"] in {"playful", "professional", "minimal"}


@pytest.mark.django_db
def test_unknown_styles_and_providers_are_explained(api_as, editor, default_client):
    response = api_as(editor).post(
        "/api/v1/marketing/image/batch-generate", {**BATCH, "style": "baroque", "provider": "midjourney"}, format="json"
    )
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert "use one of professional, bold, minimal, playful" in details["style"][0]
    assert "creative → playful" in details["style"][0]
    assert "midjourney" in details["provider"][0] and "google → auto" in details["provider"][0]


@pytest.mark.django_db
def test_without_a_client_or_a_default_the_400_says_what_to_do(api_as, editor, settings):
    settings.GENERATION_API_DEFAULT_CLIENT = ""
    for path, body in [("/api/v1/marketing/image/batch-generate", BATCH),
                       ("/api/v1/social/create-multi-platform-post", MULTI)]:  # fmt: skip
        response = api_as(editor).post(path, body, format="json")
        assert response.status_code == 400, path
        assert "GENERATION_API_DEFAULT_CLIENT" in response.json()["error"]["details"]["client_id"][0]
    assert not GenerationJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_create_multi_platform_post_publishes_as_written(
    api_as, owner, default_client, fake_platforms, live_server, settings, sync_tasks
):
    settings.MEDIA_PUBLIC_BASE_URL = live_server.url
    accounts_for(default_client, owner, platforms=("facebook", "instagram"))
    response = api_as(owner).post("/api/v1/social/create-multi-platform-post", MULTI, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"job_id", "status", "platforms", "total_platforms", "successful", "failed", "images_generated",
            "total_time"} <= set(body)  # fmt: skip
    assert body["status"] == "published" and (body["total_platforms"], body["successful"]) == (2, 2)
    for row in body["platforms"]:
        assert row["success"] and row["post_url"] and row["image_url"].startswith("http")
    published = fake_platforms.ledger(platform="facebook")
    assert published and "#marketing" in published[-1]["text"]
