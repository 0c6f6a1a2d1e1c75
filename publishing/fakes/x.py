"""Fake X API v2: posts, media upload with processing_info, users/me, OAuth 2 with PKCE.

Faithful to platform-contracts.md §6: ``POST /2/tweets`` answers 201 ``{"data": {"id", "text"}}``;
errors are ``{"title", "detail", "type", "status"}``; every post answer carries
``x-rate-limit-limit/-remaining/-reset`` (a 15-minute window per token, ``x.rate_limit``) and a
spent window is 429; the same text twice from one user is 403 duplicate.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from publishing.fakes import metrics
from publishing.fakes.core import (
    FakePlatforms,
    Reply,
    Request,
    Response,
    iso_z,
    keyset_page,
    newest_first,
    parse_when,
    route,
)
from publishing.fakes.linkedin import token_exchange
from publishing.fakes.meta import authorize_redirect

API = r"^/x"
WINDOW = 15 * 60


def x_error(status: int, title: str, detail: str, **headers: str) -> Response:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status}
    return Response(status, body, dict(headers))


def _window_headers(remaining: int, limit: int) -> dict[str, str]:
    reset = (int(time.time()) // WINDOW + 1) * WINDOW
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(max(0, remaining)),
        "x-rate-limit-reset": str(reset),
    }


def error(fake: FakePlatforms, kind: str, params: dict[str, Any]) -> Response:
    if kind == "http_500":
        return x_error(503, "Service Unavailable", "Service Unavailable")
    if kind == "rate_limit":
        headers = _window_headers(0, fake.config["x.rate_limit"])
        if "seconds" in params:
            headers["x-rate-limit-reset"] = str(int(time.time() + float(params["seconds"])))
        return x_error(429, "Too Many Requests", "Too Many Requests", **headers)
    if kind == "token_expired":
        return x_error(401, "Unauthorized", "Unauthorized")
    if kind == "duplicate":
        return x_error(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
    return x_error(
        int(params.get("status", 400)), "Invalid Request", params.get("message", "One or more parameters are invalid.")
    )


def auth(fake: FakePlatforms, request: Request) -> str:
    token = request.token()
    if fake.token_state(token, "x") != "ok":
        raise Reply(x_error(401, "Unauthorized", "Unauthorized"))
    return token


DEMO_USER_ID = "2244994945"  # whom a token the fake did not issue acts for (the demo X account's id)


def install(fake: FakePlatforms) -> None:
    fake.errors["x"] = error
    uploads = lambda: fake.objects("x")  # noqa: E731 - the store is replaced on reset

    @route(fake, "POST", API + r"/2/tweets$", "x", "tweets")
    def create(fake: FakePlatforms, request: Request, match) -> Response:
        token = auth(fake, request)
        user = _user(fake, token)
        counts = fake.objects("x_windows")
        key = (token, int(time.time()) // WINDOW)
        counts[key] = counts.get(key, 0) + 1
        limit = fake.config["x.rate_limit"]
        headers = _window_headers(limit - counts[key], limit)
        if counts[key] > limit:
            return x_error(429, "Too Many Requests", "Too Many Requests", **headers)
        body = request.json() or {}
        text = body.get("text", "")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        if not text and not media_ids:
            return x_error(400, "Invalid Request", "One or more parameters to your request was invalid.")
        if any(e["text"] == text for e in fake.ledger("x", account=user)):
            return x_error(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        urls = []
        for media_id in media_ids:
            found = uploads().get(str(media_id))
            if not found or found["polls_left"] > 0:
                return x_error(400, "Invalid Request", f"media_id {media_id} is not ready or unknown")
            urls.append(found["url"])
        tweet_id = str(1_800_000_000_000_000_000 + fake.next_id())
        fake.record(
            request,
            "x",
            account=user,
            external_id=tweet_id,
            text=text,
            media_urls=urls,
            url=f"{request.base_url}/x-web/i/web/status/{tweet_id}",
        )
        return Response(201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}, headers)

    @route(fake, "POST", API + r"/2/media/upload$", "x", "media_upload")
    def upload(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        parts = request.files() if request.headers.get("Content-Type", "").startswith("multipart/") else {}
        item = parts.get("media")
        if not isinstance(item, tuple) or not item[1]:
            return x_error(400, "Invalid Request", "media is required (multipart field 'media')")
        if len(item[1]) > 5 * 1024 * 1024:
            return x_error(400, "Invalid Request", "Images must be 5 MB or smaller")
        media_id = str(1_900_000_000_000_000_000 + fake.next_id())
        polls = fake.config["x.media_polls"]
        data_url = f"data:{item[2]};base64," + base64.b64encode(item[1][:200_000]).decode()
        uploads()[media_id] = {"polls_left": polls, "url": data_url}
        data: dict[str, Any] = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(item[1]),
            "expires_after_secs": 86400,
        }
        if polls:
            data["processing_info"] = {"state": "pending", "check_after_secs": 1}
        return Response(200, {"data": data})

    @route(fake, "GET", API + r"/2/media/upload$", "x", "media_status")
    def media_status(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        found = uploads().get(request.arg("media_id"))
        if not found:
            return x_error(400, "Invalid Request", "Unknown media_id")
        if found["polls_left"] > 0:
            found["polls_left"] -= 1
        state = "in_progress" if found["polls_left"] > 0 else "succeeded"
        info = {"state": state, "progress_percent": 100 if state == "succeeded" else 50}
        if state != "succeeded":
            info["check_after_secs"] = 1
        return Response(200, {"data": {"id": request.arg("media_id"), "processing_info": info}})

    @route(fake, "GET", API + r"/2/users/me$", "x", "read")
    def me(fake: FakePlatforms, request: Request, match) -> Response:
        user = _user(fake, auth(fake, request))
        return Response(200, {"data": {"id": user, "name": "Bella Bakery", "username": "bellabakery"}})

    @route(fake, "GET", API + r"/2/users/(?P<user>\d+)/tweets$", "x", "read")
    def timeline(fake: FakePlatforms, request: Request, match) -> Response:
        """Newest first; ``start_time``/``end_time`` (ISO 8601), ``max_results`` 5–100 (default 10,
        else 400), ``pagination_token`` ↔ ``meta.next_token``."""
        auth(fake, request)
        try:
            size = int(request.arg("max_results", "10"))
            if not 5 <= size <= 100:
                raise ValueError("max_results must be between 5 and 100")
            start, end = parse_when(request.arg("start_time")), parse_when(request.arg("end_time"))
            entries = newest_first(fake.ledger("x", account=match["user"]), start, end)
            chunk, token = keyset_page(entries, request.arg("pagination_token"), size)
        except ValueError as exc:
            return x_error(400, "Invalid Request", f"One or more parameters to your request was invalid: {exc}")
        data = [{"id": e["external_id"], "text": e["text"], "created_at": iso_z(e["received"])} for e in chunk]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        if token:
            meta["next_token"] = token
        return Response(200, {"data": data, "meta": meta} if data else {"meta": meta})

    install_insights(fake)

    @route(fake, "GET", r"^/x-oauth/i/oauth2/authorize$", "x", "oauth")
    def authorize(fake: FakePlatforms, request: Request, match) -> Response:
        return authorize_redirect(fake, request)

    @route(fake, "POST", API + r"/2/oauth2/token$", "x", "oauth")
    def token(fake: FakePlatforms, request: Request, match) -> Response:
        basic = request.headers.get("Authorization", "")
        secret = ""
        if basic.startswith("Basic "):
            secret = base64.b64decode(basic[6:]).decode().partition(":")[2]
        return token_exchange(fake, request, "x", secret)


# Insights (platform-contracts.md §11) ---------------------------------------------------------------


def _reads(fake: FakePlatforms, token: str) -> dict[str, str]:
    """Count a read in the token's 15-minute window; its x-rate-limit-* headers (429 when over)."""
    counts = fake.objects("x_read_windows")
    key = (token, int(time.time()) // WINDOW)
    counts[key] = counts.get(key, 0) + 1
    limit = fake.config["x.rate_limit"]
    headers = _window_headers(limit - counts[key], limit)
    if counts[key] > limit:
        raise Reply(x_error(429, "Too Many Requests", "Too Many Requests", **headers))
    return headers


def install_insights(fake: FakePlatforms) -> None:
    """Tweets' public_metrics by id (up to 100 a call) and a user's followers."""

    @metrics.insights_route(fake, "GET", API + r"/2/tweets$", "x")
    def tweets(fake: FakePlatforms, request: Request, match) -> Response:
        token = auth(fake, request)
        if metrics.missing_permission(fake, request, "tweet.read"):
            return x_error(403, "Forbidden", "You are not permitted to perform this action (tweet.read).")
        headers = _reads(fake, token)
        ids = [i for i in request.arg("ids").split(",") if i]
        if not 1 <= len(ids) <= 100 or not all(i.isdigit() for i in ids):
            return x_error(400, "Invalid Request", "The `ids` query parameter value must be 1 to 100 tweet ids.")
        fields = request.arg("tweet.fields").split(",")
        data, errors = [], []
        for tweet_id in ids:
            entry = fake.find_entry("x", tweet_id)
            if entry is None:
                errors.append(
                    {"value": tweet_id, "detail": f"Could not find tweet with ids: [{tweet_id}].",
                     "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                     "resource_id": tweet_id, "type": "https://api.twitter.com/2/problems/resource-not-found"}
                )  # fmt: skip
                continue
            item: dict[str, Any] = {"id": tweet_id, "text": entry["text"], "edit_history_tweet_ids": [tweet_id]}
            if "public_metrics" in fields:
                f = metrics.post_figures(tweet_id, metrics.age(entry))
                item["public_metrics"] = {
                    "retweet_count": f.shares, "reply_count": f.comments, "like_count": f.likes,
                    "quote_count": f.quotes, "bookmark_count": f.saves, "impression_count": f.impressions,
                }  # fmt: skip
            if "created_at" in fields:
                item["created_at"] = iso_z(entry["received"])
            data.append(item)
        body: dict[str, Any] = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return Response(200, body, headers)

    @metrics.insights_route(fake, "GET", API + r"/2/users/(?P<user>\d+)$", "x")
    def user(fake: FakePlatforms, request: Request, match) -> Response:
        headers = _reads(fake, auth(fake, request))
        item: dict[str, Any] = {"id": match["user"], "name": "Demo", "username": f"user{match['user'][-4:]}"}
        if "public_metrics" in request.arg("user.fields").split(","):
            tweets = len(fake.ledger("x", account=match["user"]))
            item["public_metrics"] = {"followers_count": metrics.followers(match["user"]), "following_count": 180,
                                      "tweet_count": tweets, "listed_count": 3, "like_count": 250}  # fmt: skip
        return Response(200, {"data": item}, headers)


def _user(fake: FakePlatforms, token: str) -> str:
    """The X user a token acts for: its registered subject, else the demo user."""
    known = fake.tokens.get(token)
    return known.subject if known and known.subject else DEMO_USER_ID
