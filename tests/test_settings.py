"""Settings come from the environment and the configured cache really works."""

import os
import secrets
import subprocess
import sys
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


def deploy_check(**environment):
    """`manage.py check --deploy --fail-level WARNING` with the production
    environment of docs/deploy.md (plus `environment`), in a fresh process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "DEBUG", "SESSION_", "CSRF_", "LANGUAGE_"))
        # Set by the browser tests' process (Playwright's loop); never in production.
        and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="registry.example.org",
        CSRF_TRUSTED_ORIGINS="https://registry.example.org",
        **environment,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_passes_with_the_documented_production_settings():
    result = deploy_check()
    assert result.returncode == 0, result.stderr
    assert "no issues (2 silenced)" in result.stdout  # HSTS subdomains, preload


def test_the_deploy_check_passes_when_the_operator_opts_into_hsts_preload():
    result = deploy_check(
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_the_deploy_check_still_fails_on_what_is_not_silenced():
    result = deploy_check(SESSION_COOKIE_SECURE="0", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W012" in result.stderr  # the session cookie
    assert "security.W004" in result.stderr  # no HSTS at all
