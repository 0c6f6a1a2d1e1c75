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


def test_a_generation_jobs_progress_bar_advances_on_its_signal_without_polling(browser, server, make_staff, settings):
    """While the socket is open the bar does not poll (no request for it while nothing moves); each
    item the worker finishes moves it within a second (read back from the database: no Redis)."""
    from generation.models import GenerationItem, GenerationJob
    from generation.services.images import job_refresh

    settings.LIVE_POLL_SECONDS = 3600
    owner = make_staff("owner", "olive@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-gen-live")
    job = GenerationJob.objects.create(
        client=client, kind="image_batch", provider="builtin", total_items=3, status="running", created_by=owner
    )
    items = [
        GenerationItem.objects.create(
            job=job, position=i, platform="facebook", status="running", width=1200, height=630
        )
        for i in range(3)
    ]

    page = signed_in(browser, owner, server)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/progress/" in request.url else None)
    page.goto(f"{server.url()}/generate/jobs/{job.pk}/")
    live(page)
    bar = page.locator(f"#job-progress-{job.pk}")
    expect(bar).to_contain_text("Making images: 0 of 3 done")
    asked.clear()
    page.wait_for_timeout(2_500)
    assert asked == [], "the bar polled while the socket was open"

    def finish(item, status="succeeded"):
        with transaction.atomic():  # what the worker commits when an image is made
            GenerationItem.objects.filter(pk=item.pk).update(status=status)
        job_refresh(job_id=str(job.pk))

    finish(items[0])
    expect(bar).to_contain_text("Making images: 1 of 3 done", timeout=1_500)
    expect(bar.locator("progress")).to_have_attribute("value", "33")
    finish(items[1])
    finish(items[2], "failed")  # the job settles: told at once
    expect(bar).to_contain_text("2 of 3 images made", timeout=1_500)
    expect(bar).to_contain_text("Partly succeeded")
    assert len(asked) <= 3, asked  # one re-read per signal, no poll
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_a_post_failing_shows_a_toast_on_another_page(browser, server, make_staff, tmp_path):
    """The author, on the tasks page, gets a toast that opens the post; it can be dismissed, and
    leaves by itself."""
    owner = make_staff("owner", "olive@test.local")
    editor = make_staff("editor", "eddie@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-toast")
    account = accounts_for(client, owner, platforms=("facebook",))["facebook"]
    post = post_services.post_create(actor=editor, client=client, caption="Rye loaves at 8am", accounts=[account])

    page = signed_in(browser, editor, server)
    page.goto(f"{server.url()}/tasks/")
    live(page)
    expect(page.locator("#bell-count")).to_have_attribute("data-count", "0")
    with transaction.atomic():  # what the dispatcher commits when the platform refused the post
        Post.objects.filter(pk=post.pk).update(status="failed")
        record_event(None, "post.target_failed", post, {"account": "Bella on Facebook", "reason": "Token revoked"})

    toast = page.locator("#toasts [data-toast]")
    expect(toast).to_have_count(1, timeout=2_000)
    expect(toast).to_contain_text("Failed on Bella on Facebook: Rye loaves at 8am")
    expect(toast).to_contain_text("Open the post and retry")
    expect(page.locator("#bell-count")).to_have_attribute("data-count", "1")
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        toast.hover()  # a toast pointed at stays
        page.wait_for_timeout(300)  # the layout settles (the phone's sidebar slides away)
        page.screenshot(path=str(tmp_path / f"toast-{width}.png"))
    box = toast.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # fits a phone
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    with transaction.atomic():  # a second failure: the toast opens the post and marks it read
        record_event(None, "post.target_failed", post, {"account": "Bella on Instagram", "reason": "Rate limit"})
    expect(toast).to_have_count(1, timeout=2_000)
    toast.locator(".toast-link").click()
    expect(page).to_have_url(f"{server.url()}/content/{post.pk}/")


def test_without_a_socket_each_region_polls_at_its_own_pace(signed_in_page, live_server, make_staff, settings):
    """``LIVE_SOCKET`` off: a job's bar re-reads itself every second (data-live-poll), the bell at its
    own 60 s — not every time its count is swapped in anew."""
    from generation.models import GenerationItem, GenerationJob

    settings.LIVE_SOCKET = False
    owner = make_staff("owner", "olive@test.local")
    client = Client.objects.create(name="Bella Bakery", slug="bella-gen-poll")
    job = GenerationJob.objects.create(
        client=client, kind="image_batch", provider="builtin", total_items=2, status="running"
    )
    items = [
        GenerationItem.objects.create(job=job, position=i, platform="facebook", status="running") for i in range(2)
    ]

    page = signed_in_page(owner.email)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{live_server.url}/generate/jobs/{job.pk}/")
    expect(page.locator("html")).to_have_attribute("data-live", "polling")
    bar = page.locator(f"#job-progress-{job.pk}")
    GenerationItem.objects.filter(pk=items[0].pk).update(status="succeeded")
    GenerationJob.objects.filter(pk=job.pk).update(succeeded_items=1)
    expect(bar).to_contain_text("1 of 2 done", timeout=3_000)
    page.wait_for_timeout(3_000)
    progress = [url for url in asked if "/progress/" in url]
    assert 3 <= len(progress) <= 6, progress  # about one a second
    assert len([url for url in asked if "/notifications/bell/" in url]) == 1, asked  # the first read only
