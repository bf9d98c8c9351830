"""The page's sections: the bar, the URL hash, reload, back and forward (real browser)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from web.webtest_support import SECTIONS, LiveApp, PageRecorder, open_section

pytestmark = pytest.mark.browser


def visible_section(page: Page) -> str:
    """The `data-section` of the one section shown."""
    shown = page.locator("main [data-section]:visible")
    expect(shown).to_have_count(1)
    return str(shown.get_attribute("data-section"))


class TestNavigation:
    def test_every_section_from_the_bar_and_by_its_hash(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """A click in the bar shows the section, names it in the URL and marks it current."""
        page.goto(live_app.url + "/auto-comments")
        assert visible_section(page) == "overview"
        for name, title in SECTIONS:
            page.locator("#section-links").get_by_role("link", name=title).click()
            expect(page).to_have_url(re.compile(f"#{name}$"))
            assert visible_section(page) == name
            current = page.locator("#section-links a[aria-current=page]")
            expect(current).to_have_attribute("data-section", name)
            expect(page).to_have_title(re.compile(f"^{title} · "))
        for name, _ in SECTIONS:
            page.goto(f"{live_app.url}/auto-comments#{name}")
            assert visible_section(page) == name
        assert recorder.page_errors == []

    def test_reload_keeps_the_section_and_back_forward_walk_the_history(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """Reload stays on Log; back returns to Queue then Overview, forward goes again."""
        page.goto(live_app.url + "/auto-comments")
        page.locator("#section-links").get_by_role("link", name="Queue").click()
        page.locator("#section-links").get_by_role("link", name="Log").click()
        page.reload()
        assert visible_section(page) == "log"
        page.go_back()
        expect(page).to_have_url(re.compile("#queue$"))
        assert visible_section(page) == "queue"
        page.go_back()
        assert visible_section(page) == "overview"
        page.go_forward()
        assert visible_section(page) == "queue"

    def test_a_hash_naming_an_element_shows_its_section(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """`#worker-start` (a first step's link) shows Overview with that button in view."""
        open_section(page, live_app, "settings")
        page.goto(f"{live_app.url}/auto-comments#worker-start")
        assert visible_section(page) == "overview"
        expect(page.locator("#worker-start")).to_be_in_viewport()

    def test_only_the_visible_section_reads_its_lists(self, page: Page, live_app: LiveApp) -> None:
        """On Settings the page polls the status alone: no queue, log or review reads."""
        open_section(page, live_app, "settings")
        expect(page.locator("#set-max_per_day")).not_to_have_value("")
        reads: list[str] = []
        page.on("request", lambda request: reads.append(request.url))
        page.wait_for_timeout(6_000)  # two status polls at least
        paths = {re.sub(r"\?.*$", "", url.removeprefix(live_app.url)) for url in reads}
        assert "/api/deviation-comments/status" in paths
        assert paths <= {"/api/deviation-comments/status", "/api/auth/status"}, paths
