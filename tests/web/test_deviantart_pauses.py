"""DeviantArt's failure modes as the artist sees them: each pause and its reason, live.

The real app and its worker thread against a served sandbox (rate limited as
DeviantArt does it): an action throttle pauses posting, the CDN's block fails a
collect and pauses everyone, a gone read-back leaves a row the artist settles.
"""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from photomanager.domain.models import QueueStatus
from photomanager.sandbox import ActionThrottle, EdgeBlock, default_rate_limit
from photomanager.services.account.identity import lookup_me
from web.webtest_support import LiveApp, go_to, ready_to_post

pytestmark = pytest.mark.browser

WAIT_MS = 20_000
TEMPLATE = "{Lovely|Beautiful|Great} {work|piece}, {{author}}{!|!!}"


def prepare(live: LiveApp, rows: int) -> list[str]:
    """DeviantArt's rate limit, a template, and `rows` deviations ready to post (ids)."""
    live.sandbox.faults.rate_limit = default_rate_limit()
    ids = ready_to_post(live, rows)
    live.container.templates.create_template(title="t", body=TEMPLATE)
    return ids


class TestPausesOnThePage:
    def test_an_action_throttle_pauses_posting_and_says_so(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """Three 400s in a row: the page says posting is throttled, until when, rows pending."""
        prepare(live_app, 6)
        live_app.sandbox.faults.action_throttle = ActionThrottle(after_posts=2, duration_s=600)
        page.goto(live_app.url + "/auto-comments")
        started = live_app.api(
            "POST", "/api/deviation-comments/worker/start", {"confirm_unreviewed": True}
        )
        assert started.status_code == 200, started.text
        waits = page.locator("#deviantart-waits li")
        expect(waits).to_contain_text("throttled comment posting", timeout=WAIT_MS)
        expect(page.locator("#worker-state")).to_contain_text("paused", timeout=WAIT_MS)
        expect(page.locator("#worker-state")).to_contain_text("throttled comment posting")
        expect(page.locator('#status-counts [data-count="failed"] dd')).to_have_text("0")
        assert live_app.sandbox.ledger.duplicates() == []
        assert len(live_app.sandbox.ledger.all_comments()) == 2

    def test_the_cdn_block_fails_a_collect_and_shows_the_next_try(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """An HTML 403: the collect says the network refused this machine; the wait is listed."""
        prepare(live_app, 1)
        live_app.sandbox.faults.edge_block = EdgeBlock(duration_s=600)
        page.goto(live_app.url + "/auto-comments#collect")
        page.fill("#collect-pages", "1")
        page.click("#collect-watch")
        expect(page.locator("#collect-label")).to_contain_text(
            "refused this machine", timeout=WAIT_MS
        )
        go_to(page, "Overview")
        waits = page.locator('#deviantart-waits li[data-scope="edge"]')
        expect(waits).to_contain_text("refused this machine", timeout=WAIT_MS)
        expect(waits).to_contain_text("next try at")

    def test_a_row_that_cannot_be_verified_says_how_and_is_settled_on_the_page(
        self, browser: Browser, live_app: LiveApp
    ) -> None:
        """Read-back gone: the row stays unknown with the reason; "Our comment is there" settles."""
        [deviationid] = prepare(live_app, 1)
        container = live_app.container
        live_app.sandbox.faults.drop_next_posts = 1
        live_app.sandbox.faults.gone_paths = frozenset({"comments/deviation"})
        first = container.worker.run_once()
        assert first.outcome.value == "unknown", first
        me = lookup_me(container.uow_factory, container.api, required=True)
        container.worker.reconciler.reconcile(deviationid, me, threading.Event())
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()

        def accept(dialog: Dialog) -> None:
            dialog.accept()

        tab.on("dialog", accept)
        try:
            tab.goto(live_app.url + "/auto-comments")
            gone = tab.locator("#deviantart-waits li")
            expect(gone).to_contain_text("cannot be verified", timeout=WAIT_MS)
            # Overview lists the pause among what needs the artist, linking to the queue.
            tab.locator('#needs-you-list li[data-need="wait"] a').click()
            row = tab.locator(f'#queue-rows tr[data-deviationid="{deviationid}"]')
            expect(row).to_contain_text("cannot verify", timeout=WAIT_MS)
            expect(row).to_contain_text("DeviantArt no longer offers comments/deviation")
            row.get_by_role("button", name=re.compile(r"^Our comment is on ")).click()
            expect(tab.locator("#queue-flash")).to_have_text("Recorded as commented.")
        finally:
            context.close()
        with container.uow_factory() as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert item.status is QueueStatus.COMMENTED
