"""Django's Redis cache, with one Redis client per connection pool instead of one per operation.

Django's ``RedisCacheClient.get_client`` makes a new ``redis.Redis`` for every get and set, and
redis-py's constructor fills its table of response callbacks (hundreds of entries) each time:
about a millisecond of CPU per cache operation, more than the operation itself. A page that reads
a few kept fragments paid that several times. ``redis.Redis`` is safe to share between threads (it
takes a connection from its pool per command), so one per pool is kept.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in its stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]  # as above
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` reusing its Redis clients (module doc)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
