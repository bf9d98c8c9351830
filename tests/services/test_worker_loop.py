"""The worker loop: pacing, caps and window on a fake clock; status; stop; Retry-After."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from photomanager.domain.models import QueueStatus, WorkerDesired
from photomanager.sandbox import ManualClock, RateLimit, Sandbox
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.supervisor import WorkerSupervisor
from photomanager.services.posting.worker import CommentWorker
from services.service_harness import Harness, build_harness
from services.worker_loop_support import (
    fill,
    most_in_any_window,
    run_loop_for,
    running,
    sent_times,
    statuses_while_running,
    wait_for,
)


@pytest.fixture
def uow_factory(sqlite_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """SQLite only: the loop timing logic hold no backend-specific SQL (worker tests cover both)."""
    return sqlite_uow_factory


@pytest.fixture
def real_waits_harness(
    fake_da: Sandbox, clock: ManualClock, uow_factory: UnitOfWorkFactory
) -> Iterator[Harness]:
    """Services whose client waits for real (interruptibly, on `stop`) instead of on the clock."""
    built = build_harness(fake_da, clock, uow_factory, real_waits=True)
    try:
        yield built
    finally:
        built.stop.set()
        built.http.close()


class TestCapsAndWindow:
    def test_never_more_than_max_per_hour_in_any_rolling_hour(self, harness: Harness) -> None:
        """Over five fake hours, every rolling hour holds at most max_per_hour posts."""
        fill(harness, 40, min_interval_s=30, max_interval_s=90, max_per_hour=4, max_per_day=100)
        run_loop_for(harness, timedelta(hours=5))
        times = sent_times(harness)
        assert len(times) >= 16
        assert most_in_any_window(times, timedelta(hours=1)) <= 4

    def test_never_more_than_max_per_day_in_any_rolling_day(self, harness: Harness) -> None:
        """Over two fake days, every rolling 24 hours holds at most max_per_day posts."""
        fill(harness, 40, min_interval_s=60, max_interval_s=120, max_per_hour=3, max_per_day=6)
        run_loop_for(harness, timedelta(hours=50))
        times = sent_times(harness)
        assert len(times) >= 12
        assert most_in_any_window(times, timedelta(hours=24)) <= 6

    def test_nothing_is_posted_outside_active_hours(self, harness: Harness) -> None:
        """With 13:00-14:00 Berlin time, every post falls in that hour, on both days."""
        fill(
            harness,
            40,
            min_interval_s=120,
            max_interval_s=300,
            active_hours="13:00-14:00",
            timezone="Europe/Berlin",
        )
        run_loop_for(harness, timedelta(hours=30))
        local = [t.astimezone(ZoneInfo("Europe/Berlin")) for t in sent_times(harness)]
        assert {t.hour for t in local} == {13}
        assert len({t.date() for t in local}) == 2

    def test_status_says_what_the_worker_waits_for_and_until_when(self, harness: Harness) -> None:
        """While waiting, the control row says "waiting N s (reason)" with waiting_until."""
        fill(harness, 5, min_interval_s=60, max_interval_s=60, active_hours="12:00-23:00")
        seen = statuses_while_running(harness, timedelta(hours=3))
        reasons = [c.reason or "" for c in seen]
        assert "waiting 2 h 0 min (outside active hours)" in reasons
        assert "waiting 60 s (pacing)" in reasons
        assert all(c.waiting_until is not None for c in seen if c.state == "waiting")

    def test_an_empty_queue_waits_for_work(self, harness: Harness) -> None:
        """With nothing to do, the status says the queue is empty."""
        harness.add_template()
        seen = statuses_while_running(harness, timedelta(minutes=1))
        assert any("queue empty" in (c.reason or "") for c in seen)

    def test_a_stopped_loop_reports_stopped(self, harness: Harness) -> None:
        """After the loop ends the state is stopped and nothing waits."""
        fill(harness, 3)
        run_loop_for(harness, timedelta(minutes=10))
        harness.control.stop()
        control = harness.control.status()
        assert control.state == "stopped"
        assert control.waiting_until is None


class TestStop:
    def test_stop_during_a_long_retry_after_wait_ends_the_wait(
        self, real_waits_harness: Harness
    ) -> None:
        """A stop request ends a 30 s Retry-After wait long before it runs out; row released."""
        h = real_waits_harness
        [deviationid] = fill(h, 1)
        h.sandbox.faults.rate_limit = RateLimit(
            capacity=0, refill_per_s=1 / 30, endpoints=frozenset({"post_comment"})
        )
        worker = CommentWorker(
            uow_factory=h.uow_factory, api=h.api, clock=h.clock, rng=random.Random(1)
        )
        h.control.start()
        with running(worker.run, h.stop) as thread:
            wait_for(lambda: bool(h.sandbox.ledger.requests("post_comment")))
            h.control.stop()
            # Far below the 30 s wait, with room for a loaded machine (it takes ~0.5 s).
            thread.join(timeout=10)
            assert not thread.is_alive()
        with h.uow_factory() as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert (item.status, item.attempts) == (QueueStatus.PENDING, 0)
        assert h.sandbox.ledger.all_comments() == []


class TestRetryAfter:
    def test_no_request_is_made_inside_a_retry_after_window(self, harness: Harness) -> None:
        """Under a 429 storm every next request waits out the announced Retry-After."""
        fill(harness, 6, min_interval_s=1, max_interval_s=2)
        harness.sandbox.faults.rate_limit = RateLimit(capacity=1, refill_per_s=1 / 40)
        run_loop_for(harness, timedelta(minutes=30))
        records = harness.wire.records
        limited = [(i, r) for i, r in enumerate(records) if r.status == 429]
        assert limited
        for i, record in limited:
            assert record.retry_after is not None
            if i + 1 < len(records):
                gap = (records[i + 1].at - record.at).total_seconds()
                assert gap >= record.retry_after
        commented = harness.queue.stats()[QueueStatus.COMMENTED]
        assert commented == len(harness.sandbox.ledger.all_comments()) > 0
        assert harness.sandbox.ledger.duplicates() == []


class TestSupervisor:
    def test_the_supervisor_follows_the_desired_state(self, harness: Harness) -> None:
        """Start -> it posts; stop -> the loop ends; shutdown -> the supervisor returns."""
        fill(harness, 3)
        supervisor = WorkerSupervisor(
            worker=harness.worker, uow_factory=harness.uow_factory, stop=harness.stop
        )
        shutdown = threading.Event()
        with running(supervisor.run_forever, shutdown) as thread:
            harness.control.start()
            wait_for(lambda: bool(harness.sandbox.ledger.all_comments()))
            harness.control.stop()
            shutdown.set()
            thread.join(timeout=5)
            assert not thread.is_alive()
        control = harness.control.status()
        assert (control.desired, control.state) == (WorkerDesired.STOPPED, "stopped")
