"""``/ws/events/``: the one socket a page opens for live updates.

On the staff host a signed-in staff member joins their access level's group and their own; on a
client's portal host (``hub.hosts.portal_slug``) a signed-in person of *that* client joins the
client's group. Anyone else — signed out, a staff session on a portal host, another client's
person, a cross-site page (the Origin must be the socket's own host) — is accepted and at once
closed with code 4403, which htmx's WebSocket extension does not retry (a refused handshake
would look like a dropped connection and be retried forever).

Every ``LIVE_RECHECK_SECONDS`` an open socket asks again, from the session as stored now: signed
out, session expired, person disabled, access level changed, portal switched off — the socket is
closed (4403; the page, reloaded, opens one with what the person may now hear).
"""

from __future__ import annotations

import asyncio
import contextlib
from html import escape
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user

from agency.permissions import staff_level
from hub.hosts import portal_slug
from hub.live import fanout, relay
from portal.permissions import client_user_of

REFUSED = 4403


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def groups_for(scope) -> list[str]:
    """The groups this socket may join (empty: refused). Runs the ORM: call it off the loop."""
    host = _header(scope, b"host")
    origin = _header(scope, b"origin")
    if not host or (origin and urlsplit(origin).netloc.lower() != host.lower()):
        return []
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return []
    slug = portal_slug(host)
    if slug is not None:
        membership = client_user_of(user)
        if membership is None or membership.client.slug != slug:
            return []
        return [fanout.client_group(membership.client_id)]
    level = staff_level(user)
    if level is None:
        return []
    return [fanout.staff_group(level), fanout.user_group(user.pk)]


def groups_now(scope) -> list[str]:
    """``groups_for`` with the session and the person as stored now (the socket's scope holds them
    as they were at connect)."""
    session = scope.get("session")
    if session is None or not session.session_key:
        return []
    fresh = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session.session_key)
    if not fresh.exists(session.session_key):
        return []
    user = get_user(SimpleNamespace(session=fresh))  # type: ignore[arg-type]  # get_user reads .session only
    return groups_for({**scope, "session": fresh, "user": user})


def render(message: dict) -> str:
    """The HTML the page's htmx WebSocket extension swaps into its ``#live-signal`` element."""
    attrs = {"data-event": message["event"], "data-topics": " ".join(message["topics"])}
    if message.get("toast"):
        attrs["data-toast"] = message["toast"]
    joined = "".join(f' {name}="{escape(str(value))}"' for name, value in attrs.items())
    return f'<div id="live-signal" hx-swap-oob="true" hidden{joined}></div>'


class LiveConsumer(AsyncWebsocketConsumer):
    joined: list[str] = []
    recheck: asyncio.Task | None = None

    async def connect(self) -> None:
        self.joined = await database_sync_to_async(groups_for)(self.scope)
        await self.accept()
        if not self.joined:
            await self.close(code=REFUSED)
            return
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        relay.ensure_started(self.channel_layer)
        self.recheck = asyncio.create_task(self._recheck())

    async def _recheck(self) -> None:
        while True:
            await asyncio.sleep(settings.LIVE_RECHECK_SECONDS)
            if await database_sync_to_async(groups_now)(self.scope) != self.joined:
                await self._leave()
                await self.close(code=REFUSED)
                return

    async def _leave(self) -> None:
        joined, self.joined = self.joined, []
        for group in joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def disconnect(self, code) -> None:
        if self.recheck is not None and self.recheck is not asyncio.current_task():
            self.recheck.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.recheck
        await self._leave()

    async def dispatch(self, message: dict) -> None:
        """A live signal touches no database: it skips channels' per-message
        ``aclose_old_connections`` (a hop to the one sync thread for every socket told, which was
        most of a fan-out's CPU)."""
        if message["type"] == "live.signal":
            await self.live_signal(message)
        else:
            await super().dispatch(message)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """The page says nothing to us; what it sends is ignored."""

    async def live_signal(self, message: dict) -> None:
        await self.send(text_data=render(message))
