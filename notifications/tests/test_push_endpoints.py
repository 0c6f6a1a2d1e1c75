"""Turning browser notifications on and off: the JSON endpoints push.js talks to, on the staff
host and on a client's portal — what they accept, the 400s a person can act on, and whose browser
is whose (a portal person registers on their own portal only; staff on the staff host only)."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient

from notifications.models import PushSubscription

pytestmark = pytest.mark.django_db

STAFF = "/settings/notifications/browsers/"
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)


def send(browser: HttpClient, url: str, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return browser.post(url, data, content_type="application/json", HTTP_USER_AGENT=CHROME, **extra)


@pytest.fixture
def staff_browser(client, editor):
    client.force_login(editor)
    return client


def on_portal(slug: str, member=None) -> HttpClient:
    browser = HttpClient(HTTP_HOST=f"{slug}.localhost")
    if member is not None:
        browser.force_login(member.user, backend="agency.auth_backends.StaffBackend")
    return browser


def test_a_browser_is_remembered_once_with_its_keys_and_name(staff_browser, editor, fake_push):
    sub = fake_push.new_browser()
    answer = send(staff_browser, STAFF, sub)
    assert answer.status_code == 201, answer.content
    assert answer.json()["browser"] == "Chrome on macOS"
    row = PushSubscription.objects.get()
    assert (row.user, row.endpoint, row.p256dh, row.auth) == (editor, sub["endpoint"], *sub["keys"].values())
    assert send(staff_browser, STAFF, sub).status_code == 201  # the same browser again: still one
    assert PushSubscription.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda s: {"endpoint": s["endpoint"]}, "keys is missing"),
        (lambda s: {**s, "endpoint": ""}, "endpoint is missing"),
        (lambda s: {**s, "endpoint": "http://push.example.com/x"}, "must be an https:// URL"),
        (lambda s: {**s, "endpoint": "ftp://push.example.com/x"}, "must be an https:// URL"),
        (lambda s: {**s, "endpoint": "https://push.example.com/" + "x" * 1000}, "longer than 1000"),
        (lambda s: {**s, "keys": {**s["keys"], "p256dh": "short"}}, "keys.p256dh is not a browser push key"),
        (lambda s: {**s, "keys": {**s["keys"], "auth": "!!!"}}, "keys.auth is not a browser push key"),
        (lambda s: "not json", "as a JSON object"),
        (lambda s: [s], "as a JSON object"),
    ],
)
def test_a_bad_subscription_is_a_400_that_says_what_is_wrong(staff_browser, fake_push, change, said):
    answer = send(staff_browser, STAFF, change(fake_push.new_browser()))
    assert answer.status_code == 400 and said in answer.json()["error"]
    assert not PushSubscription.objects.exists()


def test_plain_http_to_loopback_is_for_the_fake_only(staff_browser, fake_push, settings):
    settings.PUSH_ALLOW_LOOPBACK_HTTP = False  # production
    answer = send(staff_browser, STAFF, fake_push.new_browser())
    assert answer.status_code == 400 and "https://" in answer.json()["error"]


def test_without_vapid_keys_the_server_says_push_is_not_set_up(staff_browser, fake_push, settings):
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    answer = send(staff_browser, STAFF, fake_push.new_browser())
    assert answer.status_code == 400 and "not set up on this server" in answer.json()["error"]
    page = staff_browser.get("/settings/notifications/")
    assert b"not set up on this server yet" in page.content and b"data-push-on" not in page.content


def test_only_a_signed_in_team_member_registers_on_the_staff_host(client, fake_push, portal_people):
    assert send(client, STAFF, fake_push.new_browser()).status_code == 302  # to sign in
    client.force_login(portal_people["joes-push"].user, backend="agency.auth_backends.StaffBackend")
    assert send(client, STAFF, fake_push.new_browser()).status_code in (302, 403, 404)
    assert not PushSubscription.objects.exists()


def test_a_portal_person_registers_on_their_own_portal_only(fake_push, portal_people, editor):
    joe, bella = portal_people["joes-push"], portal_people["bella-push"]
    url = "/settings/notifications/browsers/"
    assert send(on_portal("joes-push", bella), url, fake_push.new_browser()).status_code == 404
    assert send(on_portal("joes-push"), url, fake_push.new_browser()).status_code == 302  # sign in first
    staff = HttpClient(HTTP_HOST="joes-push.localhost")
    staff.force_login(editor)
    assert send(staff, url, fake_push.new_browser()).status_code == 404  # staff use the staff host
    assert not PushSubscription.objects.exists()
    answer = send(on_portal("joes-push", joe), url, fake_push.new_browser())
    assert answer.status_code == 201
    assert PushSubscription.objects.get().user == joe.user


def test_turning_off_and_removing_touch_only_your_own_browsers(client, make_staff, fake_push):
    mine, theirs = make_staff("editor", "mine@agency.example"), make_staff("editor", "theirs@agency.example")
    client.force_login(theirs)
    their_sub = fake_push.new_browser()
    assert send(client, STAFF, their_sub).status_code == 201
    client.force_login(mine)
    my_sub = fake_push.new_browser()
    assert send(client, STAFF, my_sub).status_code == 201
    theirs_row = PushSubscription.objects.get(user=theirs)

    assert send(client, STAFF + "check/", {"endpoint": their_sub["endpoint"]}).json() == {"known": False}
    assert send(client, STAFF + "check/", {"endpoint": my_sub["endpoint"]}).json() == {"known": True}
    assert send(client, STAFF + "off/", {"endpoint": their_sub["endpoint"]}).json() == {"forgotten": 0}
    assert client.post(f"{STAFF}{theirs_row.pk}/remove/").status_code == 302
    assert PushSubscription.objects.filter(user=theirs).exists()

    page = client.get("/settings/notifications/").content.decode()
    assert "Chrome on macOS" in page and f"{STAFF}{theirs_row.pk}/remove/" not in page
    assert send(client, STAFF + "off/", {"endpoint": my_sub["endpoint"]}).json() == {"forgotten": 1}
    assert not PushSubscription.objects.filter(user=mine).exists()
    assert send(client, STAFF + "off/", {}).status_code == 400


def test_the_portal_settings_save_the_clients_push_choices(fake_push, portal_people):
    joe = portal_people["joes-push"]
    browser = on_portal("joes-push", joe)
    page = browser.get("/settings/notifications/").content.decode()
    for label in ("Waiting for your approval", "Your requests", "Report ready"):
        assert label in page
    assert "Post failed" not in page  # staff kinds are not a client's
    assert browser.post("/settings/notifications/", {"client_approval.push": "on"}).status_code == 302
    from notifications.selectors import preferences_of

    choices = preferences_of(joe.user)
    assert choices["client_approval"]["push"] and not choices["client_report_ready"]["push"]
    assert set(choices) == {"client_approval", "client_request_update", "client_report_ready"}


@pytest.mark.parametrize("host", ["testserver", "joes-push.localhost"])
def test_the_service_worker_is_served_at_the_root_of_both_hosts(host, portal_people):
    answer = HttpClient(HTTP_HOST=host).get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript") and answer["Service-Worker-Allowed"] == "/"
    assert b'addEventListener("push"' in answer.content and b"notificationclick" in answer.content
