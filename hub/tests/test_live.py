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
