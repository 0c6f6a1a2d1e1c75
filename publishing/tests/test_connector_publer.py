"""Publer: create/schedule, jobs with per-account failures, rate limit, update, delete, list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from publishing.connectors.base import ErrorKind, PlatformError
from publishing.connectors.publer import PublerConnector, PublerWorkspace, post_entry, workspace_accounts
from publishing.tests.conftest import make_account


def publer_account(account_id: str = "ws-demo-facebook", network: str = "facebook"):
    return make_account("publer", external_id=account_id, account_id=account_id, network=network)


def test_it_publishes_now_once(fake_platforms, publish_request, media):
    saved: list[dict] = []
    request = publish_request("publer", media=(media("a.jpg"),), target_id="t-pub", on_checkpoint=saved.append)

    result = PublerConnector().publish(request, {})

    [entry] = fake_platforms.ledger(platform="publer")
    assert (result.state, result.external_id) == ("published", entry["external_id"])
    assert (entry["operation"], entry["target_id"], entry["account"]) == ("publish", "t-pub", "ws-demo-facebook")
    assert entry["media_urls"][0].endswith(".jpg")
    assert saved[-1]["job_id"] and saved[-1]["media_ids"]
    assert requests.get(result.url, timeout=5).status_code == 200


@pytest.mark.parametrize("wrap, word", [(False, "complete"), (True, "completed")])
def test_it_schedules_ahead_and_reads_both_answer_shapes(fake_platforms, publish_request, wrap, word):
    fake_platforms.configure(**{"publer.wrap_data": wrap, "publer.complete_word": word})
    when = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)

    result = PublerConnector().publish(publish_request("publer", scheduled_at=when), {})

    [entry] = fake_platforms.ledger(platform="publer")
    assert (result.state, entry["operation"], entry["state"]) == ("scheduled", "schedule", "scheduled")
    assert datetime.fromisoformat(entry["scheduled_at"]) == when


def test_a_complete_job_with_failures_fails_just_those_accounts(fake_platforms, publish_request):
    ok, failing = publer_account("ws-demo-facebook"), publer_account("ws-demo-instagram", "instagram")
    fake_platforms.fail("publer", "publer_failures", "create", accounts=["ws-demo-instagram"], message="Token expired")
    workspace = PublerWorkspace("demo-token", "ws-demo")
    both = [post_entry(publish_request("publer", account=a), []) for a in (ok, failing)]

    job = workspace.wait(workspace.create(both, publish_now=True))

    assert job.status == "complete"
    assert job.failures == {"ws-demo-instagram": "Token expired"}
    assert [e["account"] for e in fake_platforms.ledger(platform="publer")] == ["ws-demo-facebook"]


def test_the_connector_reports_a_failure_of_its_account_even_in_a_complete_job(fake_platforms, publish_request):
    fake_platforms.fail("publer", "publer_failures", "create", accounts=["ws-demo-facebook"], message="Image too small")

    with pytest.raises(PlatformError) as caught:
        PublerConnector().publish(publish_request("publer"), {})

    assert caught.value.kind == ErrorKind.REJECTED
    assert "Image too small" in caught.value.message
    assert caught.value.checkpoint["job_id"]
    assert PublerConnector().verify(publish_request("publer"), caught.value.checkpoint) is None


def test_the_rate_limit_body_and_reset_header(fake_platforms, publish_request):
    fake_platforms.configure(**{"publer.rate_limit": 2})
    workspace = PublerWorkspace("demo-token", "ws-demo")
    workspace.accounts()
    workspace.accounts()

    with pytest.raises(PlatformError) as caught:
        workspace.accounts()

    raw = requests.get(
        f"{fake_platforms.url}/publer/api/v1/accounts",
        headers={"Authorization": "Bearer-API demo-token", "Publer-Workspace-Id": "ws-demo"},
        timeout=5,
    )
    assert raw.status_code == 429 and raw.json() == {"error": "Rate limit exceeded. Retry later."}
    assert raw.headers["X-RateLimit-Remaining"] == "0" and "Retry-After" not in raw.headers
    assert (caught.value.kind, caught.value.scope) == (ErrorKind.RATE_LIMITED, "app")
    assert 0 < caught.value.retry_after <= 120
    assert "Rate limit exceeded" in caught.value.message


def test_a_nearly_spent_window_asks_to_slow_down(fake_platforms, publish_request):
    fake_platforms.configure(**{"publer.rate_limit": 10})
    result = PublerConnector().publish(publish_request("publer"), {})  # 4 requests: create, 2 job reads, list

    assert result.slow_down is None
    workspace = PublerWorkspace("demo-token", "ws-demo")
    for _ in range(5):
        workspace.accounts()
    assert workspace.http.slow_down and workspace.http.slow_down[1] == "app"


def test_reschedule_falls_back_to_delete_and_create_when_publer_refuses(fake_platforms, publish_request):
    when = datetime.now(UTC) + timedelta(hours=2)
    first = PublerConnector().publish(publish_request("publer", scheduled_at=when), {})
    later = when + timedelta(days=1)

    update = PublerConnector().reschedule(publish_request("publer", scheduled_at=later), first.external_id)

    assert update.how == "recreated" and update.post_id != first.external_id
    states = {e["external_id"]: e["state"] for e in fake_platforms.ledger(platform="publer")}
    assert states == {first.external_id: "deleted", update.post_id: "scheduled"}
    [post] = PublerConnector().list_posts(publer_account(), state="scheduled")
    assert datetime.fromisoformat(post.scheduled_at) == later


def test_reschedule_through_put_when_publer_accepts_it(fake_platforms, publish_request):
    fake_platforms.configure(**{"publer.put_reschedule": True})
    when = datetime.now(UTC) + timedelta(hours=2)
    first = PublerConnector().publish(publish_request("publer", scheduled_at=when), {})

    update = PublerConnector().update(
        publish_request("publer", "New words", scheduled_at=when + timedelta(hours=1)), first.external_id
    )

    assert (update.how, update.post_id) == ("updated", first.external_id)
    [entry] = fake_platforms.ledger(platform="publer")
    assert entry["text"] == "New words"


def test_a_published_post_is_never_recreated(fake_platforms, publish_request):
    first = PublerConnector().publish(publish_request("publer"), {})

    with pytest.raises(PlatformError) as caught:
        PublerConnector().update(publish_request("publer", "changed"), first.external_id)

    assert caught.value.http_status == 403
    assert len(fake_platforms.ledger(platform="publer")) == 1


def test_delete_and_list(fake_platforms, publish_request):
    when = datetime.now(UTC) + timedelta(hours=3)
    first = PublerConnector().publish(publish_request("publer", "one", scheduled_at=when), {})
    PublerConnector().publish(publish_request("publer", "two", scheduled_at=when), {})

    deleted = PublerConnector().delete(publer_account(), [first.external_id])

    assert deleted == [first.external_id]
    assert [p.text for p in PublerConnector().list_posts(publer_account(), state="scheduled")] == ["two"]


def test_workspace_accounts_and_check_account(fake_platforms):
    accounts = workspace_accounts("demo-token", "ws-demo")

    assert {a.provider for a in accounts} >= {"facebook", "instagram", "linkedin"}
    assert PublerConnector().check_account(publer_account()).ok
    assert not PublerConnector().check_account(publer_account("gone")).ok


def test_an_unknown_key_is_auth_expired(fake_platforms, publish_request):
    with pytest.raises(PlatformError) as caught:
        PublerConnector().publish(publish_request("publer", token="not-a-key"), {})

    assert (caught.value.kind, caught.value.http_status) == (ErrorKind.AUTH_EXPIRED, 401)


def test_verify_finds_a_post_whose_answer_was_lost(fake_platforms, publish_request, settings):
    settings.PLATFORM_READ_TIMEOUT = 0.3
    fake_platforms.fail("publer", "hang", "create", seconds=2)
    request = publish_request("publer")

    with pytest.raises(PlatformError) as caught:
        PublerConnector().publish(request, {})

    assert caught.value.kind == ErrorKind.UNKNOWN_OUTCOME
    assert "job_id" not in caught.value.checkpoint
    found = PublerConnector().verify(request, caught.value.checkpoint)
    assert found.external_id == fake_platforms.ledger(platform="publer")[0]["external_id"]
    assert PublerConnector().verify(publish_request("publer", "never sent"), {}) is None


def test_the_fake_requires_the_workspace_header_and_the_bearer_api_scheme(fake_platforms):
    url = f"{fake_platforms.url}/publer/api/v1/accounts"

    no_workspace = requests.get(url, headers={"Authorization": "Bearer-API demo-token"}, timeout=5)
    plain_bearer = requests.get(
        url, headers={"Authorization": "Bearer demo-token", "Publer-Workspace-Id": "w"}, timeout=5
    )

    assert no_workspace.status_code == 403 and no_workspace.json()["errors"]
    assert plain_bearer.status_code == 401
