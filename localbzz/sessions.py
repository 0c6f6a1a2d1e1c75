"""Sessions in the database with a copy in the cache (``SESSION_ENGINE``): a page reads its session
with one cache round trip instead of a query.

Django's ``cached_db`` store, made to survive a cache outage like every other use of the cache here
(``localbzz.datacache``): its refill after a database read, its existence check and its delete
reach the cache unguarded, so a Redis outage made every sign-in and every uncached session a 500.
Here the database stays the truth and the cache is skipped while it is down. Sign-out and session
deletion go through this store (which drops both copies); deleting ``Session`` rows alone leaves the
cached copy until it expires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.models import Session
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    # Django's own (not in its type stubs): declared here, never assigned.
    _cache: BaseCache
    _get_session_from_db: Callable[[], Session | None]

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception:
            logger.warning("Session cache unavailable: read from the database", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and self.cache_key_prefix + session_key in self._cache:
                return True
        except Exception:
            logger.warning("Session cache unavailable: checked in the database", exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        super(cached_db.SessionStore, self).delete(session_key)
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.error("Session cache unavailable: a deleted session's cached copy may remain", exc_info=True)
