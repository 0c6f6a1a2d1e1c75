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
import re
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
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


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:  # first use, or the cache was flushed: start past anything kept before
        cache.add(VERSION_KEY, int(time.time() * 1000), None)
        value = cache.get(VERSION_KEY, 0)
    return value


def bump() -> None:
    """Move the version on. Never raises: a write that succeeded must not fail because the cache
    is down (fragments then read around it, see ``fragment``)."""
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
