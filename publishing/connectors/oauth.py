"""The HTTP side of connecting accounts: authorize URLs, code → token exchanges, refreshes, "who am I".

Views (built elsewhere) keep ``AuthorizeRequest.state`` (and ``code_verifier`` for PKCE) in the
session, send the person to ``url``, check the returned ``state`` and call the exchange. Every
URL comes from ``settings.PLATFORM_URLS``; failures raise classified ``PlatformError``s.

- Meta: Facebook Login (scopes ``META_SCOPES``) → short-lived user token → long-lived user token
  → ``GET /me/accounts`` pages with page tokens and ``tasks``, each with its linked
  ``instagram_business_account``.
- LinkedIn and X: OAuth 2 authorization code with PKCE (S256), refresh tokens, and the member's
  person URN + the organizations it administers (LinkedIn) or ``/2/users/me`` (X).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from localbzz.net import outbound_session
from publishing.connectors.http import PlatformHTTP

META_SCOPES = (
    "pages_manage_posts",
    "pages_read_engagement",
    "pages_show_list",
    "instagram_basic",
    "instagram_content_publish",
    "publish_video",
)
LINKEDIN_SCOPES = ("openid", "profile", "w_member_social", "w_organization_social", "rw_organization_admin")
X_SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")


@dataclass
class AuthorizeRequest:
    url: str  # where to send the person
    state: str  # keep it; the callback must bring it back unchanged
    code_verifier: str = ""  # PKCE: keep it secret, server-side, until the exchange


@dataclass
class TokenSet:
    access_token: str
    expires_at: datetime | None = None
    refresh_token: str = ""
    refresh_expires_at: datetime | None = None
    scopes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # tokens never reach logs, not even through a repr
        return f"TokenSet(expires_at={self.expires_at}, scopes={self.scopes})"


@dataclass
class InstagramAccount:
    id: str
    username: str = ""
    name: str = ""


@dataclass
class MetaPage:
    id: str
    name: str
    access_token: str = field(repr=False)
    tasks: list[str] = field(default_factory=list)  # e.g. CREATE_CONTENT, MANAGE, MODERATE
    instagram: InstagramAccount | None = None

    @property
    def can_post(self) -> bool:
        return bool({"CREATE_CONTENT", "MANAGE"} & set(self.tasks))


@dataclass
class LinkedInOrganization:
    urn: str
    name: str
    role: str = "ADMINISTRATOR"


@dataclass
class LinkedInIdentity:
    person_urn: str
    name: str
    organizations: list[LinkedInOrganization] = field(default_factory=list)


@dataclass
class XUser:
    id: str
    username: str
    name: str = ""


def _http(platform: str, key: str, token: str = "", **headers: str) -> PlatformHTTP:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return PlatformHTTP(platform, key, outbound_session(), headers)


def _tokens(data: dict[str, Any]) -> TokenSet:
    now = datetime.now(UTC)

    def at(seconds: Any) -> datetime | None:
        return now + timedelta(seconds=int(seconds)) if seconds else None

    scope = data.get("scope") or ""
    return TokenSet(
        access_token=data["access_token"],
        expires_at=at(data.get("expires_in")),
        refresh_token=data.get("refresh_token", ""),
        refresh_expires_at=at(data.get("refresh_token_expires_in")),
        scopes=[s for s in scope.replace(",", " ").split() if s],
    )


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


# Meta ---------------------------------------------------------------------------------------------


def meta_authorize_url(redirect_uri: str, state: str = "") -> AuthorizeRequest:
    state = state or secrets.token_urlsafe(24)
    query = urlencode(
        {
            "client_id": settings.META_APP_ID,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": ",".join(META_SCOPES),
            "response_type": "code",
        }
    )
    return AuthorizeRequest(url=f"{settings.PLATFORM_URLS['meta_oauth_dialog']}?{query}", state=state)


def meta_exchange_code(code: str, redirect_uri: str) -> TokenSet:
    """Code → short-lived user token (``GET /oauth/access_token``)."""
    params = {
        "client_id": settings.META_APP_ID,
        "client_secret": settings.META_APP_SECRET,
        "redirect_uri": redirect_uri,
        "code": code,
    }
    return _tokens(_http("facebook", "facebook_graph").json("GET", "oauth/access_token", params=params))


def meta_long_lived(user_token: str) -> TokenSet:
    """Short-lived user token → long-lived one (about 60 days); page tokens got from it do not expire."""
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": settings.META_APP_ID,
        "client_secret": settings.META_APP_SECRET,
        "fb_exchange_token": user_token,
    }
    return _tokens(_http("facebook", "facebook_graph").json("GET", "oauth/access_token", params=params))


def meta_pages(user_token: str) -> list[MetaPage]:
    """The pages the person manages, each with its page token, tasks and linked Instagram account."""
    http = _http("facebook", "facebook_graph", user_token)
    fields = "id,name,access_token,tasks,instagram_business_account{id,username,name}"
    pages: list[MetaPage] = []
    path = "me/accounts"
    params: dict[str, object] | None = {"fields": fields, "limit": 100}
    while path:
        data = http.json("GET", path, params=params)
        for item in data.get("data") or []:
            ig = item.get("instagram_business_account")
            pages.append(
                MetaPage(
                    id=str(item["id"]),
                    name=item.get("name", ""),
                    access_token=item.get("access_token", ""),
                    tasks=list(item.get("tasks") or []),
                    instagram=InstagramAccount(str(ig["id"]), ig.get("username", ""), ig.get("name", ""))
                    if ig
                    else None,
                )
            )
        path, params = (data.get("paging") or {}).get("next", ""), None
    return pages


def meta_instagram_account(page_id: str, page_token: str) -> InstagramAccount | None:
    """The Instagram business account linked to one page, if any."""
    http = _http("facebook", "facebook_graph", page_token)
    data = http.json("GET", page_id, params={"fields": "instagram_business_account{id,username,name}"})
    ig = data.get("instagram_business_account")
    return InstagramAccount(str(ig["id"]), ig.get("username", ""), ig.get("name", "")) if ig else None


# LinkedIn and X: OAuth 2 authorization code with PKCE -------------------------------------------


@dataclass(frozen=True)
class _PKCEApp:
    """One OAuth 2 + PKCE provider: where its pages are and how its client authenticates."""

    platform: str
    authorize_key: str  # PLATFORM_URLS key (+ path) of the authorize page
    authorize_path: str
    token_key: str
    token_path: str
    id_setting: str
    secret_setting: str
    scopes: tuple[str, ...]
    basic_auth: bool  # X: HTTP Basic; LinkedIn: client id and secret in the form

    def authorize_url(self, redirect_uri: str, state: str) -> AuthorizeRequest:
        state = state or secrets.token_urlsafe(24)
        verifier, challenge = _pkce()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": getattr(settings, self.id_setting),
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": " ".join(self.scopes),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        base = settings.PLATFORM_URLS[self.authorize_key] + self.authorize_path
        return AuthorizeRequest(url=f"{base}?{query}", state=state, code_verifier=verifier)

    def token(self, form: dict[str, str]) -> TokenSet:
        client_id, secret = getattr(settings, self.id_setting), getattr(settings, self.secret_setting)
        form = {**form, "client_id": client_id}
        extra: dict[str, Any] = {"auth": (client_id, secret)} if self.basic_auth else {}
        if not self.basic_auth:
            form["client_secret"] = secret
        return _tokens(_http(self.platform, self.token_key).json("POST", self.token_path, data=form, **extra))

    def exchange(self, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
        return self.token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token})


LINKEDIN = _PKCEApp(
    "linkedin", "linkedin_oauth", "/authorization", "linkedin_oauth", "accessToken",
    "LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET", LINKEDIN_SCOPES, basic_auth=False,
)  # fmt: skip
X = _PKCEApp(
    "x", "x_oauth_authorize", "", "x_oauth_token", "",
    "X_CLIENT_ID", "X_CLIENT_SECRET", X_SCOPES, basic_auth=True,
)  # fmt: skip


def linkedin_authorize_url(redirect_uri: str, state: str = "") -> AuthorizeRequest:
    return LINKEDIN.authorize_url(redirect_uri, state)


def linkedin_exchange_code(code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
    return LINKEDIN.exchange(code, redirect_uri, code_verifier)


def linkedin_refresh(refresh_token: str) -> TokenSet:
    return LINKEDIN.refresh(refresh_token)


def linkedin_identity(token: str) -> LinkedInIdentity:
    """The member (``/v2/userinfo``) and the organizations it administers (``organizationAcls``)."""
    headers = {"LinkedIn-Version": settings.LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0"}
    http = _http("linkedin", "linkedin_api", token, **headers)
    me = http.json("GET", "v2/userinfo")
    acls = http.json(
        "GET", "rest/organizationAcls", params={"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"}
    )
    organizations = []
    for acl in acls.get("elements") or []:
        urn = acl.get("organization", "")
        org = http.json("GET", f"rest/organizations/{urn.rsplit(':', 1)[-1]}")
        organizations.append(LinkedInOrganization(urn=urn, name=org.get("localizedName", ""), role=acl.get("role", "")))
    return LinkedInIdentity(
        person_urn=f"urn:li:person:{me['sub']}", name=me.get("name", ""), organizations=organizations
    )


def x_authorize_url(redirect_uri: str, state: str = "") -> AuthorizeRequest:
    return X.authorize_url(redirect_uri, state)


def x_exchange_code(code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
    return X.exchange(code, redirect_uri, code_verifier)


def x_refresh(refresh_token: str) -> TokenSet:
    return X.refresh(refresh_token)


def x_me(token: str) -> XUser:
    data = _http("x", "x_api", token).json("GET", "2/users/me").get("data") or {}
    return XUser(id=str(data["id"]), username=data.get("username", ""), name=data.get("name", ""))
