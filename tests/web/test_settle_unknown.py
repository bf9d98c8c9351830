"""Settling, from the queue table, a row whose outcome could not be verified (real browser)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from fixtures.database import add_unknown_row
from photomanager.domain.models import QueueStatus
from web.webtest_support import LiveApp

pytestmark = pytest.mark.browser


def status_of(live: LiveApp, deviationid: str) -> QueueStatus:
    with live.container.uow_factory() as uow:
        item = uow.queue.get(deviationid)
    assert item is not None
    return item.status


@pytest.fixture
def accepting_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page that answers OK to every confirmation, and the questions it was asked."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    yield page, asked
    context.close()


class TestSettleUnknown:
    def test_not_there_queues_the_row_again_after_a_confirmation(
        self, accepting_page: tuple[Page, list[str]], live_app: LiveApp
    ) -> None:
        """'It is not there' asks first, then the row is pending again."""
        page, asked = accepting_page
        add_unknown_row(live_app.container.uow_factory, "UNK-WEB", datetime.now(UTC), title="Lake")
        page.goto(live_app.url + "/auto-comments#queue")
        page.get_by_role("button", name="Our comment is not on Lake").click()
        expect(page.locator("#queue-flash")).to_have_text("Queued to be posted again.")
        assert status_of(live_app, "UNK-WEB") is QueueStatus.PENDING
        assert len(asked) == 1
        assert "posted again" in asked[0]

    def test_there_records_the_comment(
        self, accepting_page: tuple[Page, list[str]], live_app: LiveApp
    ) -> None:
        """'Our comment is there' makes the row commented; only unknown rows offer it."""
        page, _ = accepting_page
        add_unknown_row(live_app.container.uow_factory, "UNK-WEB2", datetime.now(UTC), title="Lake")
        page.goto(live_app.url + "/auto-comments#queue")
        page.get_by_role("button", name="Our comment is on Lake").click()
        expect(page.locator("#queue-flash")).to_have_text("Recorded as commented.")
        assert status_of(live_app, "UNK-WEB2") is QueueStatus.COMMENTED
        expect(page.locator(".settle-actions")).to_have_count(0)
