"""A real Chromium on the notification settings: /sw.js registers at the site's root, the panel
shows the right state (not supported, blocked, off, on), and "Turn on" subscribes with our VAPID
key and hands the subscription to the server ("Turn off" takes it back).

Headless Chromium cannot reach a vendor's push service offline, so PushManager is replaced by one
answering a subscription minted by the fake push service: everything else — the service worker,
the permission, push.js, the server's endpoints, the list of browsers — is the real thing."""

from __future__ import annotations

import base64
import json
import os

import pytest
from playwright.sync_api import expect

from notifications.models import PushSubscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STUB = """
(() => {
  const sub = %s;
  const make = () => ({ endpoint: sub.endpoint, toJSON: () => sub,
    unsubscribe: () => { sessionStorage.removeItem("sub"); return Promise.resolve(true); } });
  PushManager.prototype.subscribe = function (options) {
    sessionStorage.setItem("sub", JSON.stringify({ visible: options.userVisibleOnly,
      key: Array.from(new Uint8Array(options.applicationServerKey)) }));
    return Promise.resolve(make());
  };
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(sessionStorage.getItem("sub") ? make() : null);
  };
})();
"""


def shoot(page, name: str) -> None:
    """Screenshots at 1440 and 390 px when SCREENSHOT_DIR is set (to look at them)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(500)  # the sidebar slides away below 900 px
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})


def test_turning_browser_notifications_on_and_off(signed_in_page, live_server, make_staff, fake_push, settings):
    editor = make_staff("editor", "eddie@test.local", first_name="Eddie", last_name="Editor")
    sub = fake_push.new_browser()
    page = signed_in_page(editor.email)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(STUB % json.dumps(sub))
    page.goto(f"{live_server.url}/settings/notifications/")

    panel = page.locator("#push-panel")
    expect(panel).to_have_attribute("data-push-status", "off")
    expect(page.get_by_text("No browser gets notifications yet.")).to_be_visible()
    registered = page.evaluate(
        "navigator.serviceWorker.ready.then(r => [r.scope, (r.active || r.installing || r.waiting).scriptURL])"
    )
    assert registered == [f"{live_server.url}/", f"{live_server.url}/sw.js"]
    shoot(page, "staff-push-off")

    page.get_by_role("button", name="Turn on browser notifications").click()
    expect(panel).to_have_attribute("data-push-status", "on", timeout=10_000)  # after the reload
    expect(page.get_by_text("On in this browser.")).to_be_visible()
    row = PushSubscription.objects.get()
    assert row.user == editor and row.endpoint == sub["endpoint"] and row.p256dh == sub["keys"]["p256dh"]
    expect(page.locator("[data-push-browsers]")).to_contain_text("Chrome on Linux")
    asked = json.loads(page.evaluate("sessionStorage.getItem('sub')"))
    key = settings.VAPID_PUBLIC_KEY
    assert asked["visible"] is True and bytes(asked["key"]) == base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    shoot(page, "staff-push-on")

    page.get_by_role("button", name="Remove").click()  # from the list: the server forgets it, the panel says off
    expect(panel).to_have_attribute("data-push-status", "off", timeout=10_000)
    assert not PushSubscription.objects.exists()
    page.get_by_role("button", name="Turn on browser notifications").click()
    expect(panel).to_have_attribute("data-push-status", "on", timeout=10_000)
    assert PushSubscription.objects.count() == 1

    page.get_by_role("button", name="Turn off in this browser").click()
    expect(panel).to_have_attribute("data-push-status", "off", timeout=10_000)
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("script", "state", "says"),
    [
        ("Object.defineProperty(Notification, 'permission', { get: () => 'denied' });", "denied",
         "Notifications are blocked for this site."),
        ("delete window.PushManager;", "unsupported", "This browser cannot show notifications from websites."),
    ],
)  # fmt: skip
def test_a_blocked_or_unable_browser_is_told_what_to_do(
    signed_in_page, live_server, make_staff, fake_push, script, state, says
):
    editor = make_staff("editor", "eddie@test.local")
    page = signed_in_page(editor.email)
    page.add_init_script(script)
    page.goto(f"{live_server.url}/settings/notifications/")
    expect(page.locator("#push-panel")).to_have_attribute("data-push-status", state)
    expect(page.get_by_text(says)).to_be_visible()
    expect(page.get_by_role("button", name="Turn on browser notifications")).to_be_hidden()
    if state == "denied":
        shoot(page, "staff-push-denied")


def test_a_client_turns_it_on_in_their_portal(page, live_server, fake_push, portal_people, settings):
    from conftest import PASSWORD

    joe = portal_people["joes-push"]
    base = live_server.url.replace("://localhost", "://joes-push.localhost")
    sub = fake_push.new_browser()
    page.context.grant_permissions(["notifications"], origin=base)
    page.add_init_script(STUB % json.dumps(sub))
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Email").fill(joe.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.get_by_label("Notification settings").click()
    page.wait_for_url(f"{base}/settings/notifications/")
    expect(page.get_by_text("Waiting for your approval", exact=True)).to_be_visible()
    expect(page.locator("#push-panel")).to_have_attribute("data-push-status", "off")
    shoot(page, "portal-push-off")
    page.get_by_role("button", name="Turn on browser notifications").click()
    expect(page.locator("#push-panel")).to_have_attribute("data-push-status", "on", timeout=10_000)
    assert PushSubscription.objects.get().user == joe.user
    shoot(page, "portal-push-on")
