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


class TestFirstSteps:
    def test_a_fresh_install_shows_the_steps_in_order_each_linking_where_it_is_done(
        self, page: Page, live_app: LiveApp
    ) -> None:
        """Nothing done: five steps, "to do"; each link opens its section; done steps say so."""
        page.goto(live_app.url + "/auto-comments")
        steps = page.locator("#first-steps-list li")
        expect(steps).to_have_count(5)
        expect(steps.locator("a")).to_have_text(
            [
                "Connect your DeviantArt account",
                "Write a comment template",
                "Collect deviations from a feed",
                "Review the comments held for you",
                "Start the worker",
            ]
        )
        expect(page.locator("#first-steps-list li.done")).to_have_count(0)
        expect(page.locator('#needs-you-list li[data-need="connect"]')).to_be_visible()
        for step, section in (
            ("template", "templates"),
            ("collect", "collect"),
            ("review", "review"),
        ):
            page.locator(f'#first-steps-list li[data-step="{step}"] a').click()
            assert visible_section(page) == section
            page.go_back()
            assert visible_section(page) == "overview"

        # A template and a queue row later, those two steps read done.
        live_app.container.templates.create_template(title="t", body="{Lovely|Great} work!")
        page.locator("#section-links a[data-section='templates']").click()
        page.locator("#section-links a[data-section='overview']").click()
        expect(page.locator('#first-steps-list li[data-step="template"]')).to_have_class(
            re.compile(r"\bdone\b")
        )
        expect(page.locator('#first-steps-list li[data-step="template"] .step-state')).to_have_text(
            "done (1 template)"
        )
        page.locator('#first-steps-list li[data-step="worker"] a').click()
        expect(page.locator("#worker-start")).to_be_focused()
