"""The queue table keeps the artist's selection through background refreshes (real browser).

The page refreshes the queue table when the counts change. A refresh that set
out while nothing was selected must not wipe boxes ticked while it was on its
way: the artist would remove other rows than the ones they meant.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, Route, expect

from fixtures.database import METADATA_READ
from photomanager.domain.models import NewQueueItem, Source
from web.webtest_support import LiveApp

pytestmark = pytest.mark.browser

QUEUE_URL = re.compile(r"/api/deviation-comments/queue(\?.*)?$")


def enqueue(live: LiveApp, *deviationids: str) -> None:
    """Queue rows straight into the app's database (the counts change: the page refreshes)."""
    now = datetime.now(UTC)
    with live.container.uow_factory() as uow:
        for n, deviationid in enumerate(deviationids):
            item = NewQueueItem(
                deviationid=deviationid,
                source=Source.WATCH_FEED,
                ts=now - timedelta(seconds=n),
                author="someone",
                title=f"Title {deviationid}",
                enriched_at=METADATA_READ,
            )
            uow.queue.add_deviation(item, now)
        uow.commit()


class HeldQueueReads:
    """Holds the queue reads once armed; everything else goes through."""

    def __init__(self) -> None:
        self.armed = False
        self.routes: list[Route] = []

    def __call__(self, route: Route) -> None:
        if self.armed and route.request.method == "GET":
            self.routes.append(route)
        else:
            route.continue_()

    def release(self) -> None:
        held, self.routes = self.routes, []
        for route in held:
            route.continue_()


def wait_until_held(page: Page, held: HeldQueueReads, polls: int = 300) -> None:
    """Let the page poll (route handlers run while Playwright waits) until a read is held."""
    for _ in range(polls):
        if held.routes:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never refreshed the queue")


class TestSelectionSurvivesRefresh:
    def test_a_refresh_in_flight_does_not_untick_boxes(self, page: Page, live_app: LiveApp) -> None:
        """Tick a box while a background refresh is on its way: it stays ticked."""
        enqueue(live_app, "dev-a", "dev-b")
        held = HeldQueueReads()
        page.route(QUEUE_URL, held)
        page.goto(live_app.url + "/auto-comments#queue")
        box = page.locator('#queue-rows tr[data-deviationid="dev-a"] input[type=checkbox]')
        expect(box).to_be_visible()

        held.armed = True
        enqueue(live_app, "dev-new")  # the next status poll sees new counts and refreshes
        wait_until_held(page, held)
        box.check()
        held.armed = False
        held.release()

        # (Whether "dev-new" shows depends on when the page's first refresh ran: not asserted.)
        expect(box).to_be_checked()
        page.click("#queue-remove")
        expect(page.locator("#queue-flash")).to_have_text("Removed 1 row.")
        remaining = live_app.api("GET", "/api/deviation-comments/queue").json()["items"]
        assert sorted(item["deviationid"] for item in remaining) == ["dev-b", "dev-new"]
