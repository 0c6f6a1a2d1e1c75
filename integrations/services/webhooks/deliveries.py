"""Webhook deliveries: one per (event, endpoint), claimed once, sent signed, retried on a schedule.

See the package's docstring for the flow. An attempt goes through ``localbzz.net.OutboundHTTP``
once (no HTTP-layer retries: the next attempt is a new claim at ``RETRY_DELAYS``, with jitter).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from standardwebhooks import Webhook

from agency.services.activity import record_event
from agency.types import Actor
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.notifications import endpoint_disabled
from localbzz.events import Event
from localbzz.net import OutboundHTTP, outbound_refusal, outbound_session
from localbzz.queue import enqueue

log = logging.getLogger(__name__)
DeliveryId = uuid.UUID | str  # a task hands the id over as text

# Seconds to wait after failed attempt n (1-based) before attempt n + 1; then the delivery fails.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
EXCERPT_CHARS = 1000
USER_AGENT = "LocalBzz-Webhooks/1"
PING = "ping"
SWEEP_BATCH = 500


def body_of(event_id: str, event_type: str, created_at: datetime | None, data: dict[str, Any]) -> str:
    """The JSON body: keys sorted, so the same event always reads the same."""
    return json.dumps(
        {"id": event_id, "type": event_type, "created_at": created_at, "data": data},
        cls=DjangoJSONEncoder,
        sort_keys=True,
        separators=(",", ":"),
    )


def on_event(event: Event) -> None:
    """A delivery per active endpoint that wants ``event``."""
    on_events([event])


def on_events(events: list[Event]) -> None:
    """``localbzz.events`` listener (``many``): the active endpoints are read once for all the
    events of a transaction; a delivery per endpoint that wants each event."""
    active = list(WebhookEndpoint.objects.filter(is_active=True))
    for event in events:
        endpoints = [e for e in active if e.wants(event.type)]
        if endpoints:
            deliveries_create(event=event, endpoints=endpoints)


@transaction.atomic
def deliveries_create(*, event: Event, endpoints: list[WebhookEndpoint]) -> list[WebhookDelivery]:
    now = timezone.now()
    body = body_of(event.id, event.type, event.created_at, event.data())
    subject = f"{event.object_type}:{event.object_id}" if event.object_type else ""
    rows = [
        WebhookDelivery(
            endpoint=endpoint, event_id=event.id, event_type=event.type, body=body, next_attempt_at=now,
            subject=subject, created_at=event.created_at,
        )
        for endpoint in endpoints
    ]  # fmt: skip
    # The unique (endpoint, event_id) constraint makes a repeated event a no-op.
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    for row in rows:
        enqueue("integrations.tasks.deliver_webhook", str(row.pk))
    return rows


@transaction.atomic
def webhook_ping(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``ping`` event to check the endpoint answers (one attempt, no retries)."""
    if not endpoint.is_active:
        raise ValidationError("This endpoint is disabled: enable it first, then send a test ping.")
    now = timezone.now()
    event_id = f"evt_ping_{uuid.uuid4().hex}"
    data = {"endpoint_id": str(endpoint.pk), "message": "A test ping from LocalBzz.", "sent_by": str(actor or "")}
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event_type=PING,
        body=body_of(event_id, PING, now, data),
        next_attempt_at=now,
    )
    enqueue("integrations.tasks.deliver_webhook", str(delivery.pk))
    return delivery


@transaction.atomic
def webhook_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's exact payload (same event id) again, as a new delivery with its own retries."""
    if not delivery.endpoint.is_active:
        raise ValidationError("This endpoint is disabled: enable it first, then redeliver.")
    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        body=delivery.body,
        next_attempt_at=timezone.now(),
        redelivery_of=delivery,
    )
    record_event(actor, "webhook.redelivered", delivery.endpoint, {"event_id": delivery.event_id}, client_scoped=False)
    enqueue("integrations.tasks.deliver_webhook", str(copy.pk))
    return copy


def _lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_CONNECT_TIMEOUT + settings.WEBHOOK_READ_TIMEOUT + 60)


def claim(delivery_id: DeliveryId) -> bool:
    """Take a due delivery for one attempt (one conditional UPDATE: only one caller wins).

    The conditions stay on the delivery's own columns: a filter across the endpoint join would make
    Django write ``WHERE id IN (subquery)``, which PostgreSQL does not re-check after waiting for a
    concurrent claim's row lock — and both callers would send.
    """
    now = timezone.now()
    if not WebhookEndpoint.objects.filter(deliveries__pk=delivery_id, is_active=True).exists():
        return False
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.QUEUED, next_attempt_at__lte=now)
        .exclude(Exists(_earlier_of_same_subject()))
        .update(status=WebhookDelivery.Status.SENDING, attempts=F("attempts") + 1, lease_until=now + _lease())
    )


_UNSETTLED = (WebhookDelivery.Status.QUEUED, WebhookDelivery.Status.SENDING)


def _earlier_of_same_subject() -> QuerySet[WebhookDelivery]:
    """Deliveries of the same object to the same endpoint that happened before and are not settled:
    they go first (redeliveries and pings, which have no subject, never wait)."""
    before = Q(created_at__lt=OuterRef("created_at")) | Q(
        created_at=OuterRef("created_at"), event_id__lt=OuterRef("event_id")
    )
    return (
        WebhookDelivery.objects.filter(before, endpoint_id=OuterRef("endpoint_id"), subject=OuterRef("subject"))
        .filter(status__in=_UNSETTLED, redelivery_of__isnull=True)
        .exclude(subject="")
        .exclude(pk=OuterRef("pk"))
    )


def _next_in_line(delivery: WebhookDelivery) -> None:
    """After a delivery settles, send the next one of its object (it waited for this one)."""
    if not delivery.subject or delivery.redelivery_of_id:
        return
    following = (
        WebhookDelivery.objects.filter(
            endpoint_id=delivery.endpoint_id, subject=delivery.subject, status=WebhookDelivery.Status.QUEUED,
            redelivery_of__isnull=True, next_attempt_at__lte=timezone.now(),
        )
        .order_by("created_at", "event_id")
        .values_list("pk", flat=True)
        .first()
    )  # fmt: skip
    if following:
        enqueue("integrations.tasks.deliver_webhook", str(following))


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` value (Standard Webhooks: ``v1,<base64 HMAC-SHA256>``)."""
    return Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, tz=UTC), body)


def signed_headers(delivery: WebhookDelivery, secret: str, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, delivery.event_id, timestamp, delivery.body),
        "X-LocalBzz-Event": delivery.event_type,
        "X-LocalBzz-Delivery": str(delivery.pk),
    }


class _Refused(Exception):
    pass


def deliver(delivery_id: DeliveryId) -> str:
    """One attempt of a delivery, if it is due and nobody else holds it (the django-q2 task)."""
    if not claim(delivery_id):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    started = timezone.now()
    t0 = time.monotonic()
    status_code: int | None = None
    excerpt = error = ""
    try:
        refusal = outbound_refusal(endpoint.url)
        if refusal:
            raise _Refused(refusal)
        headers = signed_headers(delivery, endpoint.secret)
        with outbound_session(trust_env=False) as session:  # no proxies or .netrc credentials from the environment
            sender = OutboundHTTP(
                f"webhook {delivery.event_type}",
                logger=log,
                timeouts=("WEBHOOK_CONNECT_TIMEOUT", "WEBHOOK_READ_TIMEOUT"),
                session=session,
                log_path=False,  # a receiver's path may itself be its secret (…/hooks/T0/B0/XXXX)
            )
            response = sender.send("POST", endpoint.url, data=delivery.body.encode(), headers=headers, stream=True)
            with response:
                status_code = response.status_code
                raw = response.raw.read(EXCERPT_CHARS * 4, decode_content=True) or b""
                excerpt = raw.decode(response.encoding or "utf-8", errors="replace")[:EXCERPT_CHARS]
        if not 200 <= status_code < 300:
            error = f"The endpoint answered HTTP {status_code}" + (
                " (redirects are not followed: use the final URL)" if 300 <= status_code < 400 else ""
            )
    except _Refused as refused:
        error = f"Not sent: {refused}"
        log.warning("webhook %s %s not sent: %s", delivery.event_type, urlsplit(endpoint.url).hostname, refused)
    except requests.Timeout:
        error = "Timed out waiting for the endpoint"
    except requests.ConnectionError:
        error = "Could not connect to the endpoint"
    except requests.RequestException as exc:
        error = f"Request failed: {type(exc).__name__}"
    except Exception as exc:  # never leave a delivery stuck in "sending"
        log.exception("Webhook delivery %s failed unexpectedly", delivery.pk)
        error = f"Internal error: {type(exc).__name__}"
    duration_ms = int((time.monotonic() - t0) * 1000)
    return _record(delivery.pk, started, duration_ms, status_code, excerpt, error)


@transaction.atomic
def _record(
    delivery_id: DeliveryId, started: datetime, duration_ms: int, status_code: int | None, excerpt: str, error: str
) -> str:
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    ok = not error
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        ok=ok,
        status_code=status_code,
        duration_ms=duration_ms,
        response_excerpt=excerpt,
        error=error[:500],
        started_at=started,
        finished_at=now,
    )
    delivery.last_status_code, delivery.last_error, delivery.lease_until = status_code, error[:500], None
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, now, None
        endpoint.failing_since, endpoint.consecutive_failures, endpoint.last_success_at = None, 0, now
        endpoint.save(update_fields=["failing_since", "consecutive_failures", "last_success_at", "updated_at"])
    else:
        if delivery.event_type != PING:
            _count_failure(endpoint, now)  # may disable the endpoint: then no retry
        retry = endpoint.is_active and delivery.event_type != PING and delivery.attempts < MAX_ATTEMPTS
        if retry:
            delay = RETRY_DELAYS[delivery.attempts - 1] * random.uniform(0.85, 1.15)  # jitter
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.QUEUED, now + timedelta(seconds=delay)
        else:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    delivery.save()
    if delivery.status != WebhookDelivery.Status.QUEUED:
        transaction.on_commit(lambda: _next_in_line(delivery))
    return delivery.status


def _count_failure(endpoint: WebhookEndpoint, now: datetime) -> None:
    endpoint.failing_since = endpoint.failing_since or now
    endpoint.consecutive_failures += 1
    endpoint.save(update_fields=["failing_since", "consecutive_failures", "updated_at"])
    limit = timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    if endpoint.is_active and now - endpoint.failing_since >= limit:
        _disable(endpoint, now)


def _disable(endpoint: WebhookEndpoint, now: datetime) -> None:
    hours = settings.WEBHOOK_DISABLE_AFTER_HOURS
    reason = (
        f"Every attempt failed for {hours:g} hours ({endpoint.consecutive_failures} failed attempts since "
        f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC)."
    )
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.QUEUED).update(
        status=WebhookDelivery.Status.FAILED,
        next_attempt_at=None,
        last_error="Not sent: the endpoint was disabled (redeliver once it works again).",
    )
    record_event(
        None, "webhook.disabled", endpoint, {"is_active": [True, False], "reason": reason}, client_scoped=False
    )

    transaction.on_commit(lambda: endpoint_disabled(endpoint.pk))


def sweep() -> dict[str, int]:
    """Every minute: requeue deliveries whose worker died mid-attempt, and send what is due."""
    now = timezone.now()
    recovered = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENDING, lease_until__lt=now).update(
        status=WebhookDelivery.Status.QUEUED, next_attempt_at=now, lease_until=None
    )
    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.QUEUED, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        enqueue("integrations.tasks.deliver_webhook", str(pk))
    return {"recovered": recovered, "due": len(due)}
