"""The Auto Comments page in a real browser against the real app and the sandbox DeviantArt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from photomanager.domain.models import DeviantArtUser
from web.webtest_support import PHONE, LiveApp, PageRecorder, go_to

pytestmark = pytest.mark.browser

WAIT_MS = 20_000


def connect(page: Page, live: LiveApp) -> None:
    """Open the page and connect the sandbox account through the real OAuth redirect."""
    page.goto(live.url + "/")
    expect(page).to_have_url(re.compile(r"/auto-comments$"))
    page.get_by_role("link", name="Connect DeviantArt").click()
    expect(page.locator("#account-status")).to_have_text(
        f"connected as {live.sandbox.artist.username}", timeout=WAIT_MS
    )


def count_of(page: Page, status: str) -> int:
    """The number shown on the overview tile of a queue status."""
    return int(page.locator(f'#status-counts [data-count="{status}"] dd').inner_text())


class TestFullFlow:
    def test_connect_template_collect_post_remove_export(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder, artifacts: Path
    ) -> None:
        """The artist's day on the sandbox: every step shows its result on the page."""
        connect(page, live_app)
        expect(page.locator("#sandbox-badge")).to_be_visible()
        page.screenshot(path=artifacts / "01-connected.png", full_page=True)

        # An invalid template: the error appears under the field, with its position.
        go_to(page, "Templates")
        page.fill("#template-title", "Broken")
        page.fill("#template-body", "{Lovely|Great work")
        expect(page.locator("#template-body-error")).to_contain_text(re.compile(r"line 1:\d+"))
        page.click("#template-save")
        expect(page.locator("#template-flash")).to_have_class(re.compile("flash-error"))
        expect(page.locator("#template-list .template-item")).to_have_count(0)
        page.screenshot(path=artifacts / "02-template-error.png", full_page=True)

        # Fixed: five renderings and the number of variants, then saved.
        page.fill("#template-title", "Praise")
        page.fill("#template-body", "{Lovely|Great|Wonderful} work, {{author}}!")
        expect(page.locator("#template-body-error")).to_be_hidden()
        expect(page.locator("#template-variants")).to_contain_text("3 possible variants")
        expect(page.locator("#template-preview li")).to_have_count(5)
        page.click("#template-save")
        # As a person would: the next template once the first is saved (the form resets then).
        expect(page.locator("#template-list .template-item")).to_have_count(1)
        page.fill("#template-title", "Thanks")
        page.fill("#template-body", "Thanks for sharing {this|your art}!")
        expect(page.locator("#template-variants")).to_contain_text("2 possible variants")
        page.click("#template-save")
        expect(page.locator("#template-list .template-item")).to_have_count(2)

        # Both feeds, with the progress visible until each run is done.
        go_to(page, "Collect")
        page.fill("#collect-pages", "1")
        page.click("#collect-watch")
        expect(page.locator("#collect-progress")).to_be_visible()
        expect(page.locator("#collect-label")).to_contain_text("Watch Feed: done", timeout=WAIT_MS)
        expect(page.locator("#collect-numbers")).to_contain_text("found")
        page.click("#collect-global")
        expect(page.locator("#collect-label")).to_contain_text("Global Feed: done", timeout=WAIT_MS)
        go_to(page, "Queue")
        expect(page.locator("#queue-rows tr").first).to_be_visible(timeout=WAIT_MS)
        go_to(page, "Overview")
        expect(page.locator('#status-counts [data-count="pending"] dd')).not_to_have_text("0")
        pending_before = count_of(page, "pending")
        assert pending_before > 0
        page.screenshot(path=artifacts / "03-collected.png", full_page=True)

        # The worker posts at the fastest pace the settings allow, then stops on request.
        paced = live_app.api(
            "PUT",
            "/api/deviation-comments/settings",
            {"min_interval_s": 1, "max_interval_s": 1, "max_per_hour": 1000, "max_per_day": 1000},
        )
        assert paced.status_code == 200, paced.text
        # Watch Feed comments go out unreviewed: the artist's one-time yes, given beforehand
        # (the page asks with a dialog, which the recorder would dismiss).
        for action, body in (("start", {"confirm_unreviewed": True}), ("stop", {})):
            answer = live_app.api("POST", f"/api/deviation-comments/worker/{action}", body)
            assert answer.status_code == 200, answer.text
        page.click("#worker-start")
        expect(page.locator('#status-counts [data-count="commented"] dd')).not_to_have_text(
            "0", timeout=WAIT_MS
        )
        page.screenshot(path=artifacts / "04-worker-running.png", full_page=True)
        page.click("#worker-stop")
        expect(page.locator("#worker-state")).to_contain_text("stopped", timeout=WAIT_MS)
        assert live_app.sandbox.ledger  # DeviantArt saw the comments

        # Remove two selected rows.
        go_to(page, "Queue")
        page.select_option("#queue-filter", "pending")
        rows = page.locator("#queue-rows tr")
        expect(page.locator('#queue-rows tr:not([data-status="pending"])')).to_have_count(0)
        expect(rows.first).to_be_visible()
        chosen = [rows.nth(i).get_attribute("data-deviationid") for i in range(2)]
        for deviationid in chosen:
            page.check(f'#queue-rows tr[data-deviationid="{deviationid}"] input[type=checkbox]')
        page.click("#queue-remove")
        expect(page.locator("#queue-flash")).to_have_text("Removed 2 rows.")
        for deviationid in chosen:
            expect(page.locator(f'#queue-rows tr[data-deviationid="{deviationid}"]')).to_have_count(
                0
            )

        # The log lists the attempts and exports them as CSV.
        go_to(page, "Log")
        expect(page.locator("#log-rows tr").first).to_be_visible(timeout=WAIT_MS)
        with page.expect_download() as download_info:
            page.click("#log-export")
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        csv_text = Path(download.path()).read_text(encoding="utf-8")
        assert "sent" in csv_text
        page.screenshot(path=artifacts / "05-final.png", full_page=True)

        assert recorder.dialogs == []
        assert recorder.page_errors == []


XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_USERNAME = "</script><script>alert(2)</script>"


class TestUntrustedText:
    def test_hostile_title_and_username_show_as_text(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder, artifacts: Path
    ) -> None:
        """A title and a username made of HTML appear literally; no script runs, no dialog."""
        evil = DeviantArtUser(userid="EVIL-0001", username=XSS_USERNAME)
        (deviationid,) = live_app.sandbox.publish(1, author=evil)
        # The sandbox has no public title setter; its record is a plain mutable dataclass.
        live_app.sandbox._world.get(deviationid).title = XSS_TITLE  # type: ignore[union-attr]
        connect(page, live_app)
        go_to(page, "Collect")
        page.click("#collect-global")
        expect(page.locator("#collect-label")).to_contain_text("Global Feed: done", timeout=WAIT_MS)
        go_to(page, "Queue")
        row = page.locator(f'#queue-rows tr[data-deviationid="{deviationid}"]')
        expect(row).to_have_count(1, timeout=WAIT_MS)
        expect(row.locator("td.title .deviation-title")).to_have_text(XSS_TITLE)
        expect(row.locator("td.author")).to_have_text(XSS_USERNAME)
        assert row.locator("a").get_attribute("rel") == "noopener noreferrer"
        assert page.locator("#queue-rows img, #queue-rows script").count() == 0
        page.screenshot(path=artifacts / "06-hostile-text.png")
        assert recorder.dialogs == []
        assert recorder.page_errors == []


class TestLayout:
    def test_phone_width_needs_no_sideways_scrolling(
        self, browser: Browser, live_app: LiveApp, artifacts: Path
    ) -> None:
        """At 390 px the page fits the screen and every control is still reachable."""
        context = browser.new_context(viewport=PHONE)
        phone = context.new_page()
        try:
            phone.goto(live_app.url + "/auto-comments#collect")
            expect(phone.get_by_role("button", name="Collect from Watch Feed")).to_be_visible()
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"]
            phone.screenshot(path=artifacts / "07-phone.png")
        finally:
            context.close()

    def test_every_control_has_a_label(self, page: Page, live_app: LiveApp) -> None:
        """Inputs, selects and textareas all have an accessible name."""
        page.goto(live_app.url + "/auto-comments")
        expect(page.locator("#worker-state")).not_to_have_text("loading…")
        unnamed = page.evaluate(
            """() => Array.from(
                   document.querySelectorAll('input:not([type=hidden]),select,textarea'))
                 .filter((n) => !(n.labels && n.labels.length) && !n.getAttribute('aria-label'))
                 .map((n) => n.id || n.name)"""
        )
        assert unnamed == []


class TestServerRestart:
    def test_unreachable_server_shows_reconnecting(self, page: Page, live_app: LiveApp) -> None:
        """When status polls fail the page says it is reconnecting, and recovers after."""
        page.goto(live_app.url + "/auto-comments")
        expect(page.locator("#worker-state")).not_to_have_text("loading…")
        page.route("**/api/deviation-comments/status", lambda route: route.abort())
        expect(page.locator("#connection-banner")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("#connection-banner")).to_contain_text("reconnecting")
        page.unroute("**/api/deviation-comments/status")
        expect(page.locator("#connection-banner")).to_be_hidden(timeout=WAIT_MS)
