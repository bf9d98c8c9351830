"""The review panel, template usage and warnings, skips by reason and the log filter,
in a real browser against the real app and the sandbox DeviantArt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from fixtures.database import METADATA_READ
from photomanager.domain.models import NewQueueItem, Source
from web.webtest_support import LiveApp, PageRecorder, go_to

pytestmark = pytest.mark.browser

WAIT_MS = 20_000
SETTINGS = "/api/deviation-comments/settings"
ONE_VARIANT = "Lovely work, {{author}}!"
EDITED = "Edited by hand: thank you for this piece!"


def connect(page: Page, live: LiveApp) -> None:
    """Open the page and connect the sandbox account through the real OAuth redirect."""
    page.goto(live.url + "/auto-comments")
    page.get_by_role("link", name="Connect DeviantArt").click()
    expect(page.locator("#account-status")).to_have_text(
        f"connected as {live.sandbox.artist.username}", timeout=WAIT_MS
    )


def queue_global(live: LiveApp, count: int) -> list[str]:
    """Publish `count` deviations of distinct authors and queue them as Global Feed rows."""
    sandbox = live.sandbox
    ids = [sandbox.publish(1, author=sandbox.users[i])[0] for i in range(count)]
    now = live.container.clock.now()
    with live.container.uow_factory() as uow:
        for i, deviationid in enumerate(ids):
            shown = sandbox.deviation(deviationid)
            item = NewQueueItem(
                deviationid,
                Source.GLOBAL_FEED,
                now - timedelta(seconds=i),
                author=shown["author"]["username"],
                title=shown["title"],
                enriched_at=METADATA_READ,
            )
            uow.queue.add_deviation(item, now)
        uow.commit()
    return ids


class TestReviewPanel:
    def test_approve_edited_and_skip(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """Approved with an edited text: posted once, exactly that text; skipped: never posted."""
        connect(page, live_app)
        paced = live_app.api(
            "PUT",
            SETTINGS,
            {
                "min_interval_s": 1,
                "max_interval_s": 1,
                "max_per_hour": 1000,
                "max_per_day": 1000,
                "review_sources": ["watch_feed", "global_feed", "tags"],
            },
        )
        assert paced.status_code == 200, paced.text

        # A one-variant template: saving is allowed, the warning is shown apart from errors.
        go_to(page, "Templates")
        page.fill("#template-title", "Plain")
        page.fill("#template-body", ONE_VARIANT)
        warning = page.locator("#template-body-warnings .field-warning").first
        expect(warning).to_be_visible()
        expect(warning).to_contain_text(re.compile(r"^Warning: "))
        expect(page.locator("#template-body-error")).to_be_hidden()
        page.click("#template-save")
        expect(page.locator("#template-flash")).to_have_class(re.compile("flash-ok"))
        item = page.locator("#template-list .template-item")
        expect(item.locator(".few-variants")).to_be_visible()
        expect(item.locator(".template-uses")).to_have_text("Used 0 times")

        approved, skipped = queue_global(live_app, 2)
        go_to(page, "Overview")
        page.click("#worker-start")  # every source reviewed: no confirmation asked
        # The bar counts what awaits review; Review shows it.
        expect(page.locator('#section-links a[data-section="review"] .nav-count')).to_contain_text(
            "2", timeout=WAIT_MS
        )
        go_to(page, "Review")
        entries = page.locator("#review-list .review-item")
        expect(entries).to_have_count(2, timeout=WAIT_MS)

        first = page.locator(f'#review-list .review-item[data-deviationid="{approved}"]')
        expect(first.locator(".deviation-meta .meta-source")).to_have_text("Global Feed")
        first.get_by_role("button", name="Edit").click()
        first.locator("textarea").fill(EDITED)
        first.locator("textarea").press("Enter")
        first.get_by_role("button", name="Approve").click()
        expect(page.locator("#review-message")).to_have_text(re.compile(r"^Approved: "))
        page.locator(f'#review-list .review-item[data-deviationid="{skipped}"]').get_by_role(
            "button", name="Skip"
        ).click()
        expect(page.locator("#review-message")).to_have_text(re.compile(r"^Skipped: "))
        expect(entries).to_have_count(0)

        go_to(page, "Overview")
        expect(page.locator('#status-counts [data-count="commented"] dd')).to_have_text(
            "1", timeout=WAIT_MS
        )
        page.click("#worker-stop")
        expect(page.locator("#worker-state")).to_contain_text("stopped", timeout=WAIT_MS)

        ledger = live_app.sandbox.ledger
        assert [c.body for c in ledger.comments_for(approved)] == [EDITED]
        assert ledger.comments_for(skipped) == []
        assert [c.deviationid for c in ledger.all_comments()] == [approved]

        # The overview counts the skip by its reason; the log filters on skipped.
        expect(page.locator('#skipped-reasons [data-count="skipped_in_review"] dd')).to_have_text(
            "1", timeout=WAIT_MS
        )
        go_to(page, "Log")
        page.select_option("#log-filter", "skipped")
        expect(page.locator("#log-rows tr")).to_have_count(1)
        expect(page.locator("#log-rows tr").first).to_have_attribute("data-status", "skipped")
        page.select_option("#log-filter", "sent")
        expect(page.locator("#log-rows tr")).to_have_count(1)
        expect(page.locator("#log-rows tr").first).to_contain_text(EDITED)

        # After a reload the template shows its use and the text it posted.
        go_to(page, "Templates")
        page.reload()
        item = page.locator("#template-list .template-item")
        expect(item.locator(".template-uses")).to_have_text("Used 1 time")
        item.locator(".template-renderings summary").click()
        expect(item.locator(".rendering-list li")).to_have_count(1)
        expect(item.locator(".rendering-list li")).to_contain_text(EDITED)

        assert recorder.dialogs == []
        assert recorder.page_errors == []
