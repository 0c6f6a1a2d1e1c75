"""Two real Chromium pages on a real ASGI server: what one side commits shows on the other's
page within a second, without a reload (the live-update socket, static/js/live.js)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client as HttpClient
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, expect

from agency.models import Client
from agency.services.activity import record_event
from hub.live import relay
from hub.tests.asgi_server import AsgiServer
from publishing.models import Post
from publishing.services import posts as post_services
from publishing.tests.posting import accounts_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("The ASGI server's threads need a database they can share: run on PostgreSQL.")
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.LIVE_SOCKET = True
    settings.LIVE_RELAY = "tail"  # as in make run: the dispatcher's commits are read from the trail
    settings.LIVE_TAIL_INTERVAL = 0.1
    db = connections.settings["default"]
    kept, db["CONN_MAX_AGE"] = db["CONN_MAX_AGE"], 0  # the server's threads close theirs after each use
    with AsgiServer() as running:
        yield running
    relay.stop_all()
    db["CONN_MAX_AGE"] = kept


def signed_in(browser, user, server, host: str = "localhost"):
    """A new browser context (its own cookies) signed in as ``user`` on ``host``."""
    http = HttpClient(HTTP_HOST=host)
    http.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": http.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": server.url(host)}]
    )  # fmt: skip
    page = context.new_page()

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            CSP_REFUSED.append(f"{page.url}: {message.text}")

    page.on("console", console)
    return page


CSP_REFUSED: list[str] = []


@pytest.fixture(autouse=True)
def _no_csp_refusals():
    CSP_REFUSED.clear()
    yield
    assert not CSP_REFUSED, "\n".join(CSP_REFUSED)


def live(page):
    expect(page.locator("html")).to_have_attribute("data-live", "open", timeout=5_000)


def test_a_published_post_turns_published_on_another_pages_calendar_within_a_second(browser, server, make_staff):
    owner = make_staff("owner", "olive@test.local")
    editor = make_staff("editor", "eddie@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-bakery-live")
    account = accounts_for(client, owner, platforms=("facebook",))["facebook"]
    when = timezone.now() + timedelta(hours=2)
    post = post_services.post_create(actor=owner, client=client, caption="Rye loaves at 8am", accounts=[account])
    Post.objects.filter(pk=post.pk).update(status="scheduled", scheduled_at=when)

    calendar = signed_in(browser, editor, server)
    calendar.goto(f"{server.url()}/content/?view=list")
    detail = signed_in(browser, owner, server)
    detail.goto(f"{server.url()}/content/{post.pk}/")
    live(calendar)
    live(detail)
    chip = calendar.locator("#calendar tr", has_text="Rye loaves at 8am")
    expect(chip).to_contain_text("Scheduled")

    with transaction.atomic():  # what the dispatcher commits when the platforms took the post
        Post.objects.filter(pk=post.pk).update(status="published")
        record_event(None, "post.status_changed", post, {"status": ["publishing", "published"]})
    committed = time.monotonic()

    expect(chip).to_contain_text("Published", timeout=1_000)
    took = time.monotonic() - committed
    expect(detail.locator("#post-status")).to_have_text("Published", timeout=1_000)
    # the author's "Post published" notification: the bell counts it now, not at its 60 s poll
    expect(detail.locator("#bell-count")).to_have_attribute("data-count", "1", timeout=2_000)
    assert took < 1.0, f"{took:.2f} s from the commit to the other page"
    assert calendar.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload


def test_a_clients_portal_sees_the_agencys_approval_live(browser, server, make_staff):
    from portal.services.people import client_user_invite

    admin = make_staff("admin", "ana@test.local")
    client = Client.objects.create(name="Joe's Landscaping", slug="joes-live", requires_client_approval=True)
    joe = client_user_invite(
        actor=None, client=client, email="joe@joes.example", first_name="Joe", role="owner", send_invite=False
    )
    account = accounts_for(client, admin, platforms=("facebook",))["facebook"]
    post = post_services.post_create(actor=admin, client=client, caption="Spring lawn care", accounts=[account])

    portal_host = f"{client.slug}.localhost"
    portal = signed_in(browser, joe.user, server, portal_host)
    portal.goto(f"{server.url(portal_host)}/approvals/")
    live(portal)
    expect(portal.get_by_text("Nothing waiting for you")).to_be_visible()

    post_services.post_approve(actor=admin, post=post, schedule=False)

    expect(portal.locator(f"#post-{post.pk}")).to_contain_text("Spring lawn care", timeout=1_500)
    assert portal.evaluate("performance.getEntriesByType('navigation').length") == 1


@pytest.mark.parametrize("socket_on, state", [(False, "polling"), (True, "closed")])
def test_without_a_socket_the_live_parts_poll(socket_on, state, signed_in_page, live_server, make_staff, settings):
    """Without the socket — ``LIVE_SOCKET`` off, or on but the server cannot take it (pytest-django's
    live server speaks WSGI only) — the calendar re-reads itself every LIVE_POLL_SECONDS."""
    settings.LIVE_POLL_SECONDS = 1
    settings.LIVE_SOCKET = socket_on
    owner = make_staff("owner", "olive@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-bakery-poll")
    account = accounts_for(client, owner, platforms=("facebook",))["facebook"]
    post = post_services.post_create(actor=owner, client=client, caption="Rye loaves at 8am", accounts=[account])
    Post.objects.filter(pk=post.pk).update(status="scheduled", scheduled_at=timezone.now() + timedelta(hours=2))

    page = signed_in_page(owner.email)
    page.goto(f"{live_server.url}/content/?view=list")
    row = page.locator("#calendar tr", has_text="Rye loaves at 8am")
    expect(row).to_contain_text("Scheduled")
    expect(page.locator("html")).to_have_attribute("data-live", state, timeout=5_000)

    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(status="published")
        record_event(None, "post.status_changed", post, {"status": ["publishing", "published"]})

    expect(row).to_contain_text("Published", timeout=5_000)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
