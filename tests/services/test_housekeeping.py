"""Housekeeping: the queue TTL, the bound on the backlog, log retention, the hourly pass."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import LogStatus, QueueStatus, Source
from photomanager.services.collecting.collector import STOP_FULL, STOP_TOO_OLD
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.screening.filters import ALREADY_COMMENTED, QUEUE_FULL, TOO_OLD
from photomanager.services.upkeep.housekeeping import (
    EVERY,
    TRIGGER_CLI,
    TRIGGER_WORKER,
    Housekeeping,
)
from services.service_harness import Harness
from services.worker_loop_support import run_loop_for

DAY = 86_400.0  # seconds, as the fake clock advances


def housekeeping(h: Harness, batch: int = 500) -> Housekeeping:
    """Housekeeping on the harness's database and clock, without real pauses."""
    return Housekeeping(
        uow_factory=h.uow_factory, clock=h.clock, batch=batch, pause=lambda stop, _s: stop.is_set()
    )


def queued(h: Harness) -> set[str]:
    """Every deviation id in the queue."""
    items, _ = h.queue.list_queue(limit=500)
    return {i.deviationid for i in items}


def fresh_work(h: Harness, n: int) -> list[str]:
    """Publish `n` watched deviations now and collect them (only them: a narrow TTL)."""
    ids = h.sandbox.publish(n, watched=True)
    h.clock.advance(60)
    h.collect(Source.WATCH_FEED, pages=1)
    assert set(ids) <= queued(h)
    return ids


class TestQueueTtl:
    def test_expired_pending_rows_leave_and_are_counted(self, harness: Harness) -> None:
        """Pending rows published longer ago than the TTL leave; the pass says how many."""
        ids = fresh_work(harness, 3)
        harness.clock.advance(8 * DAY)

        run = housekeeping(harness).prune(trigger=TRIGGER_CLI)

        assert not set(ids) & queued(harness)
        assert run.removed[QueueStatus.PENDING] >= 3
        assert run.complete

    def test_a_pruned_deviation_met_again_is_not_queued(self, harness: Harness) -> None:
        """A collect that meets a pruned pending deviation again counts it too old."""
        ids = fresh_work(harness, 3)
        harness.clock.advance(8 * DAY)
        housekeeping(harness).prune()

        again = harness.collect(Source.WATCH_FEED, pages=1)

        assert not set(ids) & queued(harness)
        assert again.filtered.get(TOO_OLD, 0) >= 3
        assert again.stopped_because == STOP_TOO_OLD

    def test_a_pruned_commented_deviation_is_never_commented_again(self, harness: Harness) -> None:
        """The ledger outlives the queue row: met again, it is already commented."""
        harness.add_template()
        harness.settings.update_settings(review_sources=[], author_cooldown_days=0)
        fresh_work(harness, 1)
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.SENT
        posted = result.deviationid
        harness.clock.advance(31 * DAY)
        harness.settings.update_settings(pending_ttl_days=60, finished_ttl_days=60)
        housekeeping(harness).prune()  # nothing yet: 60 days
        assert posted in queued(harness)
        harness.settings.update_settings(pending_ttl_days=30, finished_ttl_days=30)

        housekeeping(harness).prune()
        again = harness.collect(Source.WATCH_FEED, pages=1)

        assert posted not in queued(harness)
        assert again.filtered.get(ALREADY_COMMENTED, 0) >= 1
        assert posted is not None
        assert len(harness.sandbox.ledger.comments_for(posted)) == 1

    def test_rows_in_review_sending_and_unknown_never_expire(self, harness: Harness) -> None:
        """Review, in-flight and unknown rows stay however old their deviation is."""
        harness.add_template()
        harness.settings.update_settings(review_sources=[Source.WATCH_FEED])
        fresh_work(harness, 1)
        assert harness.worker.run_once().outcome is StepOutcome.REVIEW
        harness.clock.advance(400 * DAY)

        run = housekeeping(harness).prune()

        counts = harness.queue.stats()
        assert counts[QueueStatus.AWAITING_REVIEW] == 1
        assert QueueStatus.AWAITING_REVIEW not in run.removed

    def test_the_dry_run_lists_what_would_go_and_why_and_removes_nothing(
        self, harness: Harness
    ) -> None:
        """The preview names each expiring row with its reason; the queue is unchanged."""
        ids = fresh_work(harness, 2)
        harness.clock.advance(8 * DAY)
        before = harness.queue.stats()

        preview = housekeeping(harness).preview()

        named = {c.item.deviationid: c.reason for c in preview.examples}
        assert set(ids) <= set(named)
        assert all("more than 7 days ago" in named[i] for i in ids)
        assert preview.removed[QueueStatus.PENDING] >= 2
        assert harness.queue.stats() == before
        assert housekeeping(harness).last_run() is None


class TestSmallBatches:
    def test_every_expired_row_goes_in_small_batches(self, harness: Harness) -> None:
        """Batches of two still remove every expired row, and the pass is complete."""
        ids = fresh_work(harness, 5)
        harness.clock.advance(8 * DAY)

        run = housekeeping(harness, batch=2).prune()

        assert not set(ids) & queued(harness)
        assert run.complete

    def test_a_stop_ends_the_pass_between_batches(self, harness: Harness) -> None:
        """Asked to stop, the pass ends after its batch and says it is incomplete."""
        fresh_work(harness, 5)
        harness.clock.advance(8 * DAY)
        stop = threading.Event()
        stop.set()

        run = housekeeping(harness, batch=2).prune(stop=stop)

        assert run.removed[QueueStatus.PENDING] == 2
        assert not run.complete
        assert harness.queue.stats()[QueueStatus.PENDING] > 0

    def test_a_capped_pass_goes_on_at_the_next_round(self, harness: Harness) -> None:
        """The worker's pass stops at its batch cap, and is due again at once to go on."""
        ids = fresh_work(harness, 5)
        harness.clock.advance(8 * DAY)
        keeper = housekeeping(harness, batch=2)

        first = keeper.run_if_due(max_batches=1)
        assert first is not None
        assert first.removed[QueueStatus.PENDING] == 2
        assert not first.complete
        rounds = 1
        while keeper.run_if_due(max_batches=1) is not None and rounds < 200:
            rounds += 1

        assert not set(ids) & queued(harness)
        assert not keeper.is_due()


class TestHourly:
    def test_the_worker_pass_runs_at_most_once_an_hour(self, harness: Harness) -> None:
        """After a pass (by any process) the next is due only an hour later."""
        keeper = housekeeping(harness)
        assert keeper.run_if_due() is not None
        harness.clock.advance(EVERY.total_seconds() - 1)
        assert keeper.run_if_due() is None
        harness.clock.advance(1)

        run = keeper.run_if_due()

        assert run is not None
        assert run.trigger == TRIGGER_WORKER

    def test_the_worker_loop_prunes_on_its_own(self, harness: Harness) -> None:
        """A running worker prunes expired rows without being asked."""
        ids = fresh_work(harness, 3)
        harness.clock.advance(8 * DAY)

        run_loop_for(harness, timedelta(minutes=2))

        assert not set(ids) & queued(harness)
        last = housekeeping(harness).last_run()
        assert last is not None
        assert last.trigger == TRIGGER_WORKER

    def test_status_says_when_it_last_ran_and_what_it_removed(self, harness: Harness) -> None:
        """The status report carries the last pass, read from the database."""
        fresh_work(harness, 2)
        harness.clock.advance(8 * DAY)
        run = housekeeping(harness).prune(trigger=TRIGGER_CLI)

        shown = harness.status.status().housekeeping

        assert shown == run


class TestBacklogBound:
    def test_a_collect_stops_queueing_at_max_pending(self, harness: Harness) -> None:
        """Past `max_pending` nothing more is queued; the run says the queue is full."""
        harness.settings.update_settings(max_pending=4)
        harness.sandbox.publish(10, watched=True)

        result = harness.collect(Source.WATCH_FEED, pages=3)

        assert harness.queue.stats()[QueueStatus.PENDING] == 4
        assert result.new == 4
        assert result.filtered[QUEUE_FULL] > 0
        assert result.stopped_because == STOP_FULL

    def test_a_full_queue_takes_nothing_new(self, harness: Harness) -> None:
        """A later collect on a full queue queues nothing and counts it as queue full."""
        harness.settings.update_settings(max_pending=2)
        harness.collect(Source.WATCH_FEED, pages=1)
        harness.clock.advance(60)
        latest = harness.sandbox.publish(3, watched=True)

        result = harness.collect(Source.WATCH_FEED, pages=1)

        assert result.new == 0
        assert result.filtered[QUEUE_FULL] >= 3
        assert not set(latest) & queued(harness)
        assert harness.queue.stats()[QueueStatus.PENDING] == 2


class TestLogRetention:
    def test_old_log_entries_leave_and_caps_still_count(self, harness: Harness) -> None:
        """Entries past the retention go; the last day's count (the caps) is intact."""
        harness.add_template()
        harness.settings.update_settings(review_sources=[], author_cooldown_days=0)
        fresh_work(harness, 2)
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        harness.clock.advance(40 * DAY)
        harness.settings.update_settings(
            log_retention_days=31, pending_ttl_days=60, finished_ttl_days=60
        )
        fresh_work(harness, 1)
        assert harness.worker.run_once().outcome is StepOutcome.SENT

        run = housekeeping(harness).prune()

        kept = list(harness.logs.export())
        assert run.logs >= 1
        assert [e.status for e in kept] == [LogStatus.SENT]
        assert harness.status.status().sent_today == 1

    def test_zero_keeps_the_log_forever(self, harness: Harness) -> None:
        """log_retention_days=0 removes no entry, however old."""
        harness.add_template()
        harness.settings.update_settings(review_sources=[], log_retention_days=0)
        fresh_work(harness, 1)
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        harness.clock.advance(4000 * DAY)

        run = housekeeping(harness).prune()

        assert run.logs == 0
        assert len(list(harness.logs.export())) == 1


class TestSettings:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"log_retention_days": 7}, "log_retention_days"),
            ({"pending_ttl_days": 40}, "finished_ttl_days"),
            ({"max_pending": 0}, "max_pending"),
        ],
    )
    def test_limits_that_would_break_a_promise_are_refused(
        self, harness: Harness, changes: dict[str, int], field: str
    ) -> None:
        """A retention under the guard's window, or settled rows leaving first: refused."""
        with pytest.raises(InvalidInput) as refused:
            harness.settings.update_settings(**changes)

        assert field in refused.value.details
