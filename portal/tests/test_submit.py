"""Submitting content: pick or upload media, notes, platforms; the AI writes captions per platform,
the client may edit them; the post waits for the agency's approval. The monthly limit holds, also
under 50 concurrent submissions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD
from portal.services import content as portal_content
from portal.tests.conftest import bearer
from publishing.models import Post
from publishing.services.media import upload as upload_services
from publishing.states import PostStatus as P
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(client_a, joe, owner):
    """Client A with Facebook, Instagram and X connected and two photos of its own."""
    accounts_for(client_a, owner, platforms=("facebook", "instagram", "x"))
    results = upload_services.media_upload(
        client=client_a,
        files=[SimpleUploadedFile(f"patio-{i}.jpg", jpeg_bytes(photo(seed=i))) for i in (1, 2)],
        uploaded_by=joe.user,
    )
    return [r.asset for r in results]


def _use_up(client, n: int) -> None:
    Post.objects.bulk_create(
        Post(client=client, caption=f"earlier {i}", status=P.PENDING_APPROVAL, submitted_at=timezone.now())
        for i in range(n)
    )


def test_the_ai_writes_captions_per_platform_and_the_client_submits_them_edited(client_a, joe, portal_as, library):
    browser = portal_as(client_a, joe)
    page = browser.get("/submit/").content.decode()
    assert "8 of 8 posts left" in page and "patio-1.jpg" in page
    form = {"media": [str(library[0].pk)], "notes": "Finished a flagstone patio in Oak Hill",
            "platforms": ["facebook", "x"]}  # fmt: skip
    captions = browser.post("/submit/captions", form, HTTP_HX_REQUEST="true")
    html = captions.content.decode()
    assert captions.status_code == 200 and 'name="caption_facebook"' in html and 'name="caption_x"' in html
    # Every connected platform has a box (ticking it later shows it), the unticked ones hidden.
    assert 'data-platform-caption="instagram" hidden>' in html
    assert 'data-platform-caption="facebook">' in html and 'data-platform-caption="x">' in html
    assert 'name="caption_instagram"' in html
    x_text = html.split('name="caption_x"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert x_text.strip() and len(x_text) <= 280

    preferred = (timezone.now() + timedelta(days=3)).astimezone(client_a.tz).replace(second=0, microsecond=0)
    response = browser.post(
        "/submit/",
        {**form, "caption_facebook": "Our newest patio — come see it! #patio", "caption_x": "New patio! #patio",
         "caption": "Our newest patio", "hashtags": "patio", "preferred_at": preferred.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    assert (post.status, post.source, post.created_by) == (P.PENDING_APPROVAL, "portal", joe.user)
    assert post.submitted_at and post.notes == "Finished a flagstone patio in Oak Hill"
    assert post.scheduled_at == preferred
    texts = {t.account.platform: t.text for t in post.targets.select_related("account")}
    assert texts == {"facebook": "Our newest patio — come see it! #patio", "x": "New patio! #patio"}
    assert [pm.asset for pm in post.post_media.all()] == [library[0]]


def test_without_javascript_the_captions_are_written_on_submit(client_a, joe, portal_as, library):
    response = portal_as(client_a, joe).post("/submit/", {"media": [str(a.pk) for a in library], "notes": "Two patios"})
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.caption and {t.account.platform for t in post.targets.select_related("account")} == {
        "facebook", "instagram", "x",
    }  # fmt: skip
    assert all(t.text for t in post.targets.all())


def test_bad_input_is_refused_with_what_to_do(client_a, joe, portal_as, library):
    browser = portal_as(client_a, joe)
    assert "Pick at least one photo or video" in browser.post("/submit/", {"notes": "no media"}).content.decode()
    response = browser.post("/submit/", {"media": [str(library[0].pk)], "platforms": ["linkedin"]})
    assert "is not one of the available choices" in response.content.decode()
    too_long = browser.post("/submit/", {"media": [str(library[0].pk)], "platforms": ["x"], "caption_x": "x" * 300})
    assert "X allows 280 characters; this caption has 300" in too_long.content.decode()
    past = browser.post("/submit/", {"media": [str(library[0].pk)], "preferred_at": "2020-01-01T10:00"})
    assert "at least five minutes from now" in past.content.decode()
    assert not Post.objects.exists()


def test_the_limit_says_when_it_resets_and_whom_to_ask(client_a, joe, portal_as, library, settings):
    settings.AGENCY_CONTACT_EMAIL = "team@agency.example"
    _use_up(client_a, 8)
    browser = portal_as(client_a, joe)
    page = browser.get("/submit/").content.decode()
    assert "You have used all 8 posts of your plan" in page and "team@agency.example" in page
    assert "resets on" in page and "disabled" in page.split("Submit for approval")[0].rsplit("<button", 1)[1]
    response = browser.post("/submit/", {"media": [str(library[0].pk)], "caption_facebook": "Hi"})
    assert "You have used all 8 posts" in response.content.decode()
    assert Post.objects.filter(client=client_a).count() == 8


def test_canceled_and_rejected_posts_give_their_place_back(client_a, joe, library):
    _use_up(client_a, 8)
    Post.objects.filter(client=client_a).filter(pk__in=Post.objects.values("pk")[:1]).update(status=P.REJECTED)
    post = portal_content.content_submit(client_user=joe, media=[library[0]], notes="one more")
    assert post.status == P.PENDING_APPROVAL
    with pytest.raises(portal_content.LimitReached):
        portal_content.content_submit(client_user=joe, media=[library[0]], notes="and another")


def test_the_api_submits_with_media_ids_or_urls(client_a, joe, library):
    api = bearer(joe)
    uploaded = api.post(
        "/api/v1/client/media/upload",
        {"files": [SimpleUploadedFile("new.jpg", jpeg_bytes(photo(seed=9)), content_type="image/jpeg")]},
        format="multipart",
    ).json()
    response = api.post(
        "/api/v1/client/content/submit",
        {"media_urls": uploaded["media_urls"], "notes": "Downtown renovation project", "platforms": ["instagram"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending_approval" and data["platforms"] == ["instagram"]
    assert data["captions"]["instagram"] and data["topic"]
    assert [m["id"] for m in data["media"]] == uploaded["media_ids"]
    by_id = api.post("/api/v1/client/content/submit", {"media_ids": [str(library[1].pk)]}, format="json")
    assert by_id.status_code == 201 and set(by_id.json()["platforms"]) == {"facebook", "instagram", "x"}
    _use_up(client_a, 6)
    full = api.post("/api/v1/client/content/submit", {"media_ids": [str(library[1].pk)]}, format="json")
    assert full.status_code == 409 and full.json()["error"]["code"] == "monthly_limit_reached"
    assert "resets on" in full.json()["error"]["message"]


def test_when_the_ai_fails_nothing_is_stored_and_the_message_says_so(client_a, joe, library, settings):
    settings.GENERATION_CAPTION_PROVIDER = "openai"
    settings.GENERATION_OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens there
    settings.GENERATION_OPENAI_API_KEY = "sk-test"
    api = bearer(joe)
    response = api.post("/api/v1/client/content/submit", {"media_ids": [str(library[0].pk)]}, format="json")
    assert response.status_code == 503
    assert "Nothing was stored" in response.json()["error"]["message"]
    assert not Post.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_with_three_left_accept_exactly_three(client_a, joe, library):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are what this checks; SQLite serialises every write anyway.")
    _use_up(client_a, 5)
    token = APIClient().post("/api/v1/client/login", {"email": joe.user.email, "password": PASSWORD}).json()
    statuses: list[int] = []
    start = threading.Barrier(50)

    def submit() -> None:
        from django.db import connections

        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
        try:
            start.wait()
            response = api.post(
                "/api/v1/client/content/submit", {"media_ids": [str(library[0].pk)], "notes": "rush"}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * 3 + [409] * 47
    assert Post.objects.filter(client=client_a, notes="rush").count() == 3
