"""The cross-tenant matrix: a person of client A asking for client B's things — by id, by
subdomain, by token — gets 404 (or, for ids inside a form, a refusal), and nothing of B changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.models import Deliverable, PortalRequest, RequestMessage
from portal.models import ClientUser
from publishing.models import MediaAsset, Post
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.services.media import upload as upload_services
from publishing.tests.media_files import jpeg_bytes, photo
from publishing.tests.posting import accounts_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_things(client_b, bella, owner):
    """Everything client B has that a page or endpoint could name."""
    client_b.requires_client_approval = True
    client_b.save()
    accounts = accounts_for(client_b, owner, platforms=("facebook",))
    [upload] = upload_services.media_upload(
        client=client_b, files=[SimpleUploadedFile("bread.jpg", jpeg_bytes(photo()))], uploaded_by=bella.user
    )
    scheduled = post_services.post_create(
        actor=owner, client=client_b, caption="B scheduled", accounts=accounts.values()
    )
    post_services.post_approve(actor=owner, post=scheduled)
    post_services.post_client_approve(post=scheduled, user=bella.user)
    scheduling.post_schedule(actor=owner, post=scheduled, scheduled_at=timezone.now() + timedelta(days=2))
    waiting = post_services.post_create(actor=owner, client=client_b, caption="B waiting", accounts=accounts.values())
    post_services.post_approve(actor=owner, post=waiting)
    request = PortalRequest.objects.create(client=client_b, content="B's request")
    deliverable = Deliverable.objects.create(client=client_b, title="B's reel", status="Needs Review")
    other = ClientUser.objects.create(
        user=type(bella.user).objects.create_user(email="baker2@bella.example"), client=client_b, role="member"
    )
    return {"asset": upload.asset, "scheduled": scheduled, "waiting": waiting, "request": request,
            "deliverable": deliverable, "member": other}  # fmt: skip


def _snapshot(things) -> dict:
    """What must not change."""
    return {
        "posts": sorted(
            Post.objects.filter(client=things["scheduled"].client).values_list("pk", "status", "scheduled_at")
        ),
        "media": MediaAsset.objects.filter(pk=things["asset"].pk).count(),
        "request": (PortalRequest.objects.get(pk=things["request"].pk).status, RequestMessage.objects.count()),
        "deliverable": Deliverable.objects.values_list("status", "client_feedback").get(pk=things["deliverable"].pk),
        "members": ClientUser.objects.filter(client=things["member"].client).count(),
    }


def _page_requests(t, when: str):
    return [
        ("get", f"/posts/{t['scheduled'].pk}/", {}),
        ("post", f"/posts/{t['scheduled'].pk}/reschedule", {"scheduled_at": when}),
        ("post", f"/posts/{t['waiting'].pk}/decide", {"decision": "approve"}),
        ("post", f"/posts/{t['waiting'].pk}/decide", {"decision": "changes", "comment": "no"}),
        ("get", f"/media/{t['asset'].pk}/tile", {}),
        ("post", f"/media/{t['asset'].pk}/delete", {}),
        ("get", f"/requests/{t['request'].pk}/", {}),
        ("post", f"/requests/{t['request'].pk}/", {"body": "hello from A"}),
        ("post", f"/deliverables/{t['deliverable'].pk}/review", {"decision": "approve"}),
        ("post", f"/people/{t['member'].pk}/remove", {}),
    ]


def test_b_s_objects_by_id_on_a_s_portal_are_404(client_a, joe, portal_as, b_things):
    when = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    before = _snapshot(b_things)
    browser = portal_as(client_a, joe)
    for method, path, data in _page_requests(b_things, when):
        response = getattr(browser, method)(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
    assert _snapshot(b_things) == before


def test_b_s_media_cannot_be_put_in_a_s_submission(client_a, joe, portal_as, b_things):
    before = _snapshot(b_things)
    response = portal_as(client_a, joe).post("/submit/", {"media": [str(b_things["asset"].pk)], "notes": "steal"})
    assert response.status_code == 200 and "is not one of the available choices" in response.content.decode()
    assert not Post.objects.filter(client=client_a).exists()
    assert _snapshot(b_things) == before


PAGES = ["/", "/media/", "/submit/", "/posts/", "/posts/?view=month", "/approvals/", "/requests/", "/deliverables/",
         "/people/"]  # fmt: skip


def test_a_s_person_on_b_s_subdomain_gets_404_everywhere(client_b, joe, portal_as, b_things):
    when = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    before = _snapshot(b_things)
    browser = portal_as(client_b, joe)  # a session of Joe's, presented on Bella's host
    for path in PAGES:
        assert browser.get(path).status_code == 404, path
    for method, path, data in _page_requests(b_things, when):
        assert getattr(browser, method)(path, data).status_code == 404, path
    assert browser.post("/requests/", {"kind": "Request", "topic": "General", "priority": "Normal",
                                       "content": "x"}).status_code == 404  # fmt: skip
    assert _snapshot(b_things) == before


def test_b_s_objects_through_a_s_token_are_404(client_a, client_b, joe_api, b_things):
    before = _snapshot(b_things)
    later = (timezone.now() + timedelta(days=5)).isoformat()
    api = joe_api
    assert api.patch(f"/api/v1/client/content/{b_things['scheduled'].pk}/reschedule",
                     {"new_scheduled_time": later}, format="json").status_code == 404  # fmt: skip
    for path in (
        f"/api/v1/client-portal/{client_b.slug}/requests",
        f"/api/v1/client-portal/{client_b.slug}/deliverables",
    ):
        assert api.get(path).status_code == 404, path
    assert (
        api.post(f"/api/v1/client-portal/{client_b.slug}/requests", {"content": "x"}, format="json").status_code == 404
    )
    assert api.get("/api/v1/client-portal/no-such-client/requests").status_code == 404
    # B's media by id or by URL: refused, nothing submitted.
    response = api.post("/api/v1/client/content/submit", {"media_ids": [str(b_things["asset"].pk)]}, format="json")
    assert response.status_code == 400 and "media_ids" in response.json()["error"]["details"]
    from publishing.media.urls import media_url

    url = media_url(b_things["asset"].file)
    response = api.post("/api/v1/client/content/submit", {"media_urls": [url]}, format="json")
    assert response.status_code == 400 and "media_urls" in response.json()["error"]["details"]
    # Lists answer A's things only.
    assert api.get("/api/v1/client/scheduled-posts").json()["total"] == 0
    assert api.get("/api/v1/client/stats").json()["posts_total"] == 0
    assert not Post.objects.filter(client=client_a).exists()
    assert _snapshot(b_things) == before
