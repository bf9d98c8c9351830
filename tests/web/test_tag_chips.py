"""Tags in the page: the chips of followed tags (saved at once), "Collect from tags" with one
progress line per tag, the tag filters in the settings, and tags shown under queued titles,
in a real browser against the real app and the sandbox DeviantArt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from fixtures.database import METADATA_READ
from photomanager.domain.models import NewQueueItem, Source
from web.webtest_support import PHONE, LiveApp, PageRecorder, go_to, open_section

pytestmark = pytest.mark.browser

WAIT_MS = 20_000
API = "/api/deviation-comments"
SETTINGS = f"{API}/settings"
XSS_TAG = "<img src=x onerror=alert(1)>"
XSS_TITLE = "<script>alert(2)</script><b>bold</b>"
# DeviantArt tags have no spaces (the queue stores them space-separated): a spaceless payload.
XSS_QUEUED_TAG = "<img/src=x/onerror=alert(3)>"


def open_page(page: Page, live: LiveApp, section: str = "collect") -> None:
    """Open the page on a section (Collect unless told)."""
    open_section(page, live, section)


def connect(page: Page, live: LiveApp) -> None:
    """Open the page and connect the sandbox account through the real OAuth redirect."""
    page.goto(live.url + "/auto-comments")
    page.get_by_role("link", name="Connect DeviantArt").click()
    expect(page.locator("#account-status")).to_have_text(
        f"connected as {live.sandbox.artist.username}", timeout=WAIT_MS
    )


def saved_tags(live: LiveApp) -> list[str]:
    """The `tags` setting as the server holds it."""
    answer = live.api("GET", SETTINGS)
    assert answer.status_code == 200, answer.text
    tags: list[str] = answer.json()["tags"]
    return tags


def add_tag(page: Page, tag: str, *, enter: bool = False) -> None:
    """Type a tag and add it with the button (or Enter)."""
    page.fill("#tag-input", tag)
    if enter:
        page.press("#tag-input", "Enter")
    else:
        page.click("#tag-add")


class TestTagChips:
    def test_added_and_removed_tags_are_saved_at_once(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """Add (button and Enter) and remove save the full list; a reload shows the chips."""
        open_page(page, live_app)
        expect(page.locator("#tags-empty")).to_be_visible()
        add_tag(page, "watercolor")
        expect(page.locator("#tag-chips .chip")).to_have_count(1)
        add_tag(page, "fantasy", enter=True)
        expect(page.locator("#tag-chips .chip-text")).to_have_text(["#watercolor", "#fantasy"])
        expect(page.locator("#tag-input")).to_have_value("")
        expect(page.locator("#tags-empty")).to_be_hidden()
        assert saved_tags(live_app) == ["watercolor", "fantasy"]

        page.get_by_role("button", name="Remove tag watercolor").click()
        expect(page.locator("#tag-chips .chip-text")).to_have_text(["#fantasy"])
        assert saved_tags(live_app) == ["fantasy"]

        page.reload()
        expect(page.locator("#tag-chips .chip-text")).to_have_text(["#fantasy"])
        assert recorder.page_errors == []

    def test_invalid_tag_shows_the_rule_and_is_not_added(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """A tag outside the rule is refused on the page, with a spelling that would do."""
        open_page(page, live_app)
        add_tag(page, "Water Color")
        error = page.locator("#tag-input-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text('try "water_color"')
        expect(page.locator("#tag-input")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#tag-input")).to_have_value("Water Color")
        expect(page.locator("#tag-chips .chip")).to_have_count(0)
        assert saved_tags(live_app) == []

    def test_hostile_tag_text_stays_text(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """HTML typed as a tag is refused and shown literally in the error; nothing runs."""
        open_page(page, live_app)
        add_tag(page, XSS_TAG, enter=True)
        expect(page.locator("#tag-input-error")).to_contain_text(XSS_TAG)
        assert page.locator("#collectors img, #collectors script").count() == 0
        # The server refuses it too, with its own words under `details.tags`.
        answer = live_app.api("PUT", SETTINGS, {"tags": [XSS_TAG]})
        assert answer.status_code == 422
        assert "tags" in answer.json()["details"]
        assert saved_tags(live_app) == []
        assert recorder.dialogs == []
        assert recorder.page_errors == []

    def test_server_refusal_is_shown_and_the_text_kept(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """A 21st tag passes the page's rule but not the server's: its message, text kept."""
        twenty = [f"tag_{i}" for i in range(20)]
        answer = live_app.api("PUT", SETTINGS, {"tags": twenty})
        assert answer.status_code == 200, answer.text
        open_page(page, live_app)
        expect(page.locator("#tag-chips .chip")).to_have_count(20)
        add_tag(page, "one_more")
        expect(page.locator("#tag-input-error")).to_contain_text("at most 20 tags")
        expect(page.locator("#tag-input")).to_have_value("one_more")
        expect(page.locator("#tag-chips .chip")).to_have_count(20)
        assert saved_tags(live_app) == twenty
        assert recorder.page_errors == []


class TestCollectFromTags:
    def test_without_tags_the_page_says_what_to_do(self, page: Page, live_app: LiveApp) -> None:
        """ "Collect from tags" with no tag asks for one instead of starting anything."""
        open_page(page, live_app)
        page.click("#collect-tags")
        expect(page.locator("#collect-flash")).to_contain_text("No tags yet")
        expect(page.locator("#tag-progress li")).to_have_count(0)

    def test_two_tags_show_two_lines_and_queue_their_deviations(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder, artifacts: Path
    ) -> None:
        """One progress line per tag, each ends "done"; queued rows show the tag as source."""
        connect(page, live_app)
        go_to(page, "Collect")
        add_tag(page, "watercolor")
        expect(page.locator("#tag-chips .chip")).to_have_count(1)
        add_tag(page, "fantasy")
        expect(page.locator("#tag-chips .chip")).to_have_count(2)
        page.fill("#collect-pages", "1")
        page.click("#collect-tags")

        lines = page.locator("#tag-progress li.tag-run")
        expect(lines).to_have_count(2)
        for tag in ("watercolor", "fantasy"):
            line = page.locator(f'#tag-progress li[data-tag="{tag}"]')
            expect(line.locator("label")).to_contain_text(f"#{tag}: done", timeout=WAIT_MS)
            expect(line.locator(".numbers")).to_contain_text("page 1 of 1 · found")
            expect(line.get_by_role("progressbar")).to_have_attribute("value", "1")
        expect(page.locator("#collect-flash")).to_contain_text(
            re.compile(r"^Tags: \d+ new deviation\(s\) queued\.$")
        )
        # The watch/global box is untouched by tag runs.
        expect(page.locator("#collect-progress")).to_be_hidden()

        queued = live_app.api("GET", f"{API}/queue?limit=200").json()["items"]
        sources = {item["source"] for item in queued}
        assert sources == {"tag:watercolor", "tag:fantasy"}

        go_to(page, "Queue")
        row = page.locator("#queue-rows tr").first
        expect(row).to_be_visible(timeout=WAIT_MS)
        source = row.locator("td.source").inner_text()
        assert source in ("#watercolor", "#fantasy")
        # The row's own tags include the tag it was found through.
        expect(row.locator(".meta-tags")).to_contain_text(source)
        page.screenshot(path=artifacts / "tags-01-collected.png", full_page=True)
        assert recorder.dialogs == []
        assert recorder.page_errors == []


class TestTagsInTheQueue:
    def test_hostile_title_and_tags_show_as_text(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """A queued row's HTML title and tags appear literally, cut after six tags."""
        now = live_app.container.clock.now()
        tags = (XSS_QUEUED_TAG, "fine", "a", "b", "c", "d", "e", "f")
        with live_app.container.uow_factory() as uow:
            item = NewQueueItem(
                "HOSTILE-0001",
                Source.tag("watercolor"),
                now,
                author="someone",
                title=XSS_TITLE,
                tags=tags,
                language="de",
                enriched_at=METADATA_READ,
            )
            uow.queue.add_deviation(item, now)
            uow.commit()
        open_page(page, live_app, "queue")
        row = page.locator('#queue-rows tr[data-deviationid="HOSTILE-0001"]')
        expect(row).to_have_count(1, timeout=WAIT_MS)
        expect(row.locator(".deviation-title")).to_have_text(XSS_TITLE)
        expect(row.locator(".meta-tags")).to_have_text(
            f"Tags: #{XSS_QUEUED_TAG} #fine #a #b #c #d +2"
        )
        expect(row.locator(".meta-language")).to_have_text("Language: de")
        expect(row.locator("td.source")).to_have_text("#watercolor")
        assert page.locator("#queue-rows img, #queue-rows script, #queue-rows b").count() == 0
        assert recorder.dialogs == []
        assert recorder.page_errors == []


class TestTagSettings:
    def test_tag_and_language_filters_save_and_show_errors(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """The filters save as lists; a bad language or tag shows under its own field."""
        open_page(page, live_app, "settings")
        expect(page.locator("#set-unknown_language")).to_have_value("allow")
        expect(page.locator("#set-review-tags")).to_be_checked()
        page.fill("#set-include_tags", "watercolor, landscape")
        page.fill("#set-exclude_tags", "nsfw")
        page.fill("#set-languages", "en, DE")
        page.select_option("#set-unknown_language", "skip")
        page.uncheck("#set-review-tags")
        page.click("#settings-save")
        expect(page.locator("#settings-flash")).to_have_text("Settings saved.")
        saved = live_app.api("GET", SETTINGS).json()
        assert saved["include_tags"] == ["watercolor", "landscape"]
        assert saved["exclude_tags"] == ["nsfw"]
        assert saved["languages"] == ["en", "de"]
        assert saved["unknown_language"] == "skip"
        assert "tags" not in saved["review_sources"]
        expect(page.locator("#set-languages")).to_have_value("en, de")

        page.fill("#set-languages", "klingon")
        page.fill("#set-exclude_tags", "Bad Tag")
        page.click("#settings-save")
        expect(page.locator("#settings-flash")).to_have_class(re.compile("flash-error"))
        expect(page.locator("#set-languages-error")).to_contain_text("'klingon' is not a language")
        expect(page.locator("#set-exclude_tags-error")).to_contain_text("try 'bad_tag'")
        expect(page.locator("#set-languages")).to_have_attribute("aria-invalid", "true")
        assert live_app.api("GET", SETTINGS).json()["languages"] == ["en", "de"]
        assert recorder.page_errors == []


class TestTagsOnAPhone:
    def test_long_chips_and_tag_lines_fit_390px(
        self, browser: Browser, live_app: LiveApp, artifacts: Path
    ) -> None:
        """Long tag chips wrap inside a 390 px screen, with the add button reachable."""
        long_tags = ["a" * 50, "b" * 50, "landscape"]
        answer = live_app.api("PUT", SETTINGS, {"tags": long_tags})
        assert answer.status_code == 200, answer.text
        context = browser.new_context(viewport=PHONE)
        phone = context.new_page()
        try:
            open_page(phone, live_app)
            expect(phone.locator("#tag-chips .chip")).to_have_count(3)
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            expect(phone.get_by_role("button", name="Add tag")).to_be_visible()
            expect(phone.get_by_role("button", name="Collect from tags")).to_be_visible()
            phone.screenshot(path=artifacts / "tags-02-phone.png", full_page=True)
        finally:
            context.close()
