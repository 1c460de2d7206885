"""The shared cache, failing open: when Redis does not answer, the site keeps
serving from the database instead of answering 500.

Every read is then a miss and every write is dropped, so what rests on the
cache degrades rather than breaks: pages are built afresh, the API's
throttles count nothing (they let requests through), an import preview is
lost (the curator uploads the file again). The admin's login lockout does not
rest on the cache (docs/deploy.md). After a failure the cache is skipped for
`RETRY_AFTER` seconds, so a dead Redis costs one failed connection per
process every few seconds, not one per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: Seconds to skip Redis after it failed.
RETRY_AFTER = 5.0


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is down."""

    _down_until = 0.0

    def _guard(self, default: Any, operation: Callable[[], Any]) -> Any:
        if time.monotonic() < self._down_until:
            return default
        try:
            return operation()
        except (RedisError, OSError) as error:
            self._down_until = time.monotonic() + RETRY_AFTER
            logger.warning(
                "Cache unavailable, failing open for %ss: %s", RETRY_AFTER, error
            )
            return default

    @property
    def available(self) -> bool:
        """False while the cache is being skipped after a failure."""
        return time.monotonic() >= self._down_until

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> Any:
        return self._guard(
            False, lambda: RedisCache.add(self, key, value, timeout, version)
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(default, lambda: RedisCache.get(self, key, default, version))

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard(None, lambda: RedisCache.set(self, key, value, timeout, version))

    def touch(
        self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> Any:
        return self._guard(False, lambda: RedisCache.touch(self, key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._guard(False, lambda: RedisCache.delete(self, key, version))

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._guard({}, lambda: RedisCache.get_many(self, keys, version))

    def has_key(self, key: Any, version: Any = None) -> Any:
        return self._guard(False, lambda: RedisCache.has_key(self, key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        return self._guard(delta, lambda: RedisCache.incr(self, key, delta, version))

    def set_many(
        self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> Any:
        return self._guard(
            list(data), lambda: RedisCache.set_many(self, data, timeout, version)
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(None, lambda: RedisCache.delete_many(self, keys, version))

    def clear(self) -> Any:
        return self._guard(False, lambda: RedisCache.clear(self))
