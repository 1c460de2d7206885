"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against
the live site with the real seed data. No browser is ever downloaded.

Without Chromium these tests are skipped with a message; under CI=true a skip
fails the run (see tests/conftest.py).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Playwright's sync API runs an event loop; the live server's ORM calls are
# synchronous (microsoft/playwright-pytest#29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    from opendata.collections import load_seed

    load_seed()


@pytest.fixture
def site(live_server, seeded):
    return live_server.url


def open_page(browser, **options):
    context = browser.new_context(accept_downloads=True, locale="en-US", **options)
    page = context.new_page()
    return context, page
