"""Fake Publer API (v1): workspace accounts, media, bulk create/schedule jobs, posts, rate limit.

Faithful to platform-contracts.md §4: ``Authorization: Bearer-API <key>`` (401 otherwise) and
``Publer-Workspace-Id`` (403 without); jobs answer ``working`` for ``publer.job_polls`` reads, then
``complete`` (or ``completed``) — possibly carrying per-account ``payload.failures`` (queue a
``publer_failures`` fault with ``accounts``); 100 requests per 2-minute fixed window per key
with ``X-RateLimit-Limit/-Remaining/-Reset`` and the 429 body ``{"error": "Rate limit exceeded.
Retry later."}``; ``PUT /posts/{id}`` may not change ``scheduled_at`` unless
``publer.put_reschedule`` is on (422); errors are ``{"errors": [...]}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from publishing.fakes import metrics
from publishing.fakes.core import FakePlatforms, Reply, Request, Response, route

API = r"^/publer/api/v1"
RATE_BODY = {"error": "Rate limit exceeded. Retry later."}


def error(fake: FakePlatforms, kind: str, params: dict[str, Any]) -> Response:
    if kind == "http_500":
        return Response(500, {"errors": ["Something went wrong on our side. Please try again."]})
    if kind == "rate_limit":
        limit, window = fake.config["publer.rate_limit"], fake.config["publer.rate_window"]
        reset = int(time.time() + float(params.get("seconds", window)))
        return Response(
            429,
            dict(RATE_BODY),
            {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        )
    if kind == "token_expired":
        return Response(401, {"errors": ["Invalid API key"]})
    if kind == "duplicate":
        return Response(422, {"errors": ["This post is a duplicate of a post already scheduled for this account"]})
    return Response(int(params.get("status", 422)), {"errors": [params.get("message", "Unprocessable")]})


def _wrap(fake: FakePlatforms, body: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "data": body} if fake.config["publer.wrap_data"] else body


def install(fake: FakePlatforms) -> None:
    fake.errors["publer"] = error
    fake.decorators["publer"] = _rate_headers

    def auth(request: Request) -> str:
        if not request.headers.get("Authorization", "").startswith("Bearer-API "):
            raise Reply(Response(401, {"errors": ["Missing or malformed Authorization header (Bearer-API <key>)"]}))
        key = request.token()
        if fake.token_state(key, "publer") != "ok":
            raise Reply(Response(401, {"errors": ["Invalid API key"]}))
        workspace = request.headers.get("Publer-Workspace-Id", "")
        if not workspace:
            raise Reply(Response(403, {"errors": ["Publer-Workspace-Id header is required"]}))
        windows = fake.objects("publer_windows")
        slot = (key, int(time.time()) // fake.config["publer.rate_window"])
        windows[slot] = windows.get(slot, 0) + 1
        request.rate_slot = slot  # type: ignore[attr-defined] - read by _rate_headers
        if windows[slot] > fake.config["publer.rate_limit"]:
            raise Reply(Response(429, dict(RATE_BODY)))
        return workspace

    posts = lambda: fake.objects("publer_posts")  # noqa: E731 - the store is replaced on reset
    jobs = lambda: fake.objects("publer_jobs")  # noqa: E731

    @route(fake, "GET", API + r"/accounts$", "publer", "accounts")
    def accounts(fake: FakePlatforms, request: Request, match) -> Response:
        workspace = auth(request)
        registered = fake.objects("publer_accounts").get(workspace)
        return Response(200, registered if registered is not None else demo_accounts(workspace))

    @route(fake, "POST", API + r"/media$", "publer", "media")
    def upload(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        item = request.files().get("file") if request.headers.get("Content-Type", "").startswith("multipart/") else None
        if not isinstance(item, tuple) or not item[1]:
            return Response(422, {"errors": ["file is required"]})
        if len(item[1]) > 200 * 1024 * 1024:
            return Response(413, {"errors": ["File too large"]})
        media_id = f"m{fake.next_id()}"
        path = f"{request.base_url}/_fake/media/{media_id}{'.mp4' if item[2].startswith('video') else '.jpg'}"
        fake.objects("publer_media")[media_id] = path
        kind = "video" if item[2].startswith("video") else "image"
        return Response(
            200,
            {
                "id": media_id,
                "path": path,
                "thumbnail": path,
                "width": 8,
                "height": 8,
                "type": kind,
                "name": item[0],
                "validity": {},
            },
        )

    @route(fake, "POST", API + r"/posts/schedule(?P<now>/publish)?$", "publer", "create")
    def create(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        bulk = (request.json() or {}).get("bulk") or {}
        publish_now = bool(match["now"])
        entries = bulk.get("posts") or []
        if not entries:
            return Response(422, {"errors": ["bulk.posts is required"]})
        fault = fake.take_fault("publer", "create", {"publer_failures"})
        failing = {str(a) for a in (fault.params.get("accounts") or [])} if fault else set()
        failures, created = [], []
        for entry in entries:
            networks = entry.get("networks") or {}
            if not networks or not entry.get("accounts"):
                return Response(422, {"errors": ["Each post needs networks and accounts"]})
            network, content = next(iter(networks.items()))
            for account in entry["accounts"]:
                when = _parse(account.get("scheduled_at", ""))
                if not publish_now and (when is None or when < datetime.now(UTC) + timedelta(seconds=55)):
                    return Response(
                        422, {"errors": ["scheduled_at must be at least 1 minute in the future (ISO-8601 with offset)"]}
                    )
                account_id = str(account.get("id"))
                if account_id in failing:
                    message = fault.params.get("message", "The account needs to be reconnected in Publer")
                    failures.append({"account_id": account_id, "provider": network, "message": message})
                    continue
                created.append(_post(fake, request, posts(), network, content, account_id, when, publish_now))
        job_id = f"job-{fake.next_id()}"
        jobs()[job_id] = {"polls_left": fake.config["publer.job_polls"], "failures": failures, "posts": created}
        return Response(200, _wrap(fake, {"job_id": job_id}))

    @route(fake, "GET", API + r"/job_status/(?P<job>[\w-]+)$", "publer", "job")
    def job_status(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        job = jobs().get(match["job"])
        if not job:
            return Response(404, {"errors": ["Job not found"]})
        if job["polls_left"] > 0:
            job["polls_left"] -= 1
            return Response(200, _wrap(fake, {"status": "working", "payload": {}}))
        return Response(
            200, _wrap(fake, {"status": fake.config["publer.complete_word"], "payload": {"failures": job["failures"]}})
        )

    install_insights(fake, auth)

    @route(fake, "GET", API + r"/posts$", "publer", "posts")
    def list_posts(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        wanted_accounts = set(request.query.get("account_ids[]", []))
        state = request.arg("state")
        try:  # from/to bound the post's time (scheduled_at); a bare date covers its whole day
            start = _bound(request.arg("from"), end=False)
            end = _bound(request.arg("to"), end=True)
        except ValueError:
            return Response(422, {"errors": ["from and to must be dates or ISO-8601 times"]})
        found = sorted(
            (
                p
                for p in posts().values()
                if (not state or p["state"] == state)
                and (not wanted_accounts or p["account_id"] in wanted_accounts)
                and (start is None or _parse(p["scheduled_at"]) >= start)
                and (end is None or _parse(p["scheduled_at"]) <= end)
            ),
            key=lambda p: (_parse(p["scheduled_at"]), int(p["id"][1:])),
            reverse=True,
        )
        page, per_page = int(request.arg("page", "0")), 20
        chunk = found[page * per_page : (page + 1) * per_page]
        total_pages = (len(found) + per_page - 1) // per_page
        return Response(
            200, {"posts": chunk, "total": len(found), "page": page, "per_page": per_page, "total_pages": total_pages}
        )

    @route(fake, "PUT", API + r"/posts/(?P<post>\w+)$", "publer", "update")
    def update(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        post = posts().get(match["post"])
        if not post:
            return Response(404, {"errors": ["Post not found"]})
        if post["state"] == "published":
            return Response(403, {"errors": ["Published posts cannot be updated"]})
        changes = (request.json() or {}).get("post") or {}
        if "scheduled_at" in changes and changes["scheduled_at"] != post["scheduled_at"]:
            if not fake.config["publer.put_reschedule"]:
                return Response(422, {"errors": ["The schedule of this post cannot be updated"]})
            post["scheduled_at"] = changes["scheduled_at"]
        post["text"] = changes.get("text", post["text"])
        for entry in fake.entries:
            if entry["platform"] == "publer" and entry["external_id"] == post["id"]:
                entry.update(text=post["text"], scheduled_at=post["scheduled_at"])
        return Response(200, _wrap(fake, {"post": post}))

    @route(fake, "DELETE", API + r"/posts$", "publer", "delete")
    def delete(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        deleted = [i for i in request.query.get("post_ids[]", []) if posts().pop(i, None)]
        for entry in fake.entries:
            if entry["platform"] == "publer" and entry["external_id"] in deleted:
                entry["state"] = "deleted"
        return Response(200, _wrap(fake, {"deleted_ids": deleted}))


def _post(fake, request, store, network, content, account_id, when, publish_now) -> str:
    post_id = f"p{fake.next_id()}"
    media_urls = [fake.objects("publer_media").get(m.get("id"), "") for m in content.get("media") or []]
    url = f"{request.base_url}/publer-web/posts/{post_id}"
    scheduled_at = (when or datetime.now(UTC)).isoformat()
    store[post_id] = {
        "id": post_id,
        "text": content.get("text", ""),
        "state": "published" if publish_now else "scheduled",
        "type": content.get("type", "status"),
        "account_id": account_id,
        "scheduled_at": scheduled_at,
        "post_link": url if publish_now else "",
        "network": network,
    }
    fake.record(
        request,
        "publer",
        account=account_id,
        external_id=post_id,
        text=content.get("text", ""),
        media_urls=media_urls,
        url=url,
        network=network,
        operation="publish" if publish_now else "schedule",
        state=store[post_id]["state"],
        scheduled_at=scheduled_at,
    )
    return post_id


def demo_accounts(workspace: str) -> list[dict[str, Any]]:
    """A workspace nobody registered accounts for holds one account per network."""
    return [
        {
            "id": f"{workspace}-{p}",
            "provider": p,
            "name": f"Demo {p.title()}",
            "social_id": f"{p}-1",
            "picture": "",
            "type": "page",
        }
        for p in ("facebook", "instagram", "linkedin", "twitter", "google")
    ]


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _bound(value: str, *, end: bool) -> datetime | None:
    if not value:
        return None
    if len(value) == 10:  # YYYY-MM-DD
        day = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return day + timedelta(days=1) - timedelta(microseconds=1) if end else day
    parsed = _parse(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


def _rate_headers(fake: FakePlatforms, request: Request, response: Response) -> None:
    slot = getattr(request, "rate_slot", None)
    if slot is None or "X-RateLimit-Limit" in response.headers:
        return
    limit, window = fake.config["publer.rate_limit"], fake.config["publer.rate_window"]
    used = fake.objects("publer_windows").get(slot, 0)
    response.headers.update(
        {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - used)),
            "X-RateLimit-Reset": str((slot[1] + 1) * window),
        }
    )


# Insights: Publer's analytics (publer.com/docs, "Analytics"; see docs/architecture.md) --------------


def install_insights(fake: FakePlatforms, auth: Callable[[Request], str]) -> None:
    """``GET /analytics/{account_id}/post_insights?from=&to=&page=``: the account's published posts
    in the period, newest first, 10 a page, each with its ``analytics``."""

    @metrics.insights_route(fake, "GET", API + r"/analytics/(?P<account>[\w-]+)/post_insights$", "publer")
    def post_insights(fake: FakePlatforms, request: Request, match) -> Response:
        auth(request)
        if metrics.missing_permission(fake, request, "analytics"):
            return Response(403, {"errors": ["Permission denied - requires analytics access or paying subscription"]})
        try:
            start = _bound(request.arg("from"), end=False)
            end = _bound(request.arg("to"), end=True)
            page = max(0, int(request.arg("page", "0")))
        except ValueError:
            return Response(422, {"errors": ["from and to must be dates (YYYY-MM-DD); page a number"]})
        if start is None or end is None:
            return Response(422, {"errors": ["from and to are required"]})
        found = sorted(
            (
                p
                for p in fake.objects("publer_posts").values()
                if p["state"] == "published"
                and p["account_id"] == match["account"]
                and start <= _parse(p["scheduled_at"]) <= end
            ),
            key=lambda p: (_parse(p["scheduled_at"]), int(p["id"][1:])),
            reverse=True,
        )
        out = []
        for post in found[page * 10 : (page + 1) * 10]:
            published = _parse(post["scheduled_at"])
            f = metrics.post_figures(post["id"], time.time() - published.timestamp())
            engagement = f.likes + f.comments + f.shares
            out.append(
                {"id": post["id"], "text": post["text"], "title": "", "scheduled_at": post["scheduled_at"],
                 "post_type": post["type"], "account_id": post["account_id"], "details": {"labels": []},
                 "analytics": {"reach": f.reach, "likes": f.likes, "comments": f.comments, "shares": f.shares,
                               "engagement": engagement,
                               "engagement_rate": round(100 * engagement / f.reach, 2) if f.reach else 0,
                               "video_views": f.video_views if post["type"] == "video" else 0,
                               "link_clicks": f.clicks // 2, "post_clicks": f.clicks - f.clicks // 2,
                               "saves": f.saves}}
            )  # fmt: skip
        return Response(200, {"posts": out, "total": len(found)})
