"""One Chromium for the whole browser-test session (Playwright, Debian's system Chromium)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests run last: a live server needs a transactional test, whose flush at the end
    would leave the tests after it without the seeded currencies and units."""
    browser_items = [item for item in items if "browser" in item.keywords]
    items[:] = [item for item in items if "browser" not in item.keywords] + browser_items


@pytest.fixture(scope="session")
def seed_copy(django_db_setup):
    """The copy of the freshly migrated database (currencies, units, roles) that pytest-django
    made for serialized_rollback, taken before Playwright's event loop gives the tests other
    connection objects (Django keeps connections per async context)."""
    from django.db import connections

    return {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}


@pytest.fixture
def seeded(transactional_db, seed_copy):
    """Start from the freshly migrated database, whatever earlier transactional tests flushed."""
    from django.core.management import call_command
    from django.db import connections

    for alias, contents in seed_copy.items():
        if contents:
            call_command("flush", database=alias, interactive=False, verbosity=0, inhibit_post_migrate=True)
            connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, stopped only after its request threads have finished.

    The server answers each browser connection in a daemon thread that it does not wait for when
    it stops, and each such thread closes the shared in-memory SQLite connection when its
    connection ends. Chromium keeps connections open until it closes, so those threads end after
    the browser (which depends on this fixture and so closes first); were the server stopped
    before they end, the connection would no longer be shared with them and each would fail."""
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    server = LiveServer(addr)
    yield server
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        t.is_alive() and t.name.endswith("(process_request_thread)") for t in threading.enumerate()
    ):
        time.sleep(0.05)
    server.stop()


@pytest.fixture(scope="session")
def browser(seed_copy, live_server):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still
    # plain synchronous code, so Django's guard against async contexts does not apply. Set only
    # while the browser tests run (they run last): a deployment check must never see it.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
