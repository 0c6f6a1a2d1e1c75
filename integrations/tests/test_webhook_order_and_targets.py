"""Webhooks: events of one object arrive in the order they happened; outgoing requests never reach
private, loopback or link-local addresses in production (SSRF) unless allow-listed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import time_machine
from django.utils import timezone

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks import deliveries
from localbzz.events import Event
from localbzz.net import OutboundRefused, outbound_session, vetted_address

pytestmark = [pytest.mark.django_db(transaction=True)]


def _event(shop, n: int, when, status: str) -> Event:
    return Event(
        id=f"evt_{n}_client.status_changed", type="client.status_changed", created_at=when, verb="client.updated",
        object_type="client", object_id=str(shop.pk), object_label=shop.name, client_id=str(shop.pk),
        actor_id=None, actor_label="system", changes={"status": ["Active", status]},
    )  # fmt: skip


def test_events_of_one_object_are_delivered_in_order(register, receiver, shop, owner):
    register()
    endpoint = WebhookEndpoint.objects.get()
    start = timezone.now()
    (first,) = deliveries.deliveries_create(event=_event(shop, 1, start, "Inactive"), endpoints=[endpoint])
    (second,) = deliveries.deliveries_create(
        event=_event(shop, 2, start + timedelta(milliseconds=5), "Active"), endpoints=[endpoint]
    )
    other = owner.team_member  # another object's event is not held up
    (unrelated,) = deliveries.deliveries_create(
        event=Event(
            id="evt_3_task.assigned", type="task.assigned", created_at=start, verb="task.updated",
            object_type="teammember", object_id=str(other.pk), object_label="x", client_id=None, actor_id=None,
            actor_label="system",
        ),
        endpoints=[endpoint],
    )  # fmt: skip

    receiver.answer = 500
    assert deliveries.deliver(second.pk) == "skipped"  # the earlier event goes first
    assert deliveries.deliver(unrelated.pk) == "queued"  # sent (and failed): not blocked
    assert deliveries.deliver(first.pk) == "queued"  # failed: retried in about a minute
    with time_machine.travel(start + timedelta(seconds=30), tick=True):
        assert deliveries.deliver(second.pk) == "skipped"  # still waits for the first one's retry
    receiver.answer = 200
    with time_machine.travel(start + timedelta(minutes=3), tick=True):
        assert deliveries.deliver(second.pk) == "skipped"
        assert deliveries.deliver(first.pk) == "delivered"
        assert deliveries.deliver(second.pk) == "delivered"
    changes = [e["data"]["changes"]["status"][1] for e in receiver.accepted if e["type"] == "client.status_changed"]
    assert changes == ["Inactive", "Active"]


def test_the_next_event_of_an_object_follows_as_soon_as_the_earlier_one_settles(
    sync_tasks, register, receiver, shop, api_as, admin_user
):
    register()
    receiver.answer = 200
    api = api_as(admin_user)
    for status in ("Inactive", "Active", "Pitching", "Active"):
        assert api.patch(f"/api/v1/clients/{shop.pk}", {"status": status}, format="json").status_code == 200
    assert [e["data"]["changes"]["status"][1] for e in receiver.accepted] == [
        "Inactive",
        "Active",
        "Pitching",
        "Active",
    ]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert all(r["verified"] for r in receiver.requests)


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hooks",
        "https://192.168.1.20/hooks",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
        "http://localhost:9000/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_private_webhook_urls_are_refused_in_production(api_as, admin_user, settings, url):
    settings.OUTBOUND_ALLOW_PRIVATE = False  # production (DEBUG off)
    response = api_as(admin_user).post("/api/v1/webhooks", {"url": url, "events": ["post.published"]}, format="json")
    assert response.status_code == 400, response.json()
    assert "private, loopback or link-local" in response.json()["error"]["details"]["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_that_turned_private_is_not_sent_and_the_log_says_why(
    sync_tasks, register, receiver, api_as, admin_user, shop, settings
):
    register()  # accepted while private targets were allowed (tests run with DEBUG)
    settings.OUTBOUND_ALLOW_PRIVATE = False
    receiver.answer = 200
    assert api_as(admin_user).patch(f"/api/v1/clients/{shop.pk}", {"status": "Inactive"}, format="json")
    attempt = WebhookAttempt.objects.get()
    assert attempt.error.startswith("Not sent: 127.0.0.1 is a private, loopback or link-local address")
    assert receiver.requests == []

    settings.OUTBOUND_PRIVATE_ALLOWLIST = ["127.0.0.0/8"]  # the explicit allow-list lets it through
    delivery = WebhookDelivery.objects.get()
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1), tick=True):
        assert deliveries.deliver(delivery.pk) == "delivered"
    assert len(receiver.accepted) == 1


def test_outgoing_sessions_check_the_resolved_address_not_the_name(receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(OutboundRefused):
        vetted_address("localhost", 80)  # a name that resolves to loopback
    with outbound_session() as session, pytest.raises(requests.ConnectionError, match="private, loopback"):
        session.post(receiver.url.replace("127.0.0.1", "localhost"), data=b"{}", timeout=5)
    assert receiver.requests == []
    settings.OUTBOUND_PRIVATE_ALLOWLIST = ["localhost"]
    with outbound_session() as session:
        assert session.post(receiver.url.replace("127.0.0.1", "localhost"), data=b"{}", timeout=5).status_code
    assert len(receiver.requests) == 1


def test_generation_providers_and_platforms_use_the_same_rule(receiver, settings):
    from generation.providers.base import ProviderError
    from generation.providers.http import ProviderHTTP
    from publishing.connectors.facebook import FacebookConnector

    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(ProviderError):
        ProviderHTTP("openai", {}).call("POST", receiver.url, retries=0, json={})
    assert isinstance(FacebookConnector().session.get_adapter("https://graph.facebook.com"), type(
        outbound_session().get_adapter("https://x")))  # fmt: skip
    assert receiver.requests == []
