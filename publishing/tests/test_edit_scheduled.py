"""An editor (who cannot approve) edits a scheduled post (issue 12, item 5): it goes back for approval —
unscheduled here and in Publer — never a 500; once some of it is going out, the edit is refused with
what to do instead. API and page alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agency.models import ActivityEvent
from publishing.models import Post, PostTarget
from publishing.services import scheduling
from publishing.tests.posting import accounts_for, approved_post, publer_account, run_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(owner, client_a):
    accounts = accounts_for(client_a, owner, platforms=("facebook", "x"))
    post = approved_post(owner, client_a, accounts.values(), caption="Mulch sale this weekend")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=3))
    assert set(post.targets.values_list("status", flat=True)) == {"scheduled"}
    return post


def _assert_back_for_approval(post: Post, caption: str) -> None:
    post.refresh_from_db()
    assert post.status == "pending_approval" and post.caption == caption
    assert set(post.targets.values_list("status", flat=True)) == {"pending"}
    assert not post.targets.filter(next_attempt_at__isnull=False).exists()
    assert run_due() == []  # nothing goes out until it is approved again
    edited = ActivityEvent.objects.filter(verb="post.edited", target_id=str(post.pk)).latest("created_at")
    assert edited.changes["status"] == ["scheduled", "pending_approval"]


def test_an_editor_patching_a_scheduled_post_sends_it_back_for_approval(api_as, editor, scheduled):
    response = api_as(editor).patch(f"/api/v1/posts/{scheduled.pk}", {"caption": "x"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending_approval"
    _assert_back_for_approval(scheduled, "x")


def test_an_owner_patching_a_scheduled_post_keeps_it_scheduled(api_as, owner, scheduled):
    response = api_as(owner).patch(f"/api/v1/posts/{scheduled.pk}", {"caption": "Owner's words"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "scheduled"


def test_an_editor_saving_the_edit_page_of_a_scheduled_post_sends_it_back(client, editor, scheduled):
    client.force_login(editor)
    page = client.get(f"/content/{scheduled.pk}/edit/")
    assert page.status_code == 200
    form = {"client": scheduled.client_id, "caption": "Mulch sale, now with edging",
            "accounts": list(scheduled.targets.values_list("account_id", flat=True)), "placement": "feed",
            "action": "submit"}  # fmt: skip
    response = client.post(f"/content/{scheduled.pk}/edit/", form, follow=True)
    assert response.status_code == 200
    assert "Your changes need approval again, so the post is no longer scheduled" in response.content.decode()
    _assert_back_for_approval(scheduled, "Mulch sale, now with edging")


def test_an_edit_once_the_post_is_going_out_is_refused_with_what_to_do(api_as, client, editor, scheduled):
    PostTarget.objects.filter(post=scheduled, account__platform="x").update(status="published")
    response = api_as(editor).patch(f"/api/v1/posts/{scheduled.pk}", {"caption": "Too late"}, format="json")
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "already going out" in message and "(published)" in message and "Ask someone who can approve" in message
    scheduled.refresh_from_db()
    assert scheduled.status == "scheduled" and scheduled.caption == "Mulch sale this weekend"  # nothing changed
    client.force_login(editor)
    form = {"client": scheduled.client_id, "caption": "Too late",
            "accounts": list(scheduled.targets.values_list("account_id", flat=True)), "placement": "feed",
            "action": "submit"}  # fmt: skip
    page = client.post(f"/content/{scheduled.pk}/edit/", form)
    assert page.status_code == 200 and "already going out" in page.content.decode()


def test_a_post_publer_holds_is_taken_back_from_publer(api_as, owner, editor, client_a, fake_platforms):
    account = publer_account(client_a, owner, "facebook", "pub-edit")
    post = approved_post(owner, client_a, [account], caption="Held by Publer")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=3))
    assert run_due() == ["scheduled"]
    held = post.targets.get()
    assert held.remote_state == "scheduled" and held.external_id
    response = api_as(editor).patch(f"/api/v1/posts/{post.pk}", {"caption": "Changed"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "pending_approval"
    target = post.targets.get()
    assert target.status == "pending" and target.remote_state == "" and target.external_id == ""
    entry = fake_platforms.find_entry("publer", held.external_id)
    assert entry["state"] == "deleted"  # it will not go out from Publer either


def test_when_publer_refuses_to_let_go_nothing_changes(api_as, owner, editor, client_a, fake_platforms):
    account = publer_account(client_a, owner, "facebook", "pub-stuck")
    post = approved_post(owner, client_a, [account], caption="Stuck in Publer")
    scheduling.post_schedule(actor=owner, post=post, scheduled_at=timezone.now() + timedelta(hours=3))
    run_due()
    fake_platforms.fail("publer", "http_500", "delete")
    response = api_as(editor).patch(f"/api/v1/posts/{post.pk}", {"caption": "Changed"}, format="json")
    assert 400 <= response.status_code < 500, response.content
    post.refresh_from_db()
    assert post.status == "scheduled" and post.caption == "Stuck in Publer"
    assert post.targets.get().remote_state == "scheduled"
