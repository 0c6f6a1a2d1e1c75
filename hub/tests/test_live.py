"""Live updates from the outside: real sockets on the real ASGI stack (session cookie, host,
Origin), real domain changes committed through the activity trail; what each socket hears."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections, transaction
from django.test import Client as HttpClient

from agency.services.activity import record_event
from hub.live import relay
from hub.live.consumers import REFUSED
from localbzz.asgi import application
from portal.tests.conftest import host_of
from publishing.models import Post

STAFF_HOST = "localhost"


@pytest.fixture(autouse=True)
def _layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.LIVE_RELAY = "layer"
    channel_layers.backends.clear()  # a fresh in-memory layer for each test
    db = connections.settings["default"]
    kept, db["CONN_MAX_AGE"] = db["CONN_MAX_AGE"], 0  # the consumers' threads close theirs after use
    yield
    relay.stop_all()
    channel_layers.backends.clear()
    db["CONN_MAX_AGE"] = kept


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run an async scenario on a loop of its own in a thread of its own: in a whole run the browser
    tests' Playwright keeps an event loop running in the main thread, where async_to_sync refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def cookie_of(user, host: str) -> str:
    browser = HttpClient(HTTP_HOST=host)
    browser.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def socket(host: str, cookie: str = "", origin: str | None = None) -> WebsocketCommunicator:
    headers = [(b"host", host.encode()), (b"origin", (origin or f"http://{host}").encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/events/", headers=headers)


def publish(post: Post) -> None:
    """A committed change: the post turns Published (as the dispatcher records it)."""
    Post.objects.filter(pk=post.pk).update(status="published")
    record_event(None, "post.status_changed", post, {"status": ["publishing", "published"]})


async def heard(sock: WebsocketCommunicator, timeout: float = 0.5) -> list[str]:
    """What the socket received within ``timeout`` (receive_nothing waits without ending the app)."""
    out: list[str] = []
    while True:
        if await sock.receive_nothing(timeout):
            return out
        message = await sock.receive_output()
        if message["type"] == "websocket.send":
            out.append(message["text"])
        elif message["type"] == "websocket.close":
            out.append(f"closed:{message.get('code')}")
            return out


async def opened(sock: WebsocketCommunicator) -> WebsocketCommunicator:
    connected, _ = await sock.connect()
    assert connected
    return sock


@pytest.fixture
def commit():
    """Run ``change`` in a transaction; its after-commit work (the event listeners) runs on commit,
    as in production (these tests commit for real: channels' database_sync_to_async closes the
    connection, which a test wrapped in a transaction could not survive)."""

    def run(change, *args):
        with transaction.atomic():
            change(*args)

    return database_sync_to_async(run)


@pytest.mark.django_db(transaction=True)
def test_a_portal_socket_hears_only_its_own_clients_events(joe, bella, client_a, client_b, commit):
    joes_post = Post.objects.create(client=client_a, caption="Spring lawn care")
    bellas_post = Post.objects.create(client=client_b, caption="Sourdough at 7")
    joe_cookie = cookie_of(joe.user, host_of(client_a))
    bella_cookie = cookie_of(bella.user, host_of(client_b))

    async def scenario():
        joes = await opened(socket(host_of(client_a), joe_cookie))
        bellas = await opened(socket(host_of(client_b), bella_cookie))
        await commit(publish, bellas_post)
        assert await heard(joes) == []
        (message,) = await heard(bellas)
        assert f"post:{bellas_post.pk}" in message and 'data-event="post.published"' in message
        await commit(publish, joes_post)
        assert f"post:{joes_post.pk}" in (await heard(joes))[0]
        assert await heard(bellas) == []
        await joes.disconnect()
        await bellas.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["bella_on_joes_host", "staff_on_joes_host", "signed_out", "other_origin"])
def test_sockets_that_may_not_listen_are_closed_and_hear_nothing(who, joe, bella, client_a, client_b, owner, commit):
    joes_host = host_of(client_a)
    cookie, origin = {
        "bella_on_joes_host": (cookie_of(bella.user, joes_host), None),
        "staff_on_joes_host": (cookie_of(owner, joes_host), None),
        "signed_out": ("", None),
        "other_origin": (cookie_of(joe.user, joes_host), f"http://{host_of(client_b)}"),
    }[who]
    post = Post.objects.create(client=client_a, caption="Spring lawn care")

    async def scenario():
        sock = socket(joes_host, cookie, origin)
        connected, _ = await sock.connect()
        if connected:  # accepted then closed with 4403, which the browser does not retry
            assert await heard(sock) == [f"closed:{REFUSED}"]
        await commit(publish, post)
        assert await heard(sock) == [] if connected else True

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_a_viewer_never_hears_what_a_viewer_may_not_see(viewer, admin_user, client_a, commit):
    from publishing.models import SocialAccount

    account = SocialAccount.objects.create(client=client_a, platform="facebook", external_id="1", name="Joe on fb")
    post = Post.objects.create(client=client_a, caption="Spring lawn care")

    def reconnect_needed():
        record_event(None, "social_account.needs_reconnect", account, {"reason": "token revoked"})

    async def scenario():
        viewers = await opened(socket(STAFF_HOST, cookie_of(viewer, STAFF_HOST)))
        admins = await opened(socket(STAFF_HOST, cookie_of(admin_user, STAFF_HOST)))
        await commit(reconnect_needed)
        assert await heard(viewers) == []
        assert f"socialaccount:{account.pk}" in (await heard(admins))[0]
        await commit(publish, post)  # what every level may see reaches the viewer too
        assert f"post:{post.pk}" in (await heard(viewers))[0]
        assert f"post:{post.pk}" in (await heard(admins))[0]

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_an_event_that_may_notify_rings_the_bells_of_who_may_see_it(editor, admin_user, client_a, commit):
    post = Post.objects.create(client=client_a, caption="Spring lawn care")

    def submitted():
        record_event(editor, "post.submitted", post, {"status": ["draft", "pending_approval"]})

    async def scenario():
        admins = await opened(socket(STAFF_HOST, cookie_of(admin_user, STAFF_HOST)))
        await commit(submitted)
        (message,) = await heard(admins)
        assert "notifications" in message.split('data-topics="')[1].split('"')[0].split()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_web_process_tails_what_other_processes_commit(settings, joe, client_a, client_b):
    """``LIVE_RELAY = "tail"``: nothing is sent by the process that made the change (another
    process, the dispatcher); the web process reads the committed activity trail and fans it out."""
    settings.LIVE_RELAY = "tail"
    settings.LIVE_TAIL_INTERVAL = 0.05
    joes_post = Post.objects.create(client=client_a, caption="Spring lawn care")
    bellas_post = Post.objects.create(client=client_b, caption="Sourdough at 7")
    cookie = cookie_of(joe.user, host_of(client_a))

    async def scenario():
        joes = await opened(socket(host_of(client_a), cookie))
        await asyncio.sleep(0.2)  # the tail has started and read where the trail ends
        await database_sync_to_async(publish)(bellas_post)
        await database_sync_to_async(publish)(joes_post)
        messages = await heard(joes, timeout=1.0)
        assert len(messages) == 1 and f"post:{joes_post.pk}" in messages[0], messages
        await joes.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["signed_out", "disabled", "now_a_viewer"])
def test_an_open_socket_is_closed_when_its_session_no_longer_allows_it(change, settings, admin_user, client_a, commit):
    from django.contrib.sessions.models import Session

    settings.LIVE_RECHECK_SECONDS = 0.1
    post = Post.objects.create(client=client_a, caption="Spring lawn care")
    cookie = cookie_of(admin_user, STAFF_HOST)

    def apply():
        if change == "signed_out":  # through the session store, as signing out does (its cached copy too)
            store = import_module(settings.SESSION_ENGINE).SessionStore
            for key in Session.objects.values_list("session_key", flat=True):
                store(session_key=key).delete()
        elif change == "disabled":
            type(admin_user).objects.filter(pk=admin_user.pk).update(is_active=False)
        else:
            type(admin_user.team_member).objects.filter(pk=admin_user.team_member.pk).update(access_level="viewer")

    async def scenario():
        admins = await opened(socket(STAFF_HOST, cookie))
        await commit(apply)
        assert await heard(admins, timeout=1.0) == [f"closed:{REFUSED}"]
        await commit(publish, post)
        assert await heard(admins) == []

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_through_the_redis_channel_layer(settings, joe, bella, client_a, client_b):
    """Production's relay: the committing process publishes to Redis (from a thread of its own, as
    the dispatcher or the worker does, with its own event loop) and the web process's sockets hear
    it; the other portal still hears nothing."""
    import os
    import threading
    import uuid

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("Set TEST_REDIS_URL to test the Redis channel layer.")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": f"test-live-{uuid.uuid4().hex[:8]}"},
        }
    }
    channel_layers.backends.clear()
    joes_post = Post.objects.create(client=client_a, caption="Spring lawn care")
    joe_cookie = cookie_of(joe.user, host_of(client_a))
    bella_cookie = cookie_of(bella.user, host_of(client_b))

    def dispatcher_commits():  # another thread: async_to_sync makes its own loop and Redis connection
        try:
            with transaction.atomic():
                publish(joes_post)
        finally:
            connections.close_all()

    async def scenario():
        joes = await opened(socket(host_of(client_a), joe_cookie))
        bellas = await opened(socket(host_of(client_b), bella_cookie))
        await asyncio.sleep(0.3)  # the subscriptions are in place at Redis
        thread = threading.Thread(target=dispatcher_commits)
        thread.start()
        await asyncio.to_thread(thread.join)
        (message,) = await heard(joes, timeout=2.0)
        assert f"post:{joes_post.pk}" in message
        assert await heard(bellas) == []
        await joes.disconnect()
        await bellas.disconnect()

    run(scenario)


# The regions added after posts and requests: generation progress, renditions, timers, deliverables.


def topics_in(message: str) -> list[str]:
    return message.split('data-topics="')[1].split('"')[0].split()


def finished_job(client, items: int = 2):
    """A generation job whose items are all done (the worker's part), not yet recounted."""
    from generation.models import GenerationItem, GenerationJob

    job = GenerationJob.objects.create(client=client, kind="image_batch", provider="builtin", total_items=items)
    for position in range(items):
        GenerationItem.objects.create(job=job, position=position, status="succeeded", platform="facebook")
    return job


@pytest.mark.django_db(transaction=True)
def test_a_generation_jobs_progress_reaches_staff_of_every_level_and_no_portal(viewer, joe, client_a, commit):
    from generation.services.images import job_refresh

    job = finished_job(client_a)

    cookies = [cookie_of(viewer, STAFF_HOST), cookie_of(joe.user, host_of(client_a))]

    async def scenario():
        viewers = await opened(socket(STAFF_HOST, cookies[0]))
        joes = await opened(socket(host_of(client_a), cookies[1]))
        await commit(lambda: job_refresh(job_id=str(job.pk)))
        (message,) = await heard(viewers)
        assert 'data-event="generation_job.progress"' in message and f"generationjob:{job.pk}" in topics_in(message)
        assert await heard(joes) == []  # the agency's tools are not the client's business
        await viewers.disconnect()
        await joes.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_jobs_progress_is_read_back_from_the_database(settings, admin_user, client_a):
    """The worker's commits reach the web process's sockets through ``GenerationJob.live_at`` (its
    progress is no activity), a signal booked for later only once it is due."""
    from datetime import timedelta

    from django.utils import timezone

    from generation.models import GenerationJob

    settings.LIVE_RELAY = "tail"
    settings.LIVE_TAIL_INTERVAL = 0.05
    job, later = finished_job(client_a), finished_job(client_a)
    cookie = cookie_of(admin_user, STAFF_HOST)

    def the_worker_moves_them():
        from generation.services.images import job_refresh

        job_refresh(job_id=str(job.pk))
        GenerationJob.objects.filter(pk=later.pk).update(live_at=timezone.now() + timedelta(seconds=0.6))

    async def scenario():
        admins = await opened(socket(STAFF_HOST, cookie))
        await asyncio.sleep(0.2)
        await database_sync_to_async(the_worker_moves_them)()
        first = await heard(admins, timeout=0.4)
        assert [f"generationjob:{job.pk}" in topics_in(m) for m in first] == [True], first
        (booked,) = await heard(admins, timeout=1.0)  # due 0.6 s later
        assert f"generationjob:{later.pk}" in topics_in(booked)
        assert await heard(admins, timeout=0.3) == []  # each stamp once
        await admins.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_a_timer_started_elsewhere_reaches_staff_with_whose_timer_it_is(editor, viewer, joe, client_a, commit):
    from agency.models import Task
    from agency.services.tasks import timer_start, timer_stop

    task = Task.objects.create(name="Edit the spring reel", client=client_a, status="In Progress")

    cookies = [cookie_of(editor, STAFF_HOST), cookie_of(viewer, STAFF_HOST), cookie_of(joe.user, host_of(client_a))]

    async def scenario():
        editors = await opened(socket(STAFF_HOST, cookies[0]))
        viewers = await opened(socket(STAFF_HOST, cookies[1]))
        joes = await opened(socket(host_of(client_a), cookies[2]))
        await commit(lambda: timer_start(member=editor.team_member, task=task))
        (message,) = await heard(editors)
        assert 'data-event="task.timer_changed"' in message
        assert {f"timer:{editor.pk}", f"task:{task.pk}"} <= set(topics_in(message))
        (seen,) = await heard(viewers)  # the dashboard's running timers: every level sees them
        assert f"timer:{editor.pk}" in topics_in(seen)
        await commit(lambda: timer_stop(member=editor.team_member))
        assert f"timer:{editor.pk}" in topics_in((await heard(editors))[0])
        assert await heard(joes) == []
        for sock in (editors, viewers, joes):
            await sock.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_renditions_made_reach_the_staff_and_the_assets_own_portal_only(
    admin_user, joe, bella, client_a, client_b, commit
):
    from django.core.files.base import ContentFile

    from publishing.services.media.renditions import media_renditions_build
    from publishing.services.media.upload import media_upload
    from publishing.tests import media_files as mf

    def uploaded():
        data = mf.jpeg_bytes(mf.photo((900, 600)))
        return media_upload(client=client_a, files=[ContentFile(data, name="shop.jpg")], uploaded_by=admin_user)[0]

    asset = uploaded().asset  # (its worker job is queued, not run: the test runs it below)

    cookies = [
        cookie_of(admin_user, STAFF_HOST),
        cookie_of(joe.user, host_of(client_a)),
        cookie_of(bella.user, host_of(client_b)),
    ]

    async def scenario():
        admins = await opened(socket(STAFF_HOST, cookies[0]))
        joes = await opened(socket(host_of(client_a), cookies[1]))
        bellas = await opened(socket(host_of(client_b), cookies[2]))
        await commit(lambda: media_renditions_build(asset_id=str(asset.pk), version=asset.render_version))
        (message,) = await heard(admins, timeout=2.0)
        assert 'data-event="media_asset.processed"' in message and f"mediaasset:{asset.pk}" in topics_in(message)
        (mine,) = await heard(joes)
        assert f"mediaasset:{asset.pk}" in topics_in(mine)
        assert await heard(bellas) == []
        for sock in (admins, joes, bellas):
            await sock.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_a_deliverable_ready_reaches_its_clients_portal_and_no_other(owner, joe, bella, client_a, client_b, commit):
    from agency.services.deliverables import deliverable_create, deliverable_move

    def made():
        return deliverable_create(actor=owner, client=client_a, title="Spring reel", status="In Progress")

    cookies = [cookie_of(joe.user, host_of(client_a)), cookie_of(bella.user, host_of(client_b))]

    async def scenario():
        joes = await opened(socket(host_of(client_a), cookies[0]))
        bellas = await opened(socket(host_of(client_b), cookies[1]))
        deliverable = await database_sync_to_async(made)()
        await commit(lambda: deliverable_move(actor=owner, deliverable=deliverable, status="Ready-To-Post"))
        messages = await heard(joes)
        assert messages and all(f"deliverable:{deliverable.pk}" in topics_in(m) for m in messages)
        assert await heard(bellas) == []
        await joes.disconnect()
        await bellas.disconnect()

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_a_new_lead_reaches_the_dashboards_of_who_may_handle_it_only(editor, viewer, joe, client_a, commit):
    """The dashboard's region hears ``lead``: editors and up (who may act on leads), not viewers."""
    from agency.services.inbox import lead_submit

    cookies = [cookie_of(editor, STAFF_HOST), cookie_of(viewer, STAFF_HOST), cookie_of(joe.user, host_of(client_a))]

    async def scenario():
        editors, viewers, joes = [
            await opened(socket(host, cookie))
            for host, cookie in zip((STAFF_HOST, STAFF_HOST, host_of(client_a)), cookies, strict=True)
        ]
        await commit(lambda: lead_submit(contact_name="Priya Shah", email="priya@example.com", business_name="Yoga"))
        (message,) = await heard(editors)
        assert 'data-event="lead.submitted"' in message and "lead" in topics_in(message)
        assert "notifications" in topics_in(message)  # the admins' "New lead" rings their bells
        assert await heard(viewers) == [] and await heard(joes) == []
        for sock in (editors, viewers, joes):
            await sock.disconnect()

    run(scenario)
