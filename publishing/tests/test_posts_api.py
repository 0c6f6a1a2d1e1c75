"""/api/v1/posts and the workflow: create, validate, approve, schedule, cancel, retry — and who may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agency.models import ActivityEvent
from publishing.models import Post, PostTarget
from publishing.tests.posting import accounts_for, approved_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(owner, client_a):
    return accounts_for(client_a, owner, platforms=("facebook", "x", "linkedin"))


def create(api, client_a, accounts, **extra):
    body = {"client_id": str(client_a.pk), "caption": "Fresh mulch day", "hashtags": ["lawn", "#spring"],
            "account_ids": [str(a.pk) for a in accounts.values()], **extra}  # fmt: skip
    return api.post("/api/v1/posts", body, format="json")


def test_an_editor_creates_a_post_that_waits_for_approval(api_as, editor, client_a, accounts):
    response = create(api_as(editor), client_a, accounts)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_approval" and body["source"] == "api"
    assert body["hashtags"] == ["lawn", "spring"]
    assert body["text"] == "Fresh mulch day\n\n#lawn #spring"
    assert {t["platform"] for t in body["targets"]} == {"facebook", "x", "linkedin"}
    assert ActivityEvent.objects.filter(verb="post.created", target_id=body["id"]).exists()


def test_accounts_and_media_of_another_client_are_refused(api_as, editor, client_a, client_b, accounts, owner):
    other = accounts_for(client_b, owner, platforms=("x",))
    response = create(api_as(editor), client_a, {"x": other["x"]})
    assert response.status_code == 400
    assert "do not belong to Joe's Landscaping" in response.json()["error"]["message"]
    assert not Post.objects.exists()


def test_editors_cannot_approve_publish_or_schedule(api_as, editor, owner, client_a, accounts):
    post = approved_post(owner, client_a, accounts.values())
    Post.objects.filter(pk=post.pk).update(status="pending_approval")
    api = api_as(editor)
    for action in ("approve", "publish", "reject"):
        assert api.post(f"/api/v1/posts/{post.pk}/{action}", {"reason": "x"}, format="json").status_code == 403
    when = (timezone.now() + timedelta(days=1)).isoformat()
    assert api.post(f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": when}, format="json").status_code == 403


def test_viewers_read_only_and_anonymous_nothing(api_as, viewer, owner, client_a, accounts):
    from rest_framework.test import APIClient

    approved_post(owner, client_a, accounts.values())
    assert api_as(viewer).get("/api/v1/posts").json()["total"] == 1
    assert create(api_as(viewer), client_a, accounts).status_code == 403
    assert APIClient().get("/api/v1/posts").status_code == 401


def test_approve_with_a_time_schedules_every_target(api_as, owner, editor, client_a, accounts):
    post_id = create(api_as(editor), client_a, accounts).json()["id"]
    when = timezone.now() + timedelta(hours=3)
    body = (
        api_as(owner).post(f"/api/v1/posts/{post_id}/approve", {"scheduled_at": when.isoformat()}, format="json").json()
    )
    assert body["status"] == "scheduled"
    assert {t["status"] for t in body["targets"]} == {"scheduled"}
    target = PostTarget.objects.filter(post_id=post_id).first()
    assert abs((target.next_attempt_at - when).total_seconds()) < 1


def test_a_too_long_caption_blocks_scheduling_with_a_per_account_reason(api_as, owner, client_a, accounts):
    post = approved_post(owner, client_a, accounts.values(), caption="x" * 300)
    when = (timezone.now() + timedelta(hours=1)).isoformat()
    response = api_as(owner).post(f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": when}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "X allows 280 weighted characters" in error["message"]
    assert [t["platform"] for t in error["details"]["targets"]] == ["x"]
    post.refresh_from_db()
    assert post.status == "approved"


def test_a_per_platform_override_fixes_it(api_as, owner, client_a, accounts):
    post = approved_post(owner, client_a, accounts.values(), caption="x" * 300)
    api = api_as(owner)
    api.patch(f"/api/v1/posts/{post.pk}", {"overrides": {"x": "Short for X"}}, format="json")
    when = (timezone.now() + timedelta(hours=1)).isoformat()
    response = api.post(f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": when}, format="json")
    assert response.status_code == 200, response.json()
    assert next(t for t in response.json()["targets"] if t["platform"] == "x")["caption_override"] == "Short for X"


def test_a_time_in_the_past_is_refused(api_as, owner, client_a, accounts):
    post = approved_post(owner, client_a, accounts.values())
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api_as(owner).post(f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": past}, format="json")
    assert response.status_code == 400 and "has passed" in response.json()["error"]["message"]


def test_request_changes_needs_a_comment_and_unschedules(api_as, owner, editor, client_a, accounts):
    post_id = create(api_as(editor), client_a, accounts).json()["id"]
    api = api_as(owner)
    assert api.post(f"/api/v1/posts/{post_id}/request-changes", {"comment": ""}, format="json").status_code == 400
    body = api.post(
        f"/api/v1/posts/{post_id}/request-changes", {"comment": "Use the after photo"}, format="json"
    ).json()
    assert body["status"] == "changes_requested"
    event = ActivityEvent.objects.get(verb="post.changes_requested", target_id=post_id)
    assert event.changes["comment"] == "Use the after photo"


def test_reject_needs_a_reason(api_as, owner, editor, client_a, accounts):
    post_id = create(api_as(editor), client_a, accounts).json()["id"]
    api = api_as(owner)
    assert api.post(f"/api/v1/posts/{post_id}/reject", {}, format="json").status_code == 400
    assert (
        api.post(f"/api/v1/posts/{post_id}/reject", {"reason": "Off brand"}, format="json").json()["status"]
        == "rejected"
    )


def test_an_edit_by_an_editor_sends_an_approved_post_back_for_approval(api_as, owner, editor, client_a, accounts):
    post = approved_post(owner, client_a, accounts.values())
    body = api_as(editor).patch(f"/api/v1/posts/{post.pk}", {"caption": "New words"}, format="json").json()
    assert body["status"] == "pending_approval"


def test_delete_cancels_and_nothing_goes_out(api_as, owner, client_a, accounts):
    post = approved_post(owner, client_a, accounts.values())
    when = (timezone.now() + timedelta(hours=1)).isoformat()
    api = api_as(owner)
    api.post(f"/api/v1/posts/{post.pk}/schedule", {"scheduled_at": when}, format="json")
    body = api.delete(f"/api/v1/posts/{post.pk}").json()
    assert body["status"] == "canceled" and {t["status"] for t in body["targets"]} == {"canceled"}
    again = api.post(f"/api/v1/posts/{post.pk}/cancel")
    assert again.status_code == 400 and "can no longer be canceled" in again.json()["error"]["message"]


def test_published_posts_cannot_be_edited(api_as, owner, client_a, accounts):
    post = approved_post(owner, client_a, accounts.values())
    Post.objects.filter(pk=post.pk).update(status="published")
    response = api_as(owner).patch(f"/api/v1/posts/{post.pk}", {"caption": "Too late"}, format="json")
    assert response.status_code == 400 and "can no longer be edited" in response.json()["error"]["message"]


def test_retry_a_failed_target(api_as, owner, client_a, accounts):
    post = approved_post(owner, client_a, [accounts["x"]])
    target = post.targets.get()
    PostTarget.objects.filter(pk=target.pk).update(status="failed", last_error="boom", attempts=6)
    Post.objects.filter(pk=post.pk).update(status="failed")
    body = api_as(owner).post(f"/api/v1/posts/{post.pk}/targets/{target.pk}/retry").json()
    assert body["targets"][0]["status"] == "scheduled" and body["status"] == "publishing"
    target.refresh_from_db()
    assert target.attempts == 0


def test_retrying_a_target_that_did_not_fail_is_refused(api_as, owner, client_a, accounts):
    post = approved_post(owner, client_a, [accounts["x"]])
    target = post.targets.get()
    PostTarget.objects.filter(pk=target.pk).update(status="published")
    response = api_as(owner).post(f"/api/v1/posts/{post.pk}/targets/{target.pk}/retry")
    assert response.status_code == 400 and response.json()["error"]["details"]["status"]
    target.refresh_from_db()
    assert target.status == "published"


def test_filters_and_query_count(api_as, viewer, owner, client_a, client_b, accounts, django_assert_max_num_queries):
    other = accounts_for(client_b, owner, platforms=("x",))
    for i in range(40):
        approved_post(owner, client_a, accounts.values(), caption=f"A {i}")
    approved_post(owner, client_b, other.values(), caption="B only")
    api = api_as(viewer)
    assert api.get(f"/api/v1/posts?client_id={client_b.pk}").json()["total"] == 1
    assert api.get("/api/v1/posts?platform=linkedin").json()["total"] == 40
    assert api.get("/api/v1/posts?status=approved&search=only").json()["total"] == 1
    with django_assert_max_num_queries(10):
        assert len(api.get("/api/v1/posts?page_size=50").json()["items"]) == 41


def test_tokens_never_leave_the_api(api_as, owner, accounts):
    body = api_as(owner).get("/api/v1/social-accounts").json()
    text = str(body)
    assert body["total"] == 3 and "demo-" not in text and all(item["has_token"] for item in body["items"])


def test_deletes_answer_what_the_schema_documents(owner, client_a, accounts):
    """Found by the API fuzz test: a refused post delete (400), an account that has posted (disabled,
    200 with the account) and one with scheduled posts (400) answered undocumented status codes."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token
    from publishing.models import SocialAccount

    token = staff_token(owner, PASSWORD)
    post = approved_post(owner, client_a, accounts.values())
    Post.objects.filter(pk=post.pk).update(status="published")
    refused = conforms("DELETE", "/api/v1/posts/{id}", token=token, path_parameters={"id": str(post.pk)})
    assert refused.status_code == 400

    facebook, x = accounts["facebook"], accounts["x"]
    PostTarget.objects.filter(post=post, account=facebook).update(status="published")
    disabled = conforms("DELETE", "/api/v1/social-accounts/{id}", token=token, path_parameters={"id": str(facebook.pk)})
    assert disabled.status_code == 200 and disabled.json()["status"] == SocialAccount.Status.DISABLED

    PostTarget.objects.filter(post=post, account=x).update(status="scheduled")
    busy = conforms("DELETE", "/api/v1/social-accounts/{id}", token=token, path_parameters={"id": str(x.pk)})
    assert busy.status_code == 400 and "scheduled" in busy.json()["error"]["message"]


def test_text_longer_than_its_column_is_a_400_not_a_500(owner, client_a, accounts):
    """Found by the API fuzz test: a 13-character cta_action reached the varchar(12) column: 500."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    post = approved_post(owner, client_a, accounts.values())
    response = conforms("PATCH", "/api/v1/posts/{id}", token=staff_token(owner, PASSWORD),
                        path_parameters={"id": str(post.pk)}, body={"cta_action": "needs a smaller file"})  # fmt: skip
    assert response.status_code == 400
    assert "cta_action" in response.json()["error"]["details"]
    post.refresh_from_db()
    assert post.cta_action == ""


def test_a_body_in_a_type_the_operation_does_not_take_is_a_documented_415(owner, client_a, accounts):
    """Found by the API fuzz test: 415 was not in the schema of operations that take a body."""
    from conftest import PASSWORD
    from localbzz.tests.openapi import conforms, staff_token

    post = approved_post(owner, client_a, accounts.values())
    response = conforms("POST", "/api/v1/posts/{id}/request-changes", token=staff_token(owner, PASSWORD),
                        path_parameters={"id": str(post.pk)}, body="please redo", media_type="text/plain")  # fmt: skip
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
