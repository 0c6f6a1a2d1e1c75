"""Read-mostly fragments (the dashboard's panels, the sidebar's counts) kept in the cache, keyed by
a data version that every write bumps.

The one rule, here and nowhere else: any ``INSERT``, ``UPDATE`` or ``DELETE`` that goes through a
Django database connection to a table of the project's own apps (``WATCHED_APPS``) bumps the
version — ``.save()``, ``.update()``, ``bulk_create`` and raw SQL alike, in the web process and in
the worker. No view or service has to remember to invalidate anything.

- Outside a transaction the write bumps the version at once.
- Inside one it bumps when the transaction commits (on rollback nothing changed); until then the
  writer's own connection, which already sees its uncommitted rows, reads around the cache.
- A fragment's key holds the version, so a bump makes every fragment built before it unreachable;
  ``TTL`` (seconds) bounds what time alone changes (a relative "5 minutes ago", a timer's count).

Keys name who may read them: callers put the permission level (or the portal's client) in
``parts``, never a fragment built for one audience under another's key.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started, setting_changed
from django.db import connections
from django.db.backends.signals import connection_created

T = TypeVar("T")
logger = logging.getLogger(__name__)

WATCHED_APPS = ("agency", "publishing", "portal", "generation", "integrations", "notifications")
VERSION_KEY = "datacache:version"
TTL = 60

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_WATCHED = tuple(f"{app}_" for app in WATCHED_APPS)


def writes_watched_table(sql: str) -> bool:
    match = _WRITE.match(sql)
    return match is not None and match.group(1).lower().startswith(_WATCHED)


# The version read by the request being served: [] until it is read, None outside a request.
_request_version: ContextVar[list[int] | None] = ContextVar("datacache_request_version", default=None)


def _request_started(**kwargs) -> None:
    _request_version.set([])


def _request_finished(**kwargs) -> None:
    _request_version.set(None)


def version() -> int:
    held = _request_version.get()
    if held:
        return held[0]
    value = cache.get(VERSION_KEY)
    if value is None:  # first use, or the cache was flushed: start past anything kept before
        cache.add(VERSION_KEY, int(time.time() * 1000), None)
        value = cache.get(VERSION_KEY, 0)
    if held is not None:
        held.append(value)
    return value


def bump() -> None:
    """Move the version on. Never raises: a write that succeeded must not fail because the cache
    is down (fragments then read around it, see ``fragment``)."""
    held = _request_version.get()
    if held:
        held.clear()  # this request reads its own write
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet: any new one differs from every key in use
            cache.set(VERSION_KEY, int(time.time() * 1000), None)
    except Exception:
        logger.warning("Could not bump the cached fragments' data version", exc_info=True)


def _bump_on_commit() -> None:  # one function object: a transaction registers it once
    bump()


def _pending(connection) -> bool:
    """The connection's open transaction has written watched tables (its bump waits for the commit)."""
    return connection.in_atomic_block and any(func is _bump_on_commit for _, func, _ in connection.run_on_commit)


class _Watcher:
    """An execute wrapper (``connection.execute_wrappers``) that bumps the version after a write."""

    def __init__(self, connection):
        self.connection = connection

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if isinstance(sql, str) and writes_watched_table(sql):
            connection = self.connection
            if not connection.in_atomic_block:
                bump()
            elif not _pending(connection):
                connection.on_commit(_bump_on_commit)
        return result


def watch(sender=None, connection=None, **kwargs) -> None:
    """Put the watcher on ``connection`` (``connection_created``; idempotent)."""
    if not any(isinstance(w, _Watcher) for w in connection.execute_wrappers):
        connection.execute_wrappers.insert(0, _Watcher(connection))


def install() -> None:
    connection_created.connect(watch, dispatch_uid="localbzz.datacache.watch")
    request_started.connect(_request_started, dispatch_uid="localbzz.datacache.request_started")
    request_finished.connect(_request_finished, dispatch_uid="localbzz.datacache.request_finished")
    setting_changed.connect(_forget_local, dispatch_uid="localbzz.datacache.forget_local")
    for connection in connections.all(initialized_only=True):
        watch(connection=connection)


@functools.lru_cache(maxsize=4)
def _secret_tag(secret: str) -> str:
    """Fragments hold signed media URLs: a new SECRET_KEY must not serve ones signed with the old."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


def fragment(name: str, parts: tuple, build: Callable[[], T], *, ttl: int = TTL, using: str = "default") -> T:
    """``build()``'s value, kept under ``name``, ``parts`` and the data version for ``ttl`` seconds.
    ``parts`` must name the audience (permission level, client) the value was built for."""
    if not settings.DATACACHE or _pending(connections[using]):
        return build()  # turned off, or this transaction's own writes are not committed: neither read nor keep
    try:
        key = ":".join(["datacache", _secret_tag(settings.SECRET_KEY), name, str(version()), *map(str, parts)])
        kept = cache.get(key)  # a 1-tuple, so that None is a value too
    except Exception:  # the cache is down: build, keep nothing (a bump may have been lost meanwhile)
        logger.warning("Cache unavailable for fragment %s", name, exc_info=True)
        return build()
    if kept is None:
        kept = (build(),)
        try:
            cache.set(key, kept, ttl)
        except Exception:
            logger.warning("Could not keep fragment %s", name, exc_info=True)
    return kept[0]


_local: dict[tuple, tuple[int, bytes]] = {}  # (name, *parts) -> (version, the value pickled)
LOCAL_MAX = 1000


def _forget_local(setting: str = "", **kwargs) -> None:
    """Another cache (tests: one per test) has versions of its own: what was kept under this one's goes."""
    if setting in {"CACHES", "DATACACHE", "SECRET_KEY"}:
        _local.clear()


def local(name: str, parts: tuple, build: Callable[[], T], *, using: str = "default") -> T:
    """``build()``'s value kept in this process's memory under the data version: a small value
    (the signed-in person, the portal's client) that every request needs, for the price of the
    version read the page makes anyway. It is kept pickled and each caller gets its own copy, so
    a caller changing it (a form on the object) changes nothing kept. ``None`` is not kept (an
    unknown host must not fill memory). Same audience rule as ``fragment``."""
    if not settings.DATACACHE or _pending(connections[using]):
        return build()
    try:
        current = version()
    except Exception:
        logger.warning("Cache unavailable for local value %s", name, exc_info=True)
        return build()
    key = (name, *parts)
    kept = _local.get(key)
    if kept is not None and kept[0] == current:
        return pickle.loads(kept[1])  # noqa: S301 — pickled by this process, never read from outside
    value = build()
    if value is not None:
        if len(_local) >= LOCAL_MAX:
            _local.clear()
        _local[key] = (current, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    return value
