"""The overview says when housekeeping last ran and what it removed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from web.webtest_support import LiveApp

pytestmark = pytest.mark.browser

WAIT_MS = 20_000


class TestHousekeepingLine:
    def test_the_overview_shows_the_last_pass(self, page: Page, live_app: LiveApp) -> None:
        """Before any pass it says so; after a prune it names who ran it and what went."""
        page.goto(live_app.url + "/auto-comments")
        expect(page.locator("#housekeeping")).to_contain_text("has not run yet", timeout=WAIT_MS)

        pruned = live_app.api("POST", "/api/deviation-comments/queue/prune", {})
        assert pruned.status_code == 200, pruned.text

        expect(page.locator("#housekeeping")).to_have_text(
            re.compile(r"last ran .* \(api\): removed no queue rows and 0 log entries"),
            timeout=WAIT_MS,
        )
