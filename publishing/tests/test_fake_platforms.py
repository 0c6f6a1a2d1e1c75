"""The fake platforms themselves: control over HTTP, latency, ledger, post pages, contracts they enforce."""

from __future__ import annotations

import time

import requests

GRAPH = "/graph/v23.0"


def test_control_over_http_sets_latency_faults_tokens_and_config(fake_platforms):
    answer = requests.post(
        f"{fake_platforms.url}/_fake/control",
        json={
            "latency": {"x": 0.1},
            "faults": [{"platform": "x", "operation": "tweets", "kind": "http_500", "times": 2}],
            "tokens": [{"token": "ctl-token", "platform": "x", "subject": "42"}],
            "config": {"instagram.quota_total": 7},
        },
        timeout=5,
    )

    assert answer.status_code == 200
    state = answer.json()
    assert state["latency"] == {"x": 0.1}
    assert state["faults"] == [{"platform": "x", "operation": "tweets", "kind": "http_500", "times": 2}]
    assert state["config"]["instagram.quota_total"] == 7
    assert "ctl-token" not in answer.text  # tokens are shown shortened
    started = time.monotonic()
    me = requests.get(f"{fake_platforms.url}/x/2/users/me", headers={"Authorization": "Bearer ctl-token"}, timeout=5)
    assert time.monotonic() - started >= 0.1
    assert me.json()["data"]["id"] == "42"


def test_control_refuses_unknown_settings(fake_platforms):
    answer = requests.post(f"{fake_platforms.url}/_fake/control", json={"config": {"nope": 1}}, timeout=5)

    assert answer.status_code == 400


def test_ledger_reset_and_post_pages_over_http(fake_platforms):
    headers = {"Authorization": "Bearer demo-token", "X-LocalBzz-Target": "target-77"}
    posted = requests.post(
        f"{fake_platforms.url}/x/2/tweets", json={"text": "<b>Hi</b> there"}, headers=headers, timeout=5
    )
    assert posted.status_code == 201 and posted.json()["data"]["text"] == "<b>Hi</b> there"

    ledger = requests.get(f"{fake_platforms.url}/_fake/ledger", params={"target_id": "target-77"}, timeout=5).json()
    [entry] = ledger["items"]
    assert entry["external_id"] == posted.json()["data"]["id"]
    assert entry["received_at"].count(".") == 1 and len(entry["received_at"].split(".")[1]) >= 6  # microseconds
    page = requests.get(entry["page"], timeout=5)
    assert page.status_code == 200 and "&lt;b&gt;Hi&lt;/b&gt; there" in page.text
    assert "&lt;b&gt;Hi" in requests.get(f"{fake_platforms.url}/_fake/", timeout=5).text

    assert requests.post(f"{fake_platforms.url}/_fake/reset", timeout=5).json() == {"reset": True}
    assert requests.get(f"{fake_platforms.url}/_fake/ledger", timeout=5).json()["total"] == 0


def test_instagram_media_publish_refuses_an_unfinished_container(fake_platforms):
    fake_platforms.configure(**{"instagram.image_polls": 2})
    auth = {"Authorization": "OAuth demo-token"}
    created = requests.post(
        f"{fake_platforms.url}{GRAPH}/17841400001/media",
        data={"image_url": fake_platforms.media_url("a.jpg"), "caption": "hi"},
        headers=auth,
        timeout=5,
    ).json()

    refused = requests.post(
        f"{fake_platforms.url}{GRAPH}/17841400001/media_publish",
        data={"creation_id": created["id"]},
        headers=auth,
        timeout=5,
    )

    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], refused.json()["error"]["error_subcode"]) == (9007, 2207027)
    assert fake_platforms.ledger() == []


def test_meta_answers_190_in_a_400_body_for_unknown_and_expired_tokens(fake_platforms):
    unknown = requests.get(f"{fake_platforms.url}{GRAPH}/me", headers={"Authorization": "OAuth who-knows"}, timeout=5)
    fake_platforms.expire_token("demo-gone")
    expired = requests.get(f"{fake_platforms.url}{GRAPH}/me", headers={"Authorization": "OAuth demo-gone"}, timeout=5)

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, 190)
    assert (expired.status_code, expired.json()["error"]["code"]) == (400, 190)


def test_a_hang_records_the_publish_then_answers_late(fake_platforms):
    fake_platforms.fail("x", "hang", "tweets", seconds=0.4)
    started = time.monotonic()

    answer = requests.post(
        f"{fake_platforms.url}/x/2/tweets", json={"text": "late"}, headers={"Authorization": "Bearer demo-t"}, timeout=5
    )

    assert answer.status_code == 201 and time.monotonic() - started >= 0.4
    assert [e["text"] for e in fake_platforms.ledger()] == ["late"]


def test_every_platform_url_of_settings_is_served_by_the_fake(fake_platforms, settings):
    authorize = "?client_id=app&redirect_uri=http://localhost/cb&state=s"
    probes = {
        "facebook_graph": ("GET", "/me", 400),
        "facebook_graph_video": ("POST", "/10001/videos", 400),
        "meta_oauth_dialog": ("GET", authorize, 302),
        "facebook_web": ("GET", "/1_2", 404),
        "linkedin_api": ("GET", "/v2/userinfo", 401),
        "linkedin_oauth": ("GET", "/authorization" + authorize, 302),
        "linkedin_web": ("GET", "/feed/update/urn:li:share:1", 404),
        "x_api": ("GET", "/2/users/me", 401),
        "x_oauth_authorize": ("GET", authorize, 302),
        "x_oauth_token": ("POST", "", 401),
        "x_web": ("GET", "/i/web/status/1", 404),
        "google_business": ("GET", "/accounts/1/locations/2/localPosts", 401),
        "publer": ("GET", "/accounts", 401),
        "google_business_performance": ("GET", "/locations/2:fetchMultiDailyMetricsTimeSeries", 401),
        "google_oauth_authorize": ("GET", authorize + "&response_type=code&scope=drive", 302),
        "google_oauth_token": ("POST", "", 400),
        "google_drive": ("GET", "/files", 401),
        "google_drive_upload": ("POST", "/files?uploadType=resumable", 401),
        "dropbox_authorize": ("GET", authorize + "&response_type=code", 302),
        "dropbox_api": ("POST", "/2/files/list_folder", 401),
        "dropbox_content": ("POST", "/2/files/download", 401),
    }
    assert set(probes) == set(settings.PLATFORM_URLS)
    for key, (method, path, status) in probes.items():
        answer = requests.request(method, settings.PLATFORM_URLS[key] + path, allow_redirects=False, timeout=5)
        assert answer.status_code == status, key
