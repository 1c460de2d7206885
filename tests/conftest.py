"""Shared test setup.

Under CI=true no test may be skipped: a skip turns the run red. Tests marked
`postgres` exercise what only PostgreSQL has (row locks between connections):
on SQLite they are left out of the run, not skipped, and the summary names
them; `.ci/run` runs the suite on PostgreSQL too, where they run.

`make test` runs the suite in parallel (pytest-xdist): each worker has its own
test database (pytest-django names them per worker) and, when REDIS_URL is
set, its own Redis database, since every test starts by emptying the cache.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest


def worker_redis_url(url: str, worker: str | None) -> str:
    """REDIS_URL for one xdist worker ("gw0", "gw1", ...): the first worker
    uses REDIS_URL's database, the next ones those below it (15, 14, ...)."""
    if not url or not worker:
        return url
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    index = int(worker.removeprefix("gw"))
    database = base - index if index <= base else base + index
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Tests run with DEBUG off like production, but over plain HTTP, without
    collectstatic, and with a fast password hasher.

    Session-wide, so the live server of the browser tests (built once, with
    its middleware reading these settings) serves plain HTTP too.
    """
    from django.conf import settings
    from django.test import override_settings

    caches = settings.CACHES
    if settings.REDIS_URL:
        location = worker_redis_url(
            settings.REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER")
        )
        caches = {"default": {**settings.CACHES["default"], "LOCATION": location}}
    with override_settings(
        CACHES=caches,
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        LANGUAGE_COOKIE_SECURE=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
        # WhiteNoise (the production path) serves static files from the
        # finders, looked up per request, since nothing is collected.
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # A test may fetch every page or file from one address; the limits
        # are tested with low rates of their own (tests/test_throttling.py).
        # Tests read pages after changing the clock, settings or the data
        # behind the revision's back; the page cache is tested on its own
        # (tests/test_page_cache.py) and in the load test.
        PAGE_CACHE=False,
        PUBLIC_PAGE_RATE="100000/minute",
        DOWNLOAD_RATE="100000/minute",
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle counters included)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_open_data_builds(settings, tmp_path):
    """Each test builds /data/latest/ afresh, in its own folder: revision
    numbers start again in every test's database."""
    settings.OPEN_DATA_BUILD_ROOT = tmp_path / "opendata-build"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A request to /es/... leaves
    Spanish active in the thread (LocaleMiddleware never switches back), and
    the next test's get_absolute_url() would then give a /es/ address."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if item not in postgres_only]
        config._postgres_only = [item.nodeid for item in postgres_only]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    postgres_only = getattr(config, "_postgres_only", [])
    if postgres_only:
        terminalreporter.section("left out on SQLite (they run on PostgreSQL)")
        for nodeid in postgres_only:
            terminalreporter.write_line(f"NOT RUN {nodeid}")
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section("skipped tests")
    for report in skipped:
        reason = (
            report.longrepr[2]
            if isinstance(report.longrepr, tuple)
            else report.longrepr
        )
        terminalreporter.write_line(f"SKIPPED {report.nodeid}: {reason}")
    if os.environ.get("CI") == "true":
        terminalreporter.write_line("CI=true: skipped tests fail the run.", red=True)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if (
        os.environ.get("CI") == "true"
        and reporter is not None
        and reporter.stats.get("skipped")
        and exitstatus == 0
    ):
        session.exitstatus = 1


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    """The seed data (fixtures/), loaded once for a module's tests and rolled
    back after them: `pytest.mark.usefixtures("seed")`."""
    from django.db import transaction

    from opendata.collections import load_seed

    with django_db_blocker.unblock(), transaction.atomic():
        load_seed()
        yield
        transaction.set_rollback(True)
