"""A fake browser push service (what Chrome's FCM, Mozilla's autopush or Apple's push service are
to a browser), made with ``localbzz.fakekit``: real HTTP on loopback, speaking RFC 8030, 8291 and
8292, checking what it receives as strictly as a real one.

- ``POST /_fake/push/subscriptions`` mints a browser subscription: a P-256 key pair and a 16-byte
  auth secret kept by the fake (the browser's side), answered as the browser's
  ``PushSubscription.toJSON()`` — ``{"endpoint", "keys": {"p256dh", "auth"}}`` — to hand to the app.
- ``POST /push/<id>`` (operation ``push``) is a push message. It needs ``TTL``, ``Content-Encoding:
  aes128gcm`` and ``Authorization: vapid t=<JWT>, k=<public key>``; the JWT must be ES256 signed by
  ``k``, its ``aud`` this service's origin, its ``exp`` in the future and at most 24 h away, its
  ``sub`` a mailto: or https: contact (401/403 otherwise, as real services answer). The body is
  decrypted with the subscription's private key and auth secret (``http_ece``; 400 when it does not
  decrypt). Answers 201 with a ``Location``. Unknown subscription: 404; one deleted with
  ``DELETE /_fake/push/subscriptions/<id>`` (the browser unsubscribed): 410.
- ``GET /_fake/push/messages`` lists what was received: subscription, headers (TTL, Urgency,
  Topic), the VAPID claims and the decrypted payload.

Faults (``queue_fault`` or ``POST /_fake/control``, operation ``push``): ``gone`` (410),
``not_found`` (404), ``rate_limit`` (429 with ``Retry-After``: ``retry_after``, default 0),
``server_error`` (500), ``hang`` (``seconds``).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localbzz.fakekit import FakeApp, FakeServer, Fault, Reply, Request, Response, Route, route

_AUTH = re.compile(r"^vapid\s+t=(?P<t>[^,\s]+)\s*,\s*k=(?P<k>[A-Za-z0-9_\-=]+)\s*$", re.IGNORECASE)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One subscription as the browser holds it."""

    id: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes
    gone: bool = False

    def public(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(point)


class FakePush(FakeApp):
    fault_kinds = frozenset({"gone", "not_found", "rate_limit", "server_error"})

    def reset_state(self) -> None:
        self.browsers: dict[str, Browser] = {}
        self.messages: list[dict[str, Any]] = []
        self.refusals: list[dict[str, Any]] = []  # what was refused, and why

    def subscribe(self, base_url: str) -> dict[str, Any]:
        """A new browser subscription, as ``PushSubscription.toJSON()``."""
        browser = Browser(secrets.token_urlsafe(12), ec.generate_private_key(ec.SECP256R1()), secrets.token_bytes(16))
        with self.lock:
            self.browsers[browser.id] = browser
        return {
            "endpoint": f"{base_url}/push/{browser.id}",
            "keys": {"p256dh": browser.public(), "auth": b64(browser.auth)},
        }

    def unsubscribe(self, browser_id: str) -> None:
        with self.lock:
            self.browsers[browser_id].gone = True

    def received(self, endpoint: str = "") -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.messages if not endpoint or m["endpoint"] == endpoint]

    def control_path(self, request: Request) -> Response | None:
        path = request.path
        if path == "/_fake/push/subscriptions" and request.method == "POST":
            return Response(201, self.subscribe(request.base_url))
        match = re.match(r"^/_fake/push/subscriptions/([\w-]+)$", path)
        if match and request.method == "DELETE":
            if match.group(1) not in self.browsers:
                return Response(404, {"error": "no such subscription"})
            self.unsubscribe(match.group(1))
            return Response(200, {"gone": True})
        if path == "/_fake/push/messages":
            return Response(200, {"messages": self.received(request.arg("endpoint")), "refusals": list(self.refusals)})
        return super().control_path(request)

    def fault_answer(self, candidate: Route, fault: Fault) -> Response:
        if fault.kind == "gone":
            return Response(
                410,
                {
                    "code": 410,
                    "errno": 106,
                    "error": "Gone",
                    "message": "push subscription has unsubscribed or expired.",
                },
            )
        if fault.kind == "not_found":
            return Response(
                404,
                {"code": 404, "errno": 102, "error": "Not Found", "message": "Request did not validate invalid token"},
            )
        if fault.kind == "rate_limit":
            retry = str(fault.params.get("retry_after", 0))
            return Response(429, {"code": 429, "error": "Too Many Requests"}, {"Retry-After": retry})
        return Response(500, {"code": 500, "error": "Internal Server Error"})

    def refuse(self, status: int, why: str, endpoint: str) -> Reply:
        with self.lock:
            self.refusals.append({"endpoint": endpoint, "status": status, "why": why})
        return Reply(Response(status, {"code": status, "error": why}))

    def verify_vapid(self, request: Request, endpoint: str) -> dict[str, Any]:
        """The claims of the request's VAPID JWT, checked like a push service does (RFC 8292)."""
        found = _AUTH.match(request.headers.get("Authorization", ""))
        if not found:
            raise self.refuse(401, "Authorization must be 'vapid t=<JWT>, k=<key>'", endpoint)
        try:
            point = unb64(found.group("k"))
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
            claims = jwt.decode(
                found.group("t"), key, algorithms=["ES256"], audience=_origin(request.base_url),
                options={"require": ["aud", "exp", "sub"]},
            )  # fmt: skip
        except (ValueError, jwt.PyJWTError) as exc:
            raise self.refuse(401, f"VAPID JWT not valid: {type(exc).__name__}: {exc}", endpoint) from None
        if int(claims["exp"]) > time.time() + 24 * 3600:
            raise self.refuse(403, "VAPID exp is more than 24 hours away", endpoint)
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            raise self.refuse(403, "VAPID sub must be a mailto: or https: URL", endpoint)
        return dict(claims)


def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def install(fake: FakePush) -> None:
    @route(fake, "POST", r"^/push/(?P<id>[\w-]+)$", "push")
    def push(app: FakePush, request: Request, match: re.Match[str]) -> Response:
        endpoint = f"{request.base_url}{request.path}"
        browser = app.browsers.get(match.group("id"))
        if browser is None:
            raise app.refuse(404, "no such subscription", endpoint)
        if browser.gone:
            raise app.refuse(410, "push subscription has unsubscribed or expired", endpoint)
        claims = app.verify_vapid(request, endpoint)
        ttl = request.headers.get("TTL", "")
        if not ttl.isdigit():
            raise app.refuse(400, "TTL header missing or not a number of seconds", endpoint)
        if request.headers.get("Content-Encoding", "").lower() != "aes128gcm":
            raise app.refuse(415, "Content-Encoding must be aes128gcm", endpoint)
        try:
            plain = http_ece.decrypt(
                request.body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
            )
        except Exception as exc:  # http_ece raises ECEException and cryptography's errors
            raise app.refuse(400, f"payload does not decrypt: {type(exc).__name__}", endpoint) from None
        try:
            data: Any = json.loads(plain)
        except ValueError:
            data = plain.decode(errors="replace")
        message = {
            "id": secrets.token_hex(6),
            "endpoint": endpoint,
            "subscription": browser.id,
            "ttl": int(ttl),
            "urgency": request.headers.get("Urgency", ""),
            "topic": request.headers.get("Topic", ""),
            "claims": claims,
            "payload": data,
            "raw_bytes": len(request.body),
            "received_at": time.time(),
        }
        with app.lock:
            app.messages.append(message)
        return Response(201, None, {"Location": f"{request.base_url}/messages/{message['id']}", "TTL": ttl})


def build() -> FakePush:
    fake = FakePush()
    install(fake)
    return fake


class FakePushServer(FakeServer):
    """The fake push service on ``host:port`` (port 0 picks a free one), served from a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, fake: FakePush | None = None) -> None:
        self.fake = fake or build()
        super().__init__(self.fake, host, port, name="fake-push")
