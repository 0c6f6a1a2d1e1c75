"""Acceptance: events reach a real receiver on loopback, signed, retried with backoff, exactly once."""

from __future__ import annotations

import base64
import json
import logging
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from agency.models import ActivityEvent
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks import deliveries
from integrations.tests.receiver import Receiver

pytestmark = [pytest.mark.django_db(transaction=True)]


def set_status(api, shop, status: str) -> None:
    response = api.patch(f"/api/v1/clients/{shop.pk}", {"status": status}, format="json")
    assert response.status_code == 200, response.json()


def sweep_at(when) -> dict:
    with time_machine.travel(when, tick=True):
        return deliveries.sweep()


def test_failing_receiver_sees_retries_then_gets_each_event_exactly_once(
    sync_tasks, register, receiver, api_as, admin_user, shop, caplog
):
    caplog.set_level(logging.DEBUG)
    hook = register()
    start = timezone.now()
    set_status(api_as(admin_user), shop, "Inactive")

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "queued" and delivery.attempts == 1
    assert 50 <= (delivery.next_attempt_at - start).total_seconds() <= 75  # 1 min ± jitter
    assert len(receiver.requests) == 1 and receiver.requests[0]["verified"]
    first = receiver.requests[0]
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["headers"]["User-Agent"] == "LocalBzz-Webhooks/1"
    assert first["headers"]["X-LocalBzz-Event"] == "client.status_changed"
    assert first["headers"]["X-LocalBzz-Delivery"] == str(delivery.pk)
    body = json.loads(first["body"])
    assert list(body) == ["created_at", "data", "id", "type"]  # stable key order
    assert body["type"] == "client.status_changed" and body["id"].startswith("evt_")
    assert body["data"]["object"] == {"type": "client", "id": str(shop.pk), "label": shop.name}
    assert body["data"]["changes"]["status"] == ["Active", "Inactive"]

    # Not due yet: the sweep sends nothing.
    assert sweep_at(start + timedelta(seconds=30))["due"] == 0
    assert len(receiver.requests) == 1
    # Retries at ~1 min, then ~5 min after that: still 500.
    sweep_at(start + timedelta(minutes=2))
    sweep_at(start + timedelta(minutes=9))
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.status == "queued" and delivery.last_status_code == 500
    assert len(receiver.requests) == 3 and receiver.accepted == []
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [a.number for a in log] == [1, 2, 3]
    assert all(a.status_code == 500 and not a.ok and a.error for a in log)
    assert log[0].response_excerpt == "receiver says no: 500"
    endpoint = WebhookEndpoint.objects.get(pk=hook["id"])
    assert endpoint.failing_since is not None and endpoint.consecutive_failures == 3

    # The receiver recovers: the next retry (~30 min later) is delivered, once.
    receiver.answer = 200
    assert sweep_at(start + timedelta(minutes=20))["due"] == 0
    sweep_at(start + timedelta(minutes=50))
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 4 and delivery.delivered_at
    assert [e["id"] for e in receiver.accepted] == [body["id"]]
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.consecutive_failures == 0 and endpoint.last_success_at
    # Nothing is ever sent again.
    sweep_at(start + timedelta(days=3))
    assert len(receiver.requests) == 4

    # A new event goes straight through.
    set_status(api_as(admin_user), shop, "Active")
    assert len(receiver.accepted) == 2 and receiver.accepted[1]["id"] != body["id"]
    assert receiver.accepted[1]["data"]["changes"]["status"] == ["Inactive", "Active"]
    # The secret never reached a log line.
    assert receiver.secret not in caplog.text


def test_a_delivery_raced_by_workers_and_the_sweep_is_sent_once(register, receiver, shop, admin_user, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims are a PostgreSQL guarantee; SQLite serialises writers (the dev default only)")
    register()
    receiver.answer, receiver.delay = 200, 0.3
    event = _event(shop)
    endpoint = WebhookEndpoint.objects.get()
    (delivery,) = deliveries.deliveries_create(event=event, endpoints=[endpoint])  # queued, due now
    deliveries.deliveries_create(event=event, endpoints=[endpoint])  # the same event again: no second row
    assert WebhookDelivery.objects.count() == 1

    barrier = threading.Barrier(6)
    outcomes = []

    def worker(job):
        from django.db import connection

        try:
            barrier.wait()
            outcomes.append(job())
        finally:
            connection.close()

    jobs = [lambda: deliveries.deliver(delivery.pk)] * 4 + [deliveries.sweep, lambda: deliveries.deliver(delivery.pk)]
    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcomes.count("delivered") == 1 and outcomes.count("skipped") == 4
    assert len(receiver.requests) == 1 and [e["id"] for e in receiver.accepted] == [event.id]
    assert WebhookAttempt.objects.count() == 1
    assert WebhookDelivery.objects.get().status == "delivered"


def _event(shop):
    from localbzz.events import Event

    return Event(
        id="evt_race_1", type="client.status_changed", created_at=timezone.now(), verb="client.updated",
        object_type="client", object_id=str(shop.pk), object_label=shop.name, client_id=str(shop.pk),
        actor_id=None, actor_label="system", changes={"status": ["Active", "Inactive"]},
    )  # fmt: skip


def test_a_wrong_secret_fails_verification_and_stale_timestamps_are_refused(
    sync_tasks, register, receiver, api_as, admin_user, shop
):
    register()
    right = receiver.secret
    assert right.startswith("whsec_") and len(base64.b64decode(right.removeprefix("whsec_"))) == 32
    receiver.secret = "whsec_" + base64.b64encode(b"not the key we were given").decode()
    receiver.answer = 200
    set_status(api_as(admin_user), shop, "Inactive")
    assert len(receiver.requests) == 1 and not receiver.requests[0]["verified"]
    assert receiver.accepted == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 401 and not attempt.ok
    assert WebhookDelivery.objects.get().status == "queued"  # will be retried

    sent = receiver.requests[0]
    headers, body = sent["headers"], sent["body"]
    assert headers["webhook-id"] == json.loads(body)["id"] and headers["webhook-signature"].startswith("v1,")
    assert Webhook(right).verify(body, headers)["id"] == headers["webhook-id"]  # standardwebhooks verifies it
    sent_at = int(headers["webhook-timestamp"])
    with time_machine.travel(sent_at + 301), pytest.raises(WebhookVerificationError):  # a replay after 5 min
        Webhook(right).verify(body, headers)
    with pytest.raises(WebhookVerificationError):  # a changed body
        Webhook(right).verify(body + b" ", headers)
    with pytest.raises(WebhookVerificationError):  # another event's id
        Webhook(right).verify(body, {**headers, "webhook-id": "evt_other"})


def test_a_disabled_endpoint_gets_nothing(sync_tasks, register, receiver, api_as, admin_user, shop):
    register(is_active=False)
    set_status(api_as(admin_user), shop, "Inactive")
    assert WebhookDelivery.objects.count() == 0 and receiver.requests == []
    endpoint = WebhookEndpoint.objects.get()
    response = api_as(admin_user).post(f"/api/v1/webhooks/{endpoint.pk}/ping")
    assert response.status_code == 400
    assert "enable it first" in response.json()["error"]["message"]


def test_an_endpoint_failing_for_a_day_is_disabled_and_admins_are_emailed(
    sync_tasks, register, receiver, api_as, admin_user, owner, editor, shop
):
    hook = register()
    start = timezone.now()
    set_status(api_as(admin_user), shop, "Inactive")
    sweep_at(start + timedelta(minutes=2))
    assert WebhookEndpoint.objects.get().is_active
    assert mail.outbox == []

    with time_machine.travel(start + timedelta(hours=25), tick=True):
        deliveries.sweep()
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active and endpoint.disabled_at
    assert "failed for 24 hours" in endpoint.disabled_reason
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert ActivityEvent.objects.filter(verb="webhook.disabled", target_id=hook["id"]).exists()

    (message,) = mail.outbox
    assert sorted(message.to) == ["admin@test.local", "owner@test.local"]
    assert receiver.url in message.body and f"/settings/webhooks/{hook['id']}/" in message.body
    ((html, kind),) = message.alternatives
    assert kind == "text/html" and "Open the webhook" in html

    # Disabled: later events are not delivered, not even retried.
    count = len(receiver.requests)
    set_status(api_as(admin_user), shop, "Active")
    sweep_at(start + timedelta(days=4))
    assert len(receiver.requests) == count


def test_api_ping_and_redeliver_reach_the_receiver(sync_tasks, register, receiver, api_as, admin_user, shop):
    hook = register()
    receiver.answer = 200
    api = api_as(admin_user)
    response = api.post(f"/api/v1/webhooks/{hook['id']}/ping")
    assert response.status_code == 202, response.json()
    assert receiver.accepted[-1]["type"] == "ping"
    assert receiver.requests[-1]["headers"]["X-LocalBzz-Event"] == "ping"

    set_status(api, shop, "Inactive")
    original = WebhookDelivery.objects.get(event_type="client.status_changed")
    response = api.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{original.pk}/redeliver")
    assert response.status_code == 202, response.json()
    again = receiver.requests[-1]
    assert json.loads(again["body"])["id"] == original.event_id  # same event id: receivers can drop it
    assert again["headers"]["X-LocalBzz-Delivery"] == response.json()["id"] != str(original.pk)
    assert again["body"] == receiver.requests[-2]["body"]

    log = api.get(f"/api/v1/webhooks/{hook['id']}/deliveries", {"event_type": "client.status_changed"}).json()
    assert log["total"] == 2 and all(d["status"] == "delivered" for d in log["items"])
    assert log["items"][0]["attempt_log"][0]["status_code"] == 200
    assert api.get(f"/api/v1/webhooks/{hook['id']}/deliveries", {"status": "failed"}).json()["total"] == 0
    bad = api.get(f"/api/v1/webhooks/{hook['id']}/deliveries", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["details"]


def test_an_unreachable_endpoint_is_a_failed_attempt_with_a_clear_error(sync_tasks, api_as, admin_user, shop):
    with Receiver() as gone:
        url = gone.url
    response = api_as(admin_user).post(
        "/api/v1/webhooks", {"url": url, "events": ["client.status_changed"]}, format="json"
    )
    assert response.status_code == 201
    set_status(api_as(admin_user), shop, "Inactive")
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error == "Could not connect to the endpoint"
    assert WebhookDelivery.objects.get().status == "queued"


def test_retries_stop_after_eight_attempts_and_the_delivery_fails(
    sync_tasks, register, receiver, api_as, admin_user, shop, settings
):
    settings.WEBHOOK_DISABLE_AFTER_HOURS = 1000  # keep the endpoint on to see every retry
    register()
    start = timezone.now()
    set_status(api_as(admin_user), shop, "Inactive")
    delivery = WebhookDelivery.objects.get()
    while delivery.status == "queued":
        sweep_at(delivery.next_attempt_at + timedelta(seconds=1))
        delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == deliveries.MAX_ATTEMPTS == 8
    assert len(receiver.requests) == 8 and delivery.next_attempt_at is None
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    gaps = [(b.started_at - a.finished_at).total_seconds() for a, b in zip(log, log[1:], strict=False)]
    for gap, planned in zip(gaps, deliveries.RETRY_DELAYS, strict=True):
        assert planned * 0.85 <= gap <= planned * 1.15 + 5  # jitter, and the sweep's minute
    assert sum(deliveries.RETRY_DELAYS) / 3600 > 24  # the last retry is more than a day after the event
    assert delivery.created_at >= start


def test_a_delivery_abandoned_mid_attempt_is_sent_again_by_the_sweep(register, receiver, shop, sync_tasks):
    register()
    receiver.answer = 200
    endpoint = WebhookEndpoint.objects.get()
    (delivery,) = deliveries.deliveries_create(event=_event(shop), endpoints=[endpoint])
    delivery.refresh_from_db()
    assert delivery.status == "delivered"  # sent at once (sync tasks)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", lease_until=timezone.now() + timedelta(minutes=1)
    )  # as if a worker died while sending
    assert deliveries.sweep() == {"recovered": 0, "due": 0}  # the lease still holds
    report = sweep_at(timezone.now() + timedelta(minutes=3))
    assert report["recovered"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and len(receiver.accepted) == 2
    assert receiver.accepted[0]["id"] == receiver.accepted[1]["id"]  # the same event id: receivers drop it
