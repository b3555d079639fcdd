"""Headless Chromium through Playwright, against pytest-django's live server.

Without /usr/bin/chromium (or the playwright package) the browser tests are skipped
with the reason shown; with REQUIRE_BROWSER=1 (CI) they fail instead, so a machine
that silently lost its browser cannot pass CI.
"""

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Flags that work on these machines (see ENVIRONMENT.md): no sandbox in containers,
# and nothing that reaches out to the internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000


def browser_unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1, but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("the playwright package is not installed")
    if not CHROMIUM.exists():
        browser_unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API keeps an asyncio loop running in this thread while it is
    # started, and Django refuses ORM calls under a running loop. The ORM calls here are
    # the test's own setup and teardown (plain sync code), so allow them, for this
    # module only.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context (no cookies) per test, pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def curriculum(transactional_db) -> None:
    """The 25 topics, loaded by the data migration's own code.

    live_server needs committed data, so browser tests are transactional, and the flush
    after every transactional test removes what the data migration loaded. Loading is
    idempotent, so it does not matter which transactional test ran before.
    (serialized_rollback would restore them too, but breaks with an IntegrityError on
    content types once any non-serialized transactional test has flushed before it.)
    """
    seed = importlib.import_module("curriculum.migrations.0002_seed_topics")
    seed.load(apps, schema_editor=None)
