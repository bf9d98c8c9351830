"""The worker state in words, as the page's own module computes it (real browser)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page

from web.webtest_support import LiveApp

pytestmark = pytest.mark.browser

NOW_MS = 1_790_000_000_000


def describe(page: Page, worker: dict[str, Any]) -> str:
    """`describeWorker(worker, NOW_MS)` from /static/panel-overview.js."""
    words: str = page.evaluate(
        """async ([worker, now]) => {
            const module = await import("/static/panel-overview.js");
            return module.describeWorker(worker, now);
        }""",
        [worker, NOW_MS],
    )
    return words


def iso(ms_before_now: int) -> str:
    return datetime.fromtimestamp((NOW_MS - ms_before_now) / 1000, tz=UTC).isoformat()


class TestSilentWorker:
    def test_a_worker_silent_for_long_is_called_out(self, page: Page, live_app: LiveApp) -> None:
        """Wanted running, last seen 10 min ago: the page says no worker is seen."""
        page.goto(live_app.url + "/auto-comments")
        worker = {
            "desired": "running",
            "state": "running",
            "reason": "posting",
            "heartbeatAt": iso(10 * 60 * 1000),
        }
        assert describe(page, worker).startswith("no worker seen for 10 min")

    def test_a_worker_that_reported_recently_is_described_as_it_says(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """A report a few seconds old is shown as is."""
        page.goto(live_app.url + "/auto-comments")
        worker = {
            "desired": "running",
            "state": "running",
            "reason": "posting",
            "heartbeatAt": iso(3_000),
        }
        assert describe(page, worker) == "posting"

    def test_a_stopped_worker_is_never_called_silent(self, page: Page, live_app: LiveApp) -> None:
        """Silence is expected once stopped: the stop reason is shown."""
        page.goto(live_app.url + "/auto-comments")
        worker = {
            "desired": "stopped",
            "state": "stopped",
            "reason": "stopped by request",
            "heartbeatAt": iso(3600 * 1000),
        }
        assert describe(page, worker) == "stopped by request"
