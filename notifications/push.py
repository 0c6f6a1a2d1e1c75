"""Browser push (Web Push, RFC 8030/8291/8292): the browsers a person turned on, and sending one
notification to them.

A browser subscribes in ``static/js/push.js`` with our VAPID public key and hands us its push
service endpoint and keys (:func:`push_subscribe`). A notification with ``push_status`` pending
(``services.notifications_create``) is sent by the worker task ``notification_push_send``:
``pywebpush`` encrypts the payload for each browser (aes128gcm) and signs a VAPID JWT (``sub``
VAPID_SUBJECT, ``aud`` the endpoint's origin, ``exp`` 12 h ahead), sent through
``localbzz.net.OutboundHTTP`` (timeouts, private targets refused, logs with the host only: the
endpoint's path is the browser's secret). The push service's answer decides:

- 201/202: sent (``last_success``);
- 404/410: the browser is gone (unsubscribed, expired): the subscription is deleted;
- 429/5xx or no answer: tried again up to PUSH_MAX_ATTEMPTS times, waiting PUSH_RETRY_BACKOFF ×
  1, 2, 4… seconds (or the service's Retry-After, up to 30 s);
- anything else (400/401/403/413): failed; a browser that failed MAX_FAILURES times in a row is
  forgotten.

No lock is held while the push services answer (see ``notification_push_send``).

A push failure never touches the notification's other channels (bell, email).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Mapping
from contextvars import ContextVar
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from agency.models import User
from localbzz.app_urls import app_url, staff_urlconf
from localbzz.net import OutboundHTTP, is_loopback
from notifications import selectors
from notifications.models import Notification, PushSubscription

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # failed sends in a row (not retried ones) before a browser is forgotten
MAX_BROWSERS = 20  # per person: an old browser makes way for a new one
BODY_LIMIT = 240  # characters of the body shown (push payloads are at most ~4 KB)
URGENT = {"post_failed", "account_reconnect", "client_approval", "approval_needed"}


def enabled() -> bool:
    """Browser push is set up (VAPID keys: made for development, from the environment in production)."""
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


# Subscriptions --------------------------------------------------------------------------------


def _b64(value: str, name: str, size: int) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        raise ValidationError(f"keys.{name} is not a browser push key (base64url, {size} bytes).")
    return value.rstrip("=")


def check_endpoint(endpoint: str) -> str:
    """The endpoint, when a push service may be reached there: https (http only to a loopback
    address when PUSH_ALLOW_LOOPBACK_HTTP is on: the fake push service)."""
    endpoint = (endpoint or "").strip()
    if not endpoint:
        raise ValidationError("endpoint is missing: send the browser's PushSubscription as JSON.")
    if len(endpoint) > 1000:
        raise ValidationError("endpoint is longer than 1000 characters.")
    parts = urlsplit(endpoint)
    if parts.scheme == "https" and parts.hostname:
        return endpoint
    if parts.scheme == "http" and is_loopback(parts.hostname) and settings.PUSH_ALLOW_LOOPBACK_HTTP:
        return endpoint
    raise ValidationError("endpoint must be an https:// URL of a browser push service.")


@transaction.atomic
def push_subscribe(*, user: User, subscription: Mapping[str, Any], user_agent: str = "") -> PushSubscription:
    """Remember a browser of ``user`` (``subscription``: the browser's ``PushSubscription.toJSON()``:
    endpoint and keys p256dh and auth). The same browser again updates it; a browser another person
    turned on before is theirs no more (one browser, the person signed in now)."""
    if not enabled():
        raise ValidationError("Browser notifications are not set up on this server (no VAPID keys).")
    keys = subscription.get("keys")
    if not isinstance(keys, Mapping):
        raise ValidationError("keys is missing: send the browser's PushSubscription as JSON (endpoint and keys).")
    endpoint = check_endpoint(str(subscription.get("endpoint") or ""))
    fields = {
        "user": user,
        "p256dh": _b64(str(keys.get("p256dh") or ""), "p256dh", 65),
        "auth": _b64(str(keys.get("auth") or ""), "auth", 16),
        "user_agent": user_agent[:300],
        "failures": 0,
    }
    found, _ = PushSubscription.objects.update_or_create(endpoint=endpoint, defaults=fields)
    for old in push_browsers(user)[MAX_BROWSERS:]:
        old.delete()
    return found


def push_browsers(user: User) -> list[PushSubscription]:
    return list(selectors.push_subscriptions_of(user))


def push_known(*, user: User, endpoint: str) -> bool:
    return bool(endpoint) and PushSubscription.objects.filter(user=user, endpoint=endpoint.strip()).exists()


@transaction.atomic
def push_unsubscribe(*, user: User, endpoint: str = "", pk: int | None = None) -> int:
    """Forget one of ``user``'s browsers (by its endpoint, or its id from the list); another
    person's is never touched. Answers how many were forgotten (0 or 1)."""
    mine = PushSubscription.objects.filter(user=user)
    if pk is not None:
        return mine.filter(pk=pk).delete()[0]
    if not endpoint:
        raise ValidationError("Say which browser: its endpoint.")
    return mine.filter(endpoint=endpoint.strip()).delete()[0]


# Sending ---------------------------------------------------------------------------------------


_SENDING: ContextVar[bool] = ContextVar("push_sending", default=False)


class _EndpointPathsOut(logging.Filter):
    """urllib3 logs each request's path at DEBUG; a push endpoint's path is the browser's secret,
    so while a push is sent its records lose it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SENDING.get() and isinstance(record.args, tuple):
            record.args = tuple(
                "/[push endpoint]" if isinstance(a, str) and a.startswith("/") else a for a in record.args
            )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_EndpointPathsOut())


class _Through(requests.Session):
    """What pywebpush posts with: our outbound HTTP shell (timeouts, vetting, redacted logs)."""

    def __init__(self, http: OutboundHTTP) -> None:
        super().__init__()
        self.http = http

    def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:
        kwargs.pop("timeout", None)  # the shell's timeouts (PUSH_CONNECT_TIMEOUT, PUSH_READ_TIMEOUT)
        token = _SENDING.set(True)
        try:
            return self.http.send("POST", str(url), data=data, **kwargs)
        finally:
            _SENDING.reset(token)


_HTTP = OutboundHTTP(
    "web-push", logger=log, timeouts=("PUSH_CONNECT_TIMEOUT", "PUSH_READ_TIMEOUT"), log_path=False
)  # log_path=False: the endpoint's path identifies the browser


@lru_cache(maxsize=2)
def _vapid(private_key: str) -> Vapid02:
    return Vapid02.from_string(private_key=private_key)


def payload(notification: Notification) -> dict[str, str]:
    """What the service worker shows: title, body, the page to open and a tag (one notification
    per thing: a newer one about the same post replaces the older)."""
    link = notification.link
    if link and not link.startswith(("https://", "http://")):
        with staff_urlconf():
            link = app_url(link, base=settings.NOTIFICATIONS_BASE_URL)
    body = " ".join(notification.body.split())
    return {
        "title": notification.title[:120],
        "body": body[:BODY_LIMIT] + ("…" if len(body) > BODY_LIMIT else ""),
        "url": link or app_url("/", base=settings.NOTIFICATIONS_BASE_URL),
        "tag": f"{notification.kind}:{notification.object_id}"[:64],
    }


def _claims(endpoint: str) -> dict[str, str | int]:
    parts = urlsplit(endpoint)
    return {
        "sub": settings.VAPID_SUBJECT,
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + 12 * 3600,
    }


def _wait(attempt: int, response: requests.Response | None) -> float:
    said = response.headers.get("Retry-After", "") if response is not None else ""
    if said.isdigit():
        return min(float(said), 30.0)
    return min(settings.PUSH_RETRY_BACKOFF * 2 ** (attempt - 1), 30.0)


def _send_one(subscription: PushSubscription, data: str, urgency: str) -> str:
    """Send ``data`` to one browser: "sent", "gone" (deleted) or "failed"."""
    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    for attempt in range(1, settings.PUSH_MAX_ATTEMPTS + 1):
        response: requests.Response | None = None
        try:
            webpush(
                info, data=data, vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
                vapid_claims=_claims(subscription.endpoint), ttl=settings.PUSH_TTL_SECONDS,
                headers={"Urgency": urgency}, requests_session=_Through(_HTTP),
            )  # fmt: skip
        except WebPushException as exc:
            response = exc.response
            status = response.status_code if response is not None else 0
            if status in (404, 410):
                log.info("Push subscription %s is gone (%s): forgotten", subscription.pk, status)
                subscription.delete()
                return "gone"
            if status != 429 and status < 500:
                log.warning("Push to subscription %s refused: %s", subscription.pk, status)
                break
        except requests.RequestException as exc:
            log.warning("Push to subscription %s failed: %s", subscription.pk, type(exc).__name__)
        else:
            PushSubscription.objects.filter(pk=subscription.pk).update(last_success=timezone.now(), failures=0)
            return "sent"
        if attempt < settings.PUSH_MAX_ATTEMPTS:
            time.sleep(_wait(attempt, response))
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)
    PushSubscription.objects.filter(pk=subscription.pk, failures__gte=MAX_FAILURES).delete()
    return "failed"


def notification_push_send(*, notification_id: str) -> str:
    """Send one notification to every browser of its recipient, at most once. Answers "sent" (at
    least one browser had it), "failed", or why not sent.

    The row is claimed by moving it from pending to failed in one UPDATE (a second worker finds
    nothing pending), not locked: retries may wait seconds for a busy push service, and marking
    the notification read must not wait for them. A worker killed mid-send leaves it failed."""
    claimed = Notification.objects.filter(pk=notification_id, push_status=Notification.Email.PENDING).update(
        push_status=Notification.Email.FAILED
    )
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    if not claimed:
        return notification.push_status or "not wanted"
    browsers = push_browsers(notification.recipient) if notification.recipient.is_active and enabled() else []
    data = json.dumps(payload(notification))
    urgency = "high" if notification.kind in URGENT else "normal"
    results = [_send_one(browser, data, urgency) for browser in browsers]
    if "sent" in results:
        status = Notification.Email.SENT
    elif "failed" in results:
        status = Notification.Email.FAILED
    else:
        status = Notification.Email.NONE  # no browser (left)
    Notification.objects.filter(pk=notification_id).update(push_status=status)
    log.info("Notification %s pushed: %s", notification_id, ", ".join(results) or "no browser")
    return status or "no browser"


def push_test_send(*, user_id: int, url: str) -> str:
    """A test notification to every browser of the person ("Send a test" on the settings page),
    so they see what one looks like and that it arrives. Answers what happened per browser."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not enabled():
        return "no browser"
    data = json.dumps(
        {
            "title": "Test notification",
            "body": "Browser notifications work here. Click to open your notification settings.",
            "url": url,
            "tag": "test",
        }
    )
    results = [_send_one(browser, data, "normal") for browser in push_browsers(user)]
    log.info("Test push for user %s: %s", user_id, ", ".join(results) or "no browser")
    return ", ".join(results) or "no browser"
