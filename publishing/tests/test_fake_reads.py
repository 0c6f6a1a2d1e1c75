"""The fakes answer the read parameters verification uses the way the platforms do: newest first,
time filters, page sizes and cursors (platform-contracts.md §10; docs/architecture.md "Verification")."""

from __future__ import annotations

import time
from email.message import Message
from urllib.parse import parse_qs, urlsplit

import requests

from publishing.fakes.core import Request

GRAPH = "/graph/v23.0"
LI_HEADERS = {"Authorization": "Bearer demo-li", "LinkedIn-Version": "202506", "X-Restli-Protocol-Version": "2.0.0"}


def _published(fake, platform: str, account: str, count: int, *, ago: float = 0, **extra) -> list[dict]:
    """``count`` ledger entries, oldest first, the first one ``ago`` seconds in the past."""
    request = Request("POST", "/", {}, Message(), b"", fake.url)
    entries = []
    for number in range(count):
        entry = fake.record(request, platform, account=account, external_id=f"{account}_{number}",
                            text=f"post {number}", **extra)  # fmt: skip
        entry["received"] -= ago
        entries.append(entry)
    return entries


def _get(fake, path: str, token: str = "demo-token", headers=None, **params) -> requests.Response:
    return requests.get(
        f"{fake.url}{path}", params=params, headers=headers or {"Authorization": f"Bearer {token}"}, timeout=5
    )


def test_the_page_feed_pages_newest_first_within_since_and_until(fake_platforms):
    _published(fake_platforms, "facebook", "10001", 3, ago=3600, kind="feed")  # an hour ago
    _published(fake_platforms, "facebook", "10001", 130, kind="feed")
    since = int(time.time()) - 600
    first = _get(fake_platforms, f"{GRAPH}/10001/published_posts", since=since, limit=100).json()
    assert len(first["data"]) == 100 and first["data"][0]["message"] == "post 129"
    assert first["data"][0]["created_time"].endswith("+0000")
    assert parse_qs(urlsplit(first["paging"]["next"]).query)["after"] == [first["paging"]["cursors"]["after"]]
    second = _get(
        fake_platforms, f"{GRAPH}/10001/feed", since=since, limit=100, after=first["paging"]["cursors"]["after"]
    ).json()
    assert [d["message"] for d in second["data"]] == [f"post {n}" for n in range(29, -1, -1)]
    assert "next" not in second["paging"]  # the hour-old posts are before `since`
    assert len(_get(fake_platforms, f"{GRAPH}/10001/feed", limit=500).json()["data"]) == 100  # at most 100
    assert _get(fake_platforms, f"{GRAPH}/10001/feed", until=since).json()["data"][0]["message"] == "post 2"


def test_instagram_media_pages_with_since_and_cursors(fake_platforms):
    _published(fake_platforms, "instagram", "17841400001", 30)
    first = _get(fake_platforms, f"{GRAPH}/17841400001/media", since=int(time.time()) - 60, limit=25).json()
    assert len(first["data"]) == 25 and first["data"][0]["caption"] == "post 29"
    after = first["paging"]["cursors"]["after"]
    rest = _get(fake_platforms, f"{GRAPH}/17841400001/media", limit=25, after=after).json()
    assert [m["caption"] for m in rest["data"]] == [f"post {n}" for n in range(4, -1, -1)]
    assert _get(fake_platforms, f"{GRAPH}/17841400001/media", after="garbage").json()["error"]["code"] == 100


def test_x_user_posts_take_start_time_max_results_and_pagination_tokens(fake_platforms):
    fake_platforms.register_token("demo-x-reader", "x", "4242")
    _published(fake_platforms, "x", "4242", 2, ago=7200)
    _published(fake_platforms, "x", "4242", 12)
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    first = _get(fake_platforms, "/x/2/users/4242/tweets", "demo-x-reader", start_time=start, max_results=10).json()
    assert [t["text"] for t in first["data"]][:2] == ["post 11", "post 10"] and first["meta"]["result_count"] == 10
    token = first["meta"]["next_token"]
    rest = _get(fake_platforms, "/x/2/users/4242/tweets", "demo-x-reader", start_time=start, max_results=10,
                pagination_token=token).json()  # fmt: skip
    assert [t["text"] for t in rest["data"]] == ["post 1", "post 0"] and "next_token" not in rest["meta"]
    assert _get(fake_platforms, "/x/2/users/4242/tweets", "demo-x-reader", max_results=200).status_code == 400


def test_linkedin_posts_by_author_page_with_start_and_count(fake_platforms):
    author = "urn:li:organization:77"
    _published(fake_platforms, "linkedin", author, 25, commentary="c")
    page = _get(fake_platforms, "/linkedin/rest/posts", headers=LI_HEADERS, q="author", author=author, count=20,
                sortBy="CREATED").json()  # fmt: skip
    assert len(page["elements"]) == 20 and page["elements"][0]["id"] == f"{author}_24"
    assert page["elements"][0]["createdAt"] >= page["elements"][-1]["createdAt"]
    assert page["paging"]["links"][0]["rel"] == "next"
    rest = _get(fake_platforms, "/linkedin/rest/posts", headers=LI_HEADERS, q="author", author=author, count=20,
                start=20).json()  # fmt: skip
    assert [e["id"] for e in rest["elements"]] == [f"{author}_{n}" for n in range(4, -1, -1)]
    assert rest["paging"]["links"] == []


def test_google_local_posts_page_with_page_tokens(fake_platforms):
    location = "accounts/1/locations/2"
    body = {"summary": "hello", "topicType": "STANDARD", "languageCode": "en"}
    for number in range(3):
        requests.post(f"{fake_platforms.url}/gbp/v4/{location}/localPosts", json={**body, "summary": f"post {number}"},
                      headers={"Authorization": "Bearer demo-g"}, timeout=5)  # fmt: skip
    first = _get(fake_platforms, f"/gbp/v4/{location}/localPosts", "demo-g", pageSize=2).json()
    assert [p["summary"] for p in first["localPosts"]] == ["post 2", "post 1"] and first["localPosts"][0]["createTime"]
    rest = _get(fake_platforms, f"/gbp/v4/{location}/localPosts", "demo-g", pageSize=2,
                pageToken=first["nextPageToken"]).json()  # fmt: skip
    assert [p["summary"] for p in rest["localPosts"]] == ["post 0"] and "nextPageToken" not in rest
