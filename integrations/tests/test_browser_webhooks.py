"""A real Chromium: an admin registers a webhook, copies the secret, pings it and redelivers."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from integrations.models import WebhookEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_registers_pings_and_redelivers(signed_in_page, live_server, admin_user, receiver, sync_tasks):
    page = signed_in_page(admin_user.email)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="No webhooks yet")).to_be_visible()
    page.get_by_role("link", name="Add webhook").first.click()
    page.get_by_label("Payload URL").fill(receiver.url)
    page.get_by_label("Description").fill("Reporting sync")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator("#errors-events")).to_contain_text("Choose at least one event type")
    page.get_by_label("post.published").check()
    page.get_by_label("lead.approved").check()
    page.get_by_role("button", name="Add webhook").click()

    secret = page.get_by_test_id("webhook-secret").inner_text()
    endpoint = WebhookEndpoint.objects.get()
    assert secret == endpoint.secret and endpoint.events == ["lead.approved", "post.published"]
    receiver.secret, receiver.answer = secret, 200

    page.get_by_role("button", name="Send test ping").click()
    expect(page.locator("#deliveries")).to_contain_text("ping")
    for _ in range(100):  # the ping is sent after the request commits: wait for its answer (slow when busy)
        if endpoint.deliveries.filter(status="delivered").exists():
            break
        time.sleep(0.2)
    page.reload()
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
    expect(page.locator("#deliveries")).to_contain_text("HTTP 200")
    page.get_by_role("button", name="Redeliver").click()
    expect(page.locator("#deliveries")).to_contain_text("redelivery")
    page.get_by_role("button", name="Reveal secret").click()
    expect(page.get_by_test_id("webhook-secret")).to_have_text(secret)
    page.reload()
    expect(page.locator("#deliveries tbody tr")).to_have_count(2)
    assert [e["type"] for e in receiver.accepted] == ["ping", "ping"]

    page.goto(f"{live_server.url}/settings/webhooks/")
    expect(page.get_by_role("cell", name="Healthy")).to_be_visible()
