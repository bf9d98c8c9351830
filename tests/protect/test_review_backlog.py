"""Review mode keeps a bounded backlog: the worker parks a few texts, not the whole feed."""

from __future__ import annotations

import pytest

from photomanager.domain.models import QueueStatus, Source
from photomanager.services.posting import worker as worker_module
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.upkeep.review import ReviewService
from protect.protect_support import enqueue, posts, publish, row
from services.service_harness import Harness

BACKLOG = 3


@pytest.fixture(autouse=True)
def small_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "REVIEW_BACKLOG", BACKLOG)


def park_all(harness: Harness) -> list[StepOutcome]:
    """Run steps until the worker has nothing more to do; their outcomes."""
    outcomes = []
    for _ in range(20):
        outcome = harness.worker.run_once().outcome
        outcomes.append(outcome)
        if outcome in (StepOutcome.IDLE, StepOutcome.REVIEW_FULL):
            return outcomes
    raise AssertionError(f"the worker never settled: {outcomes}")


class TestBacklogLimit:
    def test_parking_stops_once_the_backlog_is_full(self, harness: Harness) -> None:
        """BACKLOG rows are parked; the rest stay pending and the worker says why it waits."""
        harness.add_template()
        ids = publish(harness, BACKLOG + 2)
        enqueue(harness, ids, Source.GLOBAL_FEED)

        outcomes = park_all(harness)

        assert outcomes == [StepOutcome.REVIEW] * BACKLOG + [StepOutcome.REVIEW_FULL]
        statuses = [row(harness, i).status for i in ids]
        assert statuses == [QueueStatus.AWAITING_REVIEW] * BACKLOG + [QueueStatus.PENDING] * 2
        assert posts(harness) == 0

    def test_unreviewed_sources_are_still_posted_while_the_backlog_is_full(
        self, harness: Harness
    ) -> None:
        """A full review backlog holds only the reviewed sources' unapproved rows."""
        harness.add_template()
        *global_ids, watch_id = publish(harness, BACKLOG + 2)
        enqueue(harness, global_ids, Source.GLOBAL_FEED)  # newer: claimed first
        enqueue(harness, [watch_id], Source.WATCH_FEED)

        outcomes = park_all(harness)

        assert StepOutcome.SENT in outcomes
        assert row(harness, watch_id).status is QueueStatus.COMMENTED
        assert row(harness, global_ids[-1]).status is QueueStatus.PENDING
        assert posts(harness) == 1

    def test_reviewing_makes_room_for_the_next_rows(self, harness: Harness) -> None:
        """Approving or skipping parked rows lets the worker prepare the next ones."""
        harness.add_template()
        ids = publish(harness, BACKLOG + 1)
        enqueue(harness, ids, Source.GLOBAL_FEED)
        park_all(harness)
        review = ReviewService(uow_factory=harness.uow_factory, clock=harness.clock)

        review.skip(ids[0])
        outcomes = park_all(harness)

        assert outcomes[0] is StepOutcome.REVIEW
        assert row(harness, ids[-1]).status is QueueStatus.AWAITING_REVIEW


class TestNoRepeatsAmongParkedTexts:
    def test_texts_awaiting_review_are_not_rendered_again(
        self, harness: Harness, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each parked text differs while the template has enough variants."""
        words = ["One", "Two", "Three", "Four", "Five", "Six"]
        monkeypatch.setattr(worker_module, "REVIEW_BACKLOG", len(words))
        harness.add_template("{" + "|".join(words) + "}")
        ids = publish(harness, len(words))
        enqueue(harness, ids, Source.GLOBAL_FEED)

        park_all(harness)

        assert sorted(row(harness, i).body or "" for i in ids) == sorted(words)
