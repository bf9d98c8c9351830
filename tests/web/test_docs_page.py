"""/docs in a real browser: Swagger UI, served from this machine, renders our OpenAPI."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from web.webtest_support import LiveApp

pytestmark = pytest.mark.browser


class TestApiDocs:
    def test_docs_render_every_operation_offline(self, browser: Browser, live_app: LiveApp) -> None:
        """The docs page lists our operations; no request leaves the machine."""
        context = browser.new_context()
        page = context.new_page()
        foreign: list[str] = []
        page.on(
            "request",
            lambda request: (
                foreign.append(request.url) if not request.url.startswith(live_app.url) else None
            ),
        )
        page.goto(f"{live_app.url}/docs")
        page.locator(".opblock").first.wait_for(timeout=15_000)
        text = page.locator("body").inner_text()
        assert "/api/deviation-comments/status" in text
        assert "/api/deviation-comments/worker/start" in text
        assert "Unable to render" not in text
        assert foreign == []
        context.close()
