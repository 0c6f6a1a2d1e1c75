"""Fake LinkedIn: REST posts and images, OAuth 2 with PKCE, userinfo and organization ACLs.

Faithful to platform-contracts.md §5: ``LinkedIn-Version`` and ``X-Restli-Protocol-Version``
are required (400 without), ``POST /rest/posts`` answers 201 with an EMPTY body and the post URN
only in ``x-restli-id``, the same commentary twice from one author is 422 DUPLICATE, images are
initialised then their bytes PUT to the upload URL before a post may use them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import quote, unquote, urlencode

from publishing.fakes import metrics
from publishing.fakes.core import FakePlatforms, Reply, Request, Response, newest_first, route
from publishing.fakes.meta import authorize_redirect

API = r"^/linkedin"
OAUTH = r"^/linkedin-oauth/oauth/v2"
DEMO_ORG = {"id": "5550001", "localizedName": "Bella Bakery", "vanityName": "bella-bakery"}


def li_error(status: int, message: str, code: str = "", **extra: Any) -> Response:
    body: dict[str, Any] = {"status": status, "message": message, **extra}
    if code:
        body["code"] = code
    return Response(status, body)


def error(fake: FakePlatforms, kind: str, params: dict[str, Any]) -> Response:
    if kind == "http_500":
        return li_error(500, "Internal Server Error")
    if kind == "rate_limit":
        return li_error(429, "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.")
    if kind == "token_expired":
        return li_error(
            401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", serviceErrorCode=65601
        )
    if kind == "duplicate":
        return _duplicate("urn:li:share:0")
    return li_error(int(params.get("status", 400)), params.get("message", "Bad request"))


def _duplicate(urn: str) -> Response:
    return li_error(
        422,
        f"Content is a duplicate of {urn}",
        "DUPLICATE_POST",
        errorDetails={"inputErrors": [{"code": "DUPLICATE_POST", "input": {"inputPath": {"fieldPath": "commentary"}}}]},
    )


def auth(fake: FakePlatforms, request: Request, *, rest: bool = True) -> str:
    if rest:
        if not re.fullmatch(r"\d{6}", request.headers.get("LinkedIn-Version", "")):
            raise Reply(
                li_error(
                    400,
                    "A version must be present. Specify it with the LinkedIn-Version header (YYYYMM).",
                    "VERSION_MISSING",
                )
            )
        if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            raise Reply(
                li_error(400, "X-Restli-Protocol-Version: 2.0.0 is required for this resource.", "ILLEGAL_ARGUMENT")
            )
    token = request.token()
    state = fake.token_state(token, "linkedin")
    if state != "ok":
        message = "The token used in the request has expired" if state == "expired" else "Invalid access token"
        raise Reply(
            li_error(
                401,
                message,
                "EXPIRED_ACCESS_TOKEN" if state == "expired" else "INVALID_ACCESS_TOKEN",
                serviceErrorCode=65600,
            )
        )
    return token


def install(fake: FakePlatforms) -> None:
    fake.errors["linkedin"] = error
    images = lambda: fake.objects("linkedin")  # noqa: E731 - the store is replaced on reset

    @route(fake, "POST", API + r"/rest/images$", "linkedin", "images")
    def initialize(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        if request.arg("action") != "initializeUpload":
            return li_error(400, "Unsupported action")
        owner = ((request.json() or {}).get("initializeUploadRequest") or {}).get("owner", "")
        if not owner.startswith("urn:li:"):
            return li_error(422, "initializeUploadRequest.owner must be a person or organization URN")
        image_id = f"D4E{fake.next_id():010d}"
        urn = f"urn:li:image:{image_id}"
        images()[urn] = {"owner": owner, "uploaded": False}
        upload_url = f"{request.base_url}/linkedin/dms-uploads/{image_id}?ca=vector_feedshare"
        return Response(
            200, {"value": {"uploadUrlExpiresAt": 1_900_000_000_000, "uploadUrl": upload_url, "image": urn}}
        )

    @route(fake, "PUT", API + r"/dms-uploads/(?P<image>\w+)$", "linkedin", "upload")
    def upload(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, rest=False)
        found = images().get(f"urn:li:image:{match['image']}")
        if not found or not request.body:
            return li_error(400, "No image bytes, or an unknown upload URL")
        found["uploaded"] = True
        found["url"] = f"{request.base_url}/_fake/media/{match['image']}.jpg"
        return Response(201, None)

    @route(fake, "POST", API + r"/rest/posts$", "linkedin", "posts")
    def create(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        body = request.json() or {}
        author, commentary = body.get("author", ""), body.get("commentary", "")
        if not author.startswith(("urn:li:organization:", "urn:li:person:")):
            return li_error(422, "/author: must be an organization or person URN")
        if body.get("lifecycleState") != "PUBLISHED" or body.get("visibility") not in (
            "PUBLIC",
            "CONNECTIONS",
            "LOGGED_IN",
        ):
            return li_error(422, "lifecycleState and visibility are required")
        for earlier in fake.ledger("linkedin", account=author):
            if earlier["commentary"] == commentary:
                return _duplicate(earlier["external_id"])
        content = body.get("content") or {}
        ids = (
            [content["media"]["id"]]
            if "media" in content
            else [i["id"] for i in (content.get("multiImage") or {}).get("images", [])]
        )
        urls = []
        for image in ids:
            found = images().get(image)
            if not found or not found["uploaded"]:
                return li_error(400, f"/content/media/id: {image} is not an uploaded image")
            urls.append(found["url"])
        urn = f"urn:li:share:{7_000_000_000 + fake.next_id()}"
        fake.record(
            request,
            "linkedin",
            account=author,
            external_id=urn,
            text=_unescape(commentary),
            commentary=commentary,
            media_urls=urls,
            url=f"{request.base_url}/linkedin-web/feed/update/{quote(urn, safe=':')}",
        )
        return Response(201, None, {"x-restli-id": urn})

    install_insights(fake)

    @route(fake, "GET", API + r"/rest/posts$", "linkedin", "read")
    def list_posts(fake: FakePlatforms, request: Request, match) -> Response:
        """``q=author``: newest first (``sortBy`` CREATED or LAST_MODIFIED, the default), offset paging
        ``start``/``count`` (default 10, at most 100) with a ``next`` link while more remain."""
        auth(fake, request)
        if request.arg("q") != "author" or not request.arg("author"):
            return li_error(400, "q=author and author are required", "ILLEGAL_ARGUMENT")
        author = unquote(request.arg("author"))
        try:
            start, count = max(0, int(request.arg("start", "0"))), min(100, max(1, int(request.arg("count", "10"))))
        except ValueError:
            return li_error(400, "start and count must be numbers", "ILLEGAL_ARGUMENT")
        entries = newest_first(fake.ledger("linkedin", account=author))
        chunk = entries[start : start + count]
        elements = [
            {"id": e["external_id"], "author": author, "commentary": e["commentary"], "lifecycleState": "PUBLISHED",
             "createdAt": int(e["received"] * 1000), "publishedAt": int(e["received"] * 1000),
             "lastModifiedAt": int(e["received"] * 1000)}
            for e in chunk
        ]  # fmt: skip
        paging: dict[str, Any] = {"start": start, "count": count, "links": []}
        if start + count < len(entries):
            query = urlencode({"q": "author", "author": author, "count": count, "start": start + count})
            paging["links"].append({"type": "application/json", "rel": "next", "href": f"/rest/posts?{query}"})
        return Response(200, {"elements": elements, "paging": paging})

    @route(fake, "GET", API + r"/v2/userinfo$", "linkedin", "read")
    def userinfo(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request, rest=False)
        return Response(200, {"sub": "mZ3demo", "name": "Maya Demo", "given_name": "Maya", "family_name": "Demo"})

    @route(fake, "GET", API + r"/rest/organizationAcls$", "linkedin", "read")
    def acls(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        element = {
            "organization": f"urn:li:organization:{DEMO_ORG['id']}",
            "role": "ADMINISTRATOR",
            "state": "APPROVED",
            "roleAssignee": "urn:li:person:mZ3demo",
        }
        return Response(200, {"elements": [element], "paging": {"start": 0, "count": 1}})

    @route(fake, "GET", API + r"/rest/organizations/(?P<org>\d+)$", "linkedin", "read")
    def organization(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        return Response(200, {**DEMO_ORG, "id": match["org"]})

    @route(fake, "GET", OAUTH + r"/authorization$", "linkedin", "oauth")
    def authorize(fake: FakePlatforms, request: Request, match) -> Response:
        return authorize_redirect(fake, request)

    @route(fake, "POST", OAUTH + r"/accessToken$", "linkedin", "oauth")
    def access_token(fake: FakePlatforms, request: Request, match) -> Response:
        return token_exchange(fake, request, "linkedin", request.arg("client_secret"))


def token_exchange(fake: FakePlatforms, request: Request, platform: str, secret: str) -> Response:
    """OAuth 2 code (with PKCE) or refresh token → tokens; shared by the fake LinkedIn and X."""
    grant = request.arg("grant_type")
    if not secret:
        return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
    if grant == "refresh_token":
        previous = fake.tokens.get(request.arg("refresh_token"))
        if not previous or previous.kind != "refresh" or previous.expired:
            return Response(400, {"error": "invalid_grant", "error_description": "The refresh token is invalid"})
    elif grant == "authorization_code":
        issued = fake.codes.pop(request.arg("code"), None)
        if not issued or issued["redirect_uri"] != request.arg("redirect_uri"):
            return Response(400, {"error": "invalid_grant", "error_description": "The authorization code is invalid"})
        verifier = request.arg("code_verifier")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if issued["challenge"] and challenge != issued["challenge"]:
            return Response(400, {"error": "invalid_grant", "error_description": "code_verifier does not match"})
    else:
        return Response(400, {"error": "unsupported_grant_type"})
    access = fake.register_token(f"{platform}-at-" + secrets.token_urlsafe(16), platform)
    refresh = fake.register_token(f"{platform}-rt-" + secrets.token_urlsafe(16), platform, kind="refresh")
    return Response(
        200,
        {
            "access_token": access,
            "expires_in": 5_184_000 if platform == "linkedin" else 7200,
            "refresh_token": refresh,
            "refresh_token_expires_in": 31_536_000,
            "scope": "openid profile w_member_social w_organization_social"
            if platform == "linkedin"
            else "tweet.read tweet.write users.read offline.access",
            "token_type": "bearer",
        },
    )


def _unescape(commentary: str) -> str:
    """Little text back to plain text: hashtag templates to #tag, backslash escapes dropped."""
    text = re.sub(r"\{hashtag\|\\#\|([^}]*)\}", r"#\1", commentary)
    return re.sub(r"\\(.)", r"\1", text)


# Insights (platform-contracts.md §11) ---------------------------------------------------------------
STATISTICS_PERMISSION = "rw_organization_admin"


def _urns(value: str) -> list[str]:
    """Rest.li's ``List(urn%3Ali%3Ashare%3A1,…)`` (already unquoted once by the query parser)."""
    inner = unquote(value).strip()
    if not (inner.startswith("List(") and inner.endswith(")")):
        return []
    return [u.strip() for u in inner[5:-1].split(",") if u.strip()]


def install_insights(fake: FakePlatforms) -> None:
    """Organization share statistics and follower counts."""

    @metrics.insights_route(fake, "GET", API + r"/rest/organizationalEntityShareStatistics$", "linkedin")
    def share_statistics(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        if metrics.missing_permission(fake, request, STATISTICS_PERMISSION):
            return li_error(
                403, "Not enough permissions to access: organizationalEntityShareStatistics.FINDER", "ACCESS_DENIED"
            )
        org = unquote(request.arg("organizationalEntity"))
        if request.arg("q") != "organizationalEntity" or not org.startswith("urn:li:organization:"):
            return li_error(400, "q=organizationalEntity with an organization URN is required", "ILLEGAL_ARGUMENT")
        wanted = _urns(request.arg("shares")) + _urns(request.arg("ugcPosts"))
        elements = []
        for urn in wanted:
            entry = fake.find_entry("linkedin", urn)
            if entry is None or entry["account"] != org:
                continue
            figures = metrics.post_figures(urn, metrics.age(entry))
            engaged = figures.clicks + figures.likes + figures.comments + figures.shares
            key = "ugcPost" if ":ugcPost:" in urn else "share"
            elements.append(
                {key: urn, "organizationalEntity": org,
                 "totalShareStatistics": {
                     "uniqueImpressionsCount": figures.reach, "shareCount": figures.shares,
                     "engagement": round(engaged / figures.impressions, 6) if figures.impressions else 0.0,
                     "clickCount": figures.clicks, "likeCount": figures.likes,
                     "impressionCount": figures.impressions, "commentCount": figures.comments}}
            )  # fmt: skip
        return Response(200, {"elements": elements, "paging": {"start": 0, "count": len(elements), "links": []}})

    @metrics.insights_route(fake, "GET", API + r"/rest/networkSizes/(?P<urn>[^/]+)$", "linkedin")
    def network_size(fake: FakePlatforms, request: Request, match) -> Response:
        auth(fake, request)
        urn = unquote(match["urn"])
        if request.arg("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER" or not urn.startswith("urn:li:organization:"):
            return li_error(400, "edgeType=COMPANY_FOLLOWED_BY_MEMBER and an organization URN are required")
        return Response(200, {"firstDegreeSize": metrics.followers(urn)})
