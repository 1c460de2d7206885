"""Settings come from the environment and the configured cache really works."""

import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache


def test_the_configured_cache_follows_redis_url_and_works():
    backend = settings.CACHES["default"]["BACKEND"]
    expected = "RedisCache" if os.environ.get("REDIS_URL") else "LocMemCache"
    assert backend.endswith(expected)
    key = f"test-{uuid.uuid4()}"
    cache.set(key, {"agreements": 138}, timeout=30)
    assert cache.get(key) == {"agreements": 138}
    cache.delete(key)


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: Redis untested"
)
def test_redis_is_shared_between_clients():
    from django.core.cache.backends.redis import RedisCache

    other = RedisCache(
        settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": "registry"}
    )
    key = f"test-{uuid.uuid4()}"
    cache.set(key, "seen by every worker", timeout=30)
    assert other.get(key) == "seen by every worker"
    cache.delete(key)


def test_debug_is_off_unless_asked_for():
    assert settings.DEBUG is False
