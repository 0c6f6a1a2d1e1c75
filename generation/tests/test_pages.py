"""Staff generation pages from the outside: the four-step wizard (each step validated on the
server, back and forward keep input, images generated / regenerated / picked from the library,
then draft, schedule or publish), the jobs page, and "suggest captions" in the post editor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from generation.models import GenerationItem, GenerationJob
from generation.providers.base import ErrorKind, ProviderError
from generation.services.captions import caption_generate
from publishing.models import Post, TargetMedia
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db
URL = "/generate/"
CONTENT = "Spring clean-up season is here. We edge, mulch and mow so your lawn is the best on the street."


def step_data(client, **extra) -> dict:
    data = {"client": str(client.pk), "content": CONTENT, "cta": "Book your spring clean-up",
            "hashtags": "#austin lawncare", "platforms": ["facebook", "instagram"], "image_style": "bold",
            "image_provider": "auto", "mode": "schedule"}  # fmt: skip
    data.update(extra)
    return data


def step_of(response) -> int:
    html = response.content.decode()
    marker = 'name="step" value="'
    return int(html[html.index(marker) + len(marker)])


@pytest.fixture
def staff(client, owner):
    client.force_login(owner.user if hasattr(owner, "user") else owner)
    return client


@pytest.fixture
def joe(brand_client, owner):
    accounts_for(brand_client, owner, platforms=("facebook", "instagram"))
    return brand_client


def own_media(target) -> list:
    return list(TargetMedia.objects.filter(target=target).order_by("position").values_list("asset_id", flat=True))


def generate(staff, joe, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(URL, {**step_data(joe, **extra), "step": "3", "go": "generate"})
    assert response.status_code == 200
    return response, GenerationJob.objects.filter(client=joe, kind="image_batch").latest("created_at")


def test_the_wizard_needs_a_signed_in_editor(client, viewer, editor):
    assert client.get(URL).status_code == 302
    client.force_login(viewer.user if hasattr(viewer, "user") else viewer)
    assert client.get(URL).status_code == 403
    client.force_login(editor.user if hasattr(editor, "user") else editor)
    page = client.get(URL)
    assert page.status_code == 200 and step_of(page) == 1


def test_each_step_is_validated_on_the_server_before_the_next_opens(staff, joe):
    empty = staff.post(URL, {"step": "1", "go": "next", "client": str(joe.pk), "content": "  "})
    assert step_of(empty) == 1 and "Write the post&#x27;s text." in empty.content.decode()
    no_client = staff.post(URL, {"step": "1", "go": "next", "content": CONTENT})
    assert step_of(no_client) == 1 and "Choose the client this post is for." in no_client.content.decode()
    ok = staff.post(URL, {**step_data(joe, platforms=[]), "step": "1", "go": "next"})
    assert step_of(ok) == 2 and "Pick at least one platform" not in ok.content.decode()  # a new step starts clean
    none = staff.post(URL, {**step_data(joe, platforms=[]), "step": "2", "go": "next"})
    assert step_of(none) == 2 and "Pick at least one platform." in none.content.decode()
    # A step further on re-checks the earlier ones: bad content sent with step 3 goes back to step 1.
    skipped = staff.post(URL, {**step_data(joe, content=""), "step": "3", "go": "next"})
    assert step_of(skipped) == 1


def test_back_and_forward_keep_every_input(staff, joe):
    data = {**step_data(joe, title="Spring push", base_image_prompt="Morning lawn"), "pick_facebook": "x"}
    back = staff.post(URL, {**data, "step": "3", "go": "back"})
    html = back.content.decode()
    assert step_of(back) == 2
    for value in ("Spring push", "Morning lawn", "Book your spring clean-up", 'name="pick_facebook" value="x"'):
        assert value in html
    assert html.count('name="platforms"') == 6 and html.count("checked") >= 2
    to_one = staff.post(URL, {**data, "step": "3", "go": "goto:1"})
    assert step_of(to_one) == 1 and CONTENT in to_one.content.decode()


def test_platform_step_shows_sizes_fit_and_unconnected_accounts(staff, joe):
    page = staff.post(URL, {**step_data(joe, content="word " * 120), "step": "1", "go": "next"}).content.decode()
    assert "1200×675 px" in page and "1080×1920 px" in page and "1200×627 px" in page
    assert "shortened to fit" in page  # 600 characters are too many for X
    assert page.count("No connected account") == 3  # LinkedIn, X, Google: joe has Facebook and Instagram


def test_walk_the_wizard_to_a_scheduled_post(staff, joe, sync_tasks, django_capture_on_commit_callbacks):
    response, job = generate(staff, joe, django_capture_on_commit_callbacks)
    assert job.status == "succeeded" and job.total_items == 2 and job.input["style"] == "bold"
    assert f'value="{job.pk}"' in response.content.decode()
    step4 = staff.post(URL, {**step_data(joe), "job": str(job.pk), "step": "3", "go": "next"})
    assert step_of(step4) == 4
    assert "#austin #lawncare" in step4.content.decode()  # each platform's text previewed
    when = timezone.localtime(timezone.now() + timedelta(days=3), joe.tz).strftime("%Y-%m-%dT%H:%M")
    done = staff.post(URL, {**step_data(joe), "job": str(job.pk), "step": "4", "go": "finish", "schedule_time": when})
    mpp = GenerationJob.objects.get(client=joe, kind="multi_platform_post")
    assert done.status_code == 302 and done["Location"] == reverse("generation-job", args=[mpp.pk])
    post = Post.objects.get(client=joe)
    assert post.status == "scheduled" and post.source == Post.Source.GENERATION
    targets = {t.account.platform: t for t in post.targets.select_related("account")}
    assert set(targets) == {"facebook", "instagram"}
    made = {i.platform: i.asset_id for i in job.items.all()}
    for platform, target in targets.items():
        assert own_media(target) == [made[platform]]
    assert "Book your spring clean-up" in targets["instagram"].caption_override
    detail = staff.get(done["Location"]).content.decode()
    assert "Open the post" in detail and "Scheduled" in detail


def test_images_must_be_ready_for_every_platform(staff, joe, sync_tasks, django_capture_on_commit_callbacks):
    none = staff.post(URL, {**step_data(joe), "step": "3", "go": "next"})
    assert step_of(none) == 3 and "Each platform needs an image" in none.content.decode()
    _, job = generate(staff, joe, django_capture_on_commit_callbacks, platforms=["facebook"])
    more = staff.post(URL, {**step_data(joe), "job": str(job.pk), "step": "3", "go": "next"})
    assert step_of(more) == 3 and "generate or pick one for Instagram" in more.content.decode()


def test_a_running_batch_must_finish_first(staff, joe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # no worker: the items stay queued
        staff.post(URL, {**step_data(joe), "step": "3", "go": "generate"})
    job = GenerationJob.objects.get(client=joe, kind="image_batch")
    page = staff.post(URL, {**step_data(joe), "job": str(job.pk), "step": "3", "go": "next"})
    assert step_of(page) == 3 and "still being made" in page.content.decode()
    poll = staff.get(reverse("generation-job-progress", args=[job.pk]) + "?wizard=1").content.decode()
    assert f'data-live="generationjob:{job.pk}" data-live-poll="1"' in poll and "0 of 2 done" in poll


def test_regenerate_one_platform_and_pick_another_from_the_library(
    staff, joe, photo_asset, sync_tasks, django_capture_on_commit_callbacks
):
    _, job = generate(staff, joe, django_capture_on_commit_callbacks)
    first = job.items.get(platform="facebook")
    with django_capture_on_commit_callbacks(execute=True):
        page = staff.post(URL, {**step_data(joe), "job": str(job.pk), "step": "3", "go": "regenerate:facebook"})
    assert step_of(page) == 3
    first.refresh_from_db()
    fresh = job.items.get(platform="facebook", replaced=False)
    assert first.replaced and fresh.pk != first.pk and fresh.status == "succeeded"
    photo = photo_asset()
    when = (timezone.now() + timedelta(days=2)).astimezone(joe.tz).strftime("%Y-%m-%dT%H:%M")
    staff.post(URL, {**step_data(joe), "job": str(job.pk), "pick_instagram": str(photo.pk), "step": "4",
                     "go": "finish", "schedule_time": when})  # fmt: skip
    targets = {t.account.platform: t for t in Post.objects.get(client=joe).targets.select_related("account")}
    assert own_media(targets["instagram"]) == [photo.pk]
    assert own_media(targets["facebook"]) == [fresh.asset_id]


def test_another_clients_photo_cannot_be_picked(
    staff, joe, client_b, photo_asset, sync_tasks, django_capture_on_commit_callbacks
):
    theirs = photo_asset(client=client_b)
    page = staff.post(URL, {**step_data(joe, platforms=["instagram"]), "pick_instagram": str(theirs.pk),
                            "step": "3", "go": "next"})  # fmt: skip
    assert step_of(page) == 3 and "generate or pick one for Instagram" in page.content.decode()


def test_editors_send_for_approval_and_cannot_publish_now(
    client, editor, joe, sync_tasks, django_capture_on_commit_callbacks
):
    client.force_login(editor.user if hasattr(editor, "user") else editor)
    _, job = generate(client, joe, django_capture_on_commit_callbacks)
    step4 = client.post(URL, {**step_data(joe), "job": str(job.pk), "step": "3", "go": "next"}).content.decode()
    assert "Publish now" not in step4 and "Send for approval" in step4
    refused = client.post(URL, {**step_data(joe), "job": str(job.pk), "step": "4", "go": "finish", "mode": "publish"})
    assert step_of(refused) == 4 and "Select a valid choice" in refused.content.decode()
    assert not Post.objects.exists()
    when = (timezone.now() + timedelta(days=2)).astimezone(joe.tz).strftime("%Y-%m-%dT%H:%M")
    client.post(URL, {**step_data(joe), "job": str(job.pk), "step": "4", "go": "finish", "schedule_time": when})
    assert Post.objects.get().status == "pending_approval"


def test_a_past_time_is_refused_with_a_message(staff, joe, sync_tasks, django_capture_on_commit_callbacks):
    _, job = generate(staff, joe, django_capture_on_commit_callbacks)
    past = (timezone.now() - timedelta(hours=2)).astimezone(joe.tz).strftime("%Y-%m-%dT%H:%M")
    page = staff.post(URL, {**step_data(joe), "job": str(job.pk), "step": "4", "go": "finish", "schedule_time": past})
    assert step_of(page) == 4 and "That time has passed" in page.content.decode()
    missing = staff.post(URL, {**step_data(joe), "job": str(job.pk), "step": "4", "go": "finish"})
    assert "Pick the day and time to publish." in missing.content.decode()
    draft = staff.post(URL, {**step_data(joe, mode="draft"), "job": str(job.pk), "step": "4", "go": "finish"})
    assert draft.status_code == 302 and Post.objects.get().status == "draft"


# The jobs page ------------------------------------------------------------------------------------


def test_jobs_page_lists_and_filters_with_a_fixed_number_of_queries(staff, joe, client_b, photo_asset):
    for n in range(3):
        caption_generate(client=joe, media=[], notes=f"Mulch special number {n}", platforms=["instagram", "x"])
    caption_generate(client=client_b, media=[], notes="Croissants", platforms=["facebook"])
    page = staff.get(reverse("generation-jobs"))
    assert page.status_code == 200 and page.content.decode().count("Captions</a>") == 4
    only = staff.get(reverse("generation-jobs"), {"client": str(client_b.pk)}).content.decode()
    assert "Croissants" in only and "Mulch special" not in only
    with CaptureQueriesContext(connection) as few:
        staff.get(reverse("generation-jobs"))
    for n in range(10):
        caption_generate(client=client_b, media=[], notes=f"Bread {n}", platforms=["facebook"])
    with CaptureQueriesContext(connection) as many:
        staff.get(reverse("generation-jobs"))
    assert len(many) == len(few)


def test_a_job_page_shows_inputs_provider_timings_and_outcome(staff, joe):
    result = caption_generate(client=joe, media=[], notes="Hedge trimming this week", platforms=["instagram", "x"])
    html = staff.get(reverse("generation-job", args=[result.job_id])).content.decode()
    assert "Hedge trimming this week" in html and "builtin" in html and "Took" in html
    assert html.count("characters") >= 2  # one caption per platform


def test_a_failed_item_shows_its_error_and_can_be_made_again(
    staff, joe, fake_ai, sync_tasks, django_capture_on_commit_callbacks, settings
):
    fake_ai.fail("images", "http_500", times=10)
    settings.GENERATION_MAX_RETRIES = 0
    _, job = generate(staff, joe, django_capture_on_commit_callbacks, image_provider="openai", platforms=["x"])
    item = job.items.get()
    assert item.status == "failed"
    html = staff.get(reverse("generation-job", args=[job.pk])).content.decode()
    assert item.error and item.error[:30] in html.replace("&#x27;", "'")
    fake_ai.reset()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("generation-item-regenerate", args=[item.pk]))
    assert GenerationItem.objects.get(job=job, replaced=False).status == "succeeded"


# Suggest captions in the editor -----------------------------------------------------------------


def suggest(staff, joe, **data):
    return staff.post(reverse("generation-suggest"), {"client": str(joe.pk), **data})


def test_suggest_captions_uses_the_photos_and_notes(staff, joe, photo_asset):
    photo = photo_asset()
    page = suggest(staff, joe, caption="new patio for the Hendersons", media=str(photo.pk))
    html = page.content.decode()
    assert page.status_code == 200 and "Hendersons" in html and "data-use-suggestion" in html
    assert GenerationJob.objects.filter(client=joe, kind="caption").count() == 1
    other = suggest(staff, joe, caption="new patio for the Hendersons", media=str(photo.pk), variant="1")
    assert other.content.decode() != html  # "Another" words it differently


def test_suggest_captions_explains_what_is_missing(staff, joe, client_b, photo_asset, monkeypatch):
    nothing = suggest(staff, joe)
    assert nothing.status_code == 422 and "write a few words" in nothing.content.decode()
    no_client = staff.post(reverse("generation-suggest"), {"caption": "hello"})
    assert no_client.status_code == 422 and "Choose a client first" in no_client.content.decode()
    theirs = photo_asset(client=client_b)
    foreign = suggest(staff, joe, caption="hi", media=str(theirs.pk))
    assert foreign.status_code == 422 and "not in Joe" in foreign.content.decode().replace("&#x27;", "'")

    def broken(self, brief):
        raise ProviderError(ErrorKind.RETRYABLE, "The caption service is down; try again in a minute.")

    monkeypatch.setattr("generation.providers.builtin_captions.BuiltinCaptions.write", broken)
    down = suggest(staff, joe, caption="hello")
    assert down.status_code == 502 and "try again in a minute" in down.content.decode()


def test_suggest_captions_needs_an_editor(client, viewer, joe):
    client.force_login(viewer.user if hasattr(viewer, "user") else viewer)
    assert client.post(reverse("generation-suggest"), {"client": str(joe.pk), "caption": "x"}).status_code == 403


def test_the_result_page_says_what_happened_in_words(staff, joe, photo_asset):
    """Owner picks library photos and chooses Schedule for a client who approves too: the toast
    and badges say so in words, the inputs are labelled, nothing says 'library' or '0.00 s'."""
    joe.requires_client_approval = True
    joe.save()
    photo = photo_asset()
    when = (timezone.now() + timedelta(days=2)).astimezone(joe.tz).replace(hour=9, minute=30)
    done = staff.post(
        URL,
        {**step_data(joe), "pick_facebook": str(photo.pk), "pick_instagram": str(photo.pk), "step": "4",
         "go": "finish", "schedule_time": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )  # fmt: skip
    html = done.content.decode()
    toast = [str(m) for m in done.context["messages"]]
    assert toast == ["Approved; waiting for Joe's Landscaping's approval: 2 of 2 platforms."]
    assert Post.objects.get(client=joe).status == "pending_client_approval"
    assert "Approved; waiting for the client&#x27;s approval" in html
    assert "Pending_approval" not in html and "Sent for approval" not in html
    assert "0.00 s" not in html and "— (images picked from the library)" in html
    assert ">library<" not in html
    assert "<dt>Post text</dt>" in html and '<dt>Platforms</dt><dd class="pre-wrap">Facebook' in html
    assert f"{when:%A %-d %B %Y}, 09:30" in html and f"({joe.timezone})" in html
    assert '<dt>What to do</dt><dd class="pre-wrap">Schedule</dd>' in html


def test_the_wizard_s_examples_are_the_client_s_own(staff, brand_client, owner):
    from agency.models import Client

    bella = Client.objects.create(name="Bella Bakery", slug="bella-gen", industry="bakery", location="Portland, OR")
    html = staff.get(f"{URL}?client={bella.pk}").content.decode()
    assert 'placeholder="#portland #bakery"' in html
    assert "#austin" not in html and "lawn" not in html.lower()


def test_sizes_are_previewed_with_a_photo_and_every_pick_shows_its_picture(staff, joe, photo_asset):
    """Step 2 previews each size with the client's photo; step 3 shows every platform's pick,
    also before the worker has made its thumbnail (the original stands in)."""
    photo = photo_asset()  # no renditions yet
    assert photo.rendition("thumbnail") is None
    step2 = staff.post(URL, {**step_data(joe), "step": "1", "go": "next"}).content.decode()
    assert step2.count('<span class="ratio-box"') == step2.count('<span class="ratio-box" data-sized') > 0
    assert step2.count('alt=""><span class="ratio-label">') == step2.count('<span class="ratio-box"')
    picks = {"pick_facebook": str(photo.pk), "pick_instagram": str(photo.pk), "pick_linkedin": str(photo.pk)}
    step3 = staff.post(
        URL, {**step_data(joe, platforms=["facebook", "instagram", "linkedin"]), **picks, "step": "3", "go": "stay"}
    ).content.decode()
    for label in ("Facebook", "Instagram", "LinkedIn"):
        assert f'alt="{label} image"' in step3, label
