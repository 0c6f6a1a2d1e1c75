"""Read-mostly fragments (the dashboard's panels, the sidebar, the calendar, the kept lists) kept in
the cache, each valid while the tables it read are unchanged.

The one rule, here and nowhere else, in two halves that both work on the SQL going through a Django
database connection (an execute wrapper on every connection):

- **Writes bump the versions of the tables they write.** Any ``INSERT``, ``UPDATE`` or ``DELETE``
  on a table of the project's own apps (``WATCHED_APPS``) bumps that table's version —
  ``.save()``, ``.update()``, ``bulk_create`` and raw SQL alike, in the web process and in the
  worker. Outside a transaction at once; inside one, the set of tables it wrote is bumped when it
  commits (on rollback nothing changed), and until then the writer's own connection, which
  already sees its uncommitted rows, reads around the cache (``_pending``).
- **A kept value depends on the tables its build read.** While ``build()`` runs, the tables named
  after ``FROM`` / ``JOIN`` in its statements are collected (``tables_read``); a kept value nested
  in it (a fragment or local value, built or kept) adds its own tables to the outer one's. The
  value is kept with ``{table: version}`` of those tables, versions read *before* the build, and
  served while every one of them is still current. A write committed while the build ran has
  already moved a version past the one stored with the value: the next read builds again. No view or service has to
  remember to invalidate anything, and a timer started or a notification read no longer drops the
  calendar or the content list, which never read those tables.

Until issue 14 one agency-wide version did this: every write made every kept page a miss.

Tables outside ``WATCHED_APPS`` (``django_session``, ``django_q_*``, ``analytics_*``,
``reports_*``) have no version: a value that read them is not dropped when they change, only after
``TTL`` seconds, as before. The user table is ``agency_user`` (``AUTH_USER_MODEL``), so it is
watched: names, ``is_active``, passwords and roles must show at once (the signed-in person,
``agency.auth_backends.signed_in``, depends on it). Its one frequent write, ``last_login`` at
sign-in, drops only what read people (the signed-in persons, pages naming staff), a few times per
person and day: not worth a second rule.

Versions are read once per request (all watched tables in one ``get_many``, held until the request
ends; a write of the request drops what it wrote from what is held, so it reads its own writes).
Outside a request (worker, commands) each check reads the cache. ``TTL`` (seconds) bounds what time
alone changes (a relative "5 minutes ago", a timer's count). A ``build()`` returns evaluated values
(rendered HTML, objects, lists), never a lazy QuerySet: that would be read when kept, after the
tables it reads were collected.

A miss is built by one request at a time (``_kept_or_lock``): after a write, the workers that take
the page at once wait for the first one's build (``WAIT_SECONDS`` at most, then build themselves)
instead of each building it, and serve it if its versions are at least the ones they hold
(``_fresh``). Never a stale value, never an error for a lock: the lock goes with its holder's
build, or after ``LOCK_SECONDS`` if that died.

Keys name who may read them: callers put the permission level (or the portal's client) in
``parts``, never a fragment built for one audience under another's key.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import re
import secrets
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started, setting_changed
from django.db import connections
from django.db.backends.signals import connection_created

T = TypeVar("T")
logger = logging.getLogger(__name__)

WATCHED_APPS = ("agency", "publishing", "portal", "generation", "integrations", "notifications")
VERSION_PREFIX = "datacache:v:"
TTL = 60
LOCK_SECONDS = 5  # a build lock outlives a crashed builder this long at most
WAIT_SECONDS = 1.0  # a request waits this long for another's build (about 3 month calendars), then builds
POLL_SECONDS = 0.015

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)', re.IGNORECASE)
_WATCHED = tuple(f"{app}_" for app in WATCHED_APPS)


def _is_watched(table: str) -> bool:
    return table.startswith(_WATCHED)


def table_written(sql: str) -> str | None:
    """The watched table a statement writes, or None (a read, or a table with no version)."""
    match = _WRITE.match(sql)
    table = match.group(1).lower() if match else None
    return table if table and _is_watched(table) else None


def writes_watched_table(sql: str) -> bool:
    return table_written(sql) is not None


def tables_read(sql: str) -> set[str]:
    """The watched tables a statement names after FROM or JOIN (subqueries included)."""
    return {table for table in map(str.lower, _READ.findall(sql)) if _is_watched(table)}


@functools.cache
def watched_tables() -> frozenset[str]:
    """Every watched table of the installed models (many-to-many tables too)."""
    return frozenset(
        table
        for model in apps.get_models(include_auto_created=True)
        if _is_watched(table := model._meta.db_table.lower())
    )


def _key(table: str) -> str:
    return VERSION_PREFIX + table


def _origin() -> int:
    """A table's first version (first use, or the cache was flushed): past any it had before."""
    return int(time.time() * 1000)


# The versions read by the request being served ({} until read), None outside a request.
_request_versions: ContextVar[dict[str, int] | None] = ContextVar("datacache_request_versions", default=None)
# The tables read by the build running now (None when none is).
_reading: ContextVar[set[str] | None] = ContextVar("datacache_reading", default=None)


def _request_started(**kwargs) -> None:
    _request_versions.set({})


def _request_finished(**kwargs) -> None:
    _request_versions.set(None)


def versions(tables: Iterable[str]) -> dict[str, int]:
    """The current version of each table. In a request, the first call reads every watched table's
    in one round trip and the rest of the request uses those. Raises if the cache is down."""
    tables = list(tables)
    held = _request_versions.get()
    wanted = set(tables) if held is None else {t for t in (*tables, *watched_tables()) if t not in held}
    found: dict[str, int] = {}
    if wanted:
        got = cache.get_many([_key(t) for t in wanted])
        missing = [_key(t) for t in wanted if _key(t) not in got]
        if missing:  # first use, or the cache was flushed: start each past anything kept before
            for key in missing:
                cache.add(key, _origin(), None)
            got.update(cache.get_many(missing))
        found = {t: got.get(_key(t), 0) for t in wanted}
        if held is not None:
            held.update(found)
    source = found if held is None else held
    return {t: source[t] for t in tables}


def bump(tables: Iterable[str]) -> None:
    """Move each table's version on. Never raises: a write that succeeded must not fail because the
    cache is down (values then read around it, see ``fragment``)."""
    held = _request_versions.get()
    for table in set(tables):
        if held:
            held.pop(table, None)  # this request reads its own write
        try:
            try:
                cache.incr(_key(table))
            except ValueError:  # no version yet: any new one differs from every one stored
                cache.set(_key(table), _origin(), None)
        except Exception:
            logger.warning("Could not bump the data version of %s", table, exc_info=True)


class _BumpOnCommit:
    """The tables an open transaction wrote, bumped when it commits (dropped with it on rollback)."""

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self) -> None:
        bump(self.tables)


def _pending_bump(connection) -> _BumpOnCommit | None:
    if not connection.in_atomic_block:
        return None
    return next((func for _, func, _ in connection.run_on_commit if isinstance(func, _BumpOnCommit)), None)


def _pending(connection) -> bool:
    """The connection's open transaction has written watched tables (its bump waits for the commit)."""
    return _pending_bump(connection) is not None


class _Watcher:
    """An execute wrapper (``connection.execute_wrappers``): notes the tables a build reads and
    bumps the tables a write writes."""

    def __init__(self, connection):
        self.connection = connection

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if isinstance(sql, str):
            reading = _reading.get()
            if reading is not None:
                reading.update(tables_read(sql))
            table = table_written(sql)
            if table is not None:
                connection = self.connection
                if not connection.in_atomic_block:
                    bump((table,))
                else:
                    pending = _pending_bump(connection)
                    if pending is None:
                        pending = _BumpOnCommit()
                        connection.on_commit(pending)
                    pending.tables.add(table)
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


def _depend(tables: Iterable[str]) -> None:
    """A value used while an outer value is built: the outer one depends on what it read too."""
    outer = _reading.get()
    if outer is not None:
        outer.update(tables)


def _fresh(read: dict[str, int]) -> bool:
    """A value kept with versions ``read`` may be served: each is at least the current one.

    Newer is fine: a version only grows (``bump``), so a value kept with a newer one than this
    request holds was built after a write this request has not seen, from data at least as new.
    A version that starts again (the cache flushed, or its key evicted) starts at the time in
    milliseconds (``_origin``), above any it had before while fewer writes than milliseconds
    have gone by: an older value never looks newer. This is what lets a request that waited for
    another worker's build (``fragment``) serve it."""
    if not read:
        return True
    current = versions(read)
    return all(version >= current[table] for table, version in read.items())


def _build(build: Callable[[], T], before: dict[str, int]) -> tuple[T, dict[str, int] | None]:
    """``build()`` and the versions (read before it ran) of the tables it read; None for the
    versions when it read a watched table that has none (not a model's: nothing to check it by)."""
    reads: set[str] = set()
    token = _reading.set(reads)
    try:
        value = build()
    finally:
        _reading.reset(token)
    _depend(reads)
    if not reads <= before.keys():
        logger.debug("Not kept: read tables with no version (%s)", ", ".join(sorted(reads - before.keys())))
        return value, None
    return value, {table: before[table] for table in reads}


@functools.lru_cache(maxsize=4)
def _secret_tag(secret: str) -> str:
    """Fragments hold signed media URLs: a new SECRET_KEY must not serve ones signed with the old."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


def _lock_key(key: str) -> str:
    return "datacache:lock:" + key  # no fragment's key (``datacache:<secret tag>:…``) starts so


def _kept_or_lock(key: str) -> tuple[tuple | None, str | None]:
    """The fresh ``(value, versions)`` kept under ``key``, or None and this request's build lock.

    One build per key at a time: on a miss the request that takes the lock (``cache.add``, gone
    after ``LOCK_SECONDS`` if its holder dies) builds; the others poll for the value instead of
    building it too, and serve it once it is fresh (``_fresh``). After ``WAIT_SECONDS`` a waiter
    builds itself (None for the lock): never an error, never a stale value. A holder that kept
    nothing fresh for a waiter (its request began before a write the waiter saw) releases the
    lock and the waiter takes it."""
    token = secrets.token_hex(8)
    deadline = None
    while True:
        kept = cache.get(key)  # (value, {table: version}), so that None is a value too
        if kept is not None and _fresh(kept[1]):
            return kept, None
        if cache.add(_lock_key(key), token, LOCK_SECONDS):
            return None, token
        now = time.monotonic()
        if deadline is None:
            deadline = now + WAIT_SECONDS
        elif now >= deadline:
            return None, None
        time.sleep(POLL_SECONDS)


def _release(key: str, token: str) -> None:
    """Drop this build's lock. Django's cache has no compare-and-delete: it is read, then deleted
    if still this build's. Had it expired and been taken in between, the other build's lock goes:
    at worst one more build at once, never a stale value."""
    try:
        if cache.get(_lock_key(key)) == token:
            cache.delete(_lock_key(key))
    except Exception:
        logger.warning("Could not release the build lock of %s", key, exc_info=True)


def fragment(name: str, parts: tuple, build: Callable[[], T], *, ttl: int = TTL, using: str = "default") -> T:
    """``build()``'s value, kept under ``name`` and ``parts`` for ``ttl`` seconds at most, while the
    tables it read are unchanged (module doc), built by one request at a time (``_kept_or_lock``).
    ``parts`` must name the audience (permission level, client) the value was built for."""
    if not settings.DATACACHE or _pending(connections[using]):
        return build()  # turned off, or this transaction's own writes are not committed: neither read nor keep
    try:
        key = ":".join(["datacache", _secret_tag(settings.SECRET_KEY), name, *map(str, parts)])
        kept, lock = _kept_or_lock(key)
        if kept is not None:
            _depend(kept[1])
            return kept[0]
        before = versions(watched_tables())
    except Exception:  # the cache is down: build, keep nothing (a bump may have been lost meanwhile)
        logger.warning("Cache unavailable for fragment %s", name, exc_info=True)
        return build()
    try:
        value, read = _build(build, before)
        if read is not None:
            try:
                cache.set(key, (value, read), ttl)
            except Exception:
                logger.warning("Could not keep fragment %s", name, exc_info=True)
    finally:
        if lock is not None:
            _release(key, lock)
    return value


_local: dict[tuple, tuple[dict[str, int], bytes]] = {}  # (name, *parts) -> ({table: version}, the value pickled)
LOCAL_MAX = 1000


def _forget_local(setting: str = "", **kwargs) -> None:
    """Another cache (tests: one per test) has versions of its own: what was kept under this one's goes."""
    if setting in {"CACHES", "DATACACHE", "SECRET_KEY"}:
        _local.clear()


def local(name: str, parts: tuple, build: Callable[[], T], *, using: str = "default") -> T:
    """``build()``'s value kept in this process's memory while the tables it read are unchanged
    (the same rule as ``fragment``): a small value (the signed-in person, the portal's client) that
    every request needs, for the price of the version read the page makes anyway. It is kept
    pickled and each caller gets its own copy, so a caller changing it (a form on the object)
    changes nothing kept. ``None`` is not kept (an unknown host must not fill memory). Same
    audience rule as ``fragment``."""
    if not settings.DATACACHE or _pending(connections[using]):
        return build()
    key = (name, *parts)
    kept = _local.get(key)
    try:
        if kept is not None and _fresh(kept[0]):
            _depend(kept[0])
            return pickle.loads(kept[1])  # noqa: S301 — pickled by this process, never read from outside
        before = versions(watched_tables())
    except Exception:
        logger.warning("Cache unavailable for local value %s", name, exc_info=True)
        return build()
    value, read = _build(build, before)
    if value is not None and read is not None:
        if len(_local) >= LOCAL_MAX:
            _local.clear()
        _local[key] = (read, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    return value
