"""Review at keyboard speed: ten held comments decided with the keyboard alone (real browser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from fixtures.database import METADATA_READ, add_review_row
from photomanager.domain.images import DEVIANTART_IMAGE_ORIGIN
from photomanager.domain.models import NewQueueItem, QueueStatus, Source
from web.webtest_support import LiveApp, PageRecorder

pytestmark = pytest.mark.browser

EDITED = "Edited with the keyboard: the light on the water is lovely."
COUNT = 10


def hold_ten(live: LiveApp) -> list[str]:
    """Ten comments held for review, newest first (the order Review shows them in)."""
    now = datetime.now(UTC)
    ids = []
    for n in range(COUNT):
        item = NewQueueItem(
            f"KEYS-{n:02d}",
            Source.GLOBAL_FEED,
            now - timedelta(minutes=n),
            author=f"artist{n}",
            title=f"Lake study {n}",
            tags=("lake", f"study{n}"),
            enriched_at=METADATA_READ,
            thumbnail_url=f"{DEVIANTART_IMAGE_ORIGIN}/f/lake-{n}.jpg",
        )
        ids.append(add_review_row(live.container.uow_factory, item, now, body=f"Lovely {n}!"))
    return ids


def focused(page: Page) -> str | None:
    """The review item that has the keyboard focus (its deviation id)."""
    value: str | None = page.evaluate(
        "() => document.activeElement && document.activeElement.dataset.deviationid || null"
    )
    return value


def statuses(live: LiveApp) -> dict[str, str]:
    """Every queue row's status, as the API reports it."""
    answer = live.api("GET", "/api/deviation-comments/queue?limit=100")
    assert answer.status_code == 200, answer.text
    return {item["deviationid"]: item["status"] for item in answer.json()["items"]}


class TestReviewByKeyboard:
    def test_ten_comments_decided_with_keys_alone(
        self, page: Page, live_app: LiveApp, recorder: PageRecorder
    ) -> None:
        """a/s/e/j/k/Enter/Esc only: the API shows exactly the approvals, skips and the edit."""
        ids = hold_ten(live_app)
        page.goto(live_app.url + "/auto-comments#review")
        items = page.locator("#review-list .review-item:visible")
        expect(items).to_have_count(COUNT)
        first = items.first
        expect(first.locator(".review-link")).to_have_text("Lake study 0")
        expect(first.locator(".author")).to_have_text("artist0")
        expect(first.locator(".meta-tags")).to_contain_text("#lake #study0")
        expect(first.locator(".review-text")).to_have_text("Lovely 0!")
        expect(first.locator("img.review-thumb")).to_have_attribute(
            "src", f"{DEVIANTART_IMAGE_ORIGIN}/f/lake-0.jpg"
        )
        keys = page.keyboard

        keys.press("?")
        expect(page.locator("#review-keys")).to_be_visible()
        keys.press("Escape")
        expect(page.locator("#review-keys")).to_be_hidden()

        keys.press("j")
        assert focused(page) == ids[0]
        top = first.bounding_box()
        assert top is not None
        keys.press("a")  # approve 0
        expect(items).to_have_count(COUNT - 1)
        assert focused(page) == ids[1]
        moved = items.first.bounding_box()
        assert moved is not None
        assert abs(moved["y"] - top["y"]) < 1  # the next item took its place: nothing jumped
        keys.press("s")  # skip 1
        expect(items).to_have_count(COUNT - 2)
        keys.press("a")  # approve 2
        expect(items).to_have_count(COUNT - 3)
        assert focused(page) == ids[3]
        keys.press("j")
        assert focused(page) == ids[4]
        keys.press("e")  # edit 4: the text to post, Enter saves
        editor = page.locator(f"#review-body-{ids[4]}")
        expect(editor).to_be_focused()
        keys.press("Control+a")
        keys.type(EDITED)
        keys.press("Enter")
        assert focused(page) == ids[4]
        expect(page.locator(f'[data-deviationid="{ids[4]}"] .review-text')).to_have_text(EDITED)
        keys.press("a")  # approve 4 as edited
        expect(items).to_have_count(COUNT - 4)
        assert focused(page) == ids[5]
        keys.press("s")  # skip 5
        expect(items).to_have_count(COUNT - 5)
        keys.press("k")  # back to 3
        assert focused(page) == ids[3]
        keys.press("s")  # skip 3: the focus goes to the next one left, 6
        expect(items).to_have_count(COUNT - 6)
        assert focused(page) == ids[6]
        keys.press("e")  # an edit given up: Esc keeps the rendered text
        keys.type("never posted")
        keys.press("Escape")
        assert focused(page) == ids[6]
        keys.press("a")  # approve 6 unedited
        expect(items).to_have_count(COUNT - 7)

        approved = [ids[0], ids[2], ids[4], ids[6]]
        skipped = [ids[1], ids[3], ids[5]]
        untouched = ids[7:]
        shown = statuses(live_app)
        assert {i for i in ids if shown[i] == QueueStatus.PENDING} == set(approved)
        assert {i for i in ids if shown[i] == QueueStatus.SKIPPED} == set(skipped)
        assert {i for i in ids if shown[i] == QueueStatus.AWAITING_REVIEW} == set(untouched)
        review = live_app.api("GET", "/api/deviation-comments/review").json()["items"]
        assert [item["deviationid"] for item in review] == untouched
        with live_app.container.uow_factory() as uow:
            bodies = {i: uow.queue.get(i).body for i in approved}  # type: ignore[union-attr]
        assert bodies == {
            ids[0]: "Lovely 0!",
            ids[2]: "Lovely 2!",
            ids[4]: EDITED,
            ids[6]: "Lovely 6!",
        }
        assert recorder.dialogs == []
        assert recorder.page_errors == []
