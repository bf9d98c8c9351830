"""Browser fixtures: Debian's Chromium driven by Playwright, and the real app on a sandbox.

Chromium comes from `scripts/install-browser.sh` (apt), never from `playwright install`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from photomanager.api.app import create_app
from photomanager.api.server import AppServer
from photomanager.bootstrap import bootstrap
from photomanager.config import load_settings
from photomanager.sandbox import Sandbox
from photomanager.sandbox.adapters import SandboxServer
from photomanager.services.account.session import loopback_redirect_uri
from web.webtest_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SANDBOX_DEVIATIONS,
    SANDBOX_SEED,
    WIDE,
    LiveApp,
    PageRecorder,
)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The system Chromium, headless."""
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def recorder() -> PageRecorder:
    """A fresh recorder per test."""
    return PageRecorder()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[LiveApp]:
    """A fresh database and sandbox per test; the worker thread runs inside the server."""
    sandbox = Sandbox.seeded(seed=SANDBOX_SEED, deviations=SANDBOX_DEVIATIONS)
    with SandboxServer(sandbox) as sandbox_url:
        settings = load_settings(
            data_dir=tmp_path,
            da_base_url=sandbox_url,
            da_client_id=None,
            database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}",
            # No 1 s floor between two requests to the sandbox: a page test waits for what
            # the page shows, not for politeness towards a fake DeviantArt.
            da_min_delay_s=0.0,
        )
        container = bootstrap(settings, sandbox=sandbox)
        server = AppServer(create_app(container, run_worker=True), port=0, log_level="warning")
        bound = server.start()
        sandbox.register_redirect_uri(loopback_redirect_uri(bound.port))
        try:
            yield LiveApp(url=bound.url, sandbox=sandbox, container=container)
        finally:
            server.stop()
            container.close()


@pytest.fixture
def page(browser: Browser, recorder: PageRecorder) -> Iterator[Page]:
    """A wide (1280 px) page that records dialogs and script errors."""
    context = browser.new_context(viewport=WIDE, accept_downloads=True)
    tab = context.new_page()
    recorder.attach(tab)
    yield tab
    context.close()
