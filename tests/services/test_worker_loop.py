"""The worker loop: pacing, caps and window on a fake clock; status; stop; Retry-After."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from photomanager.domain.models import (
    LogStatus,
    QueueStatus,
    Source,
    WorkerControl,
    WorkerDesired,
)
from photomanager.sandbox import ManualClock, RateLimit, Sandbox
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.supervisor import WorkerSupervisor
from photomanager.services.worker import CommentWorker
from services.service_harness import Harness, build_harness

Sleep = Callable[[threading.Event, float], bool]


def sent_times(h: Harness) -> list[datetime]:
    entries = list(h.logs.export(status=LogStatus.SENT))
    return sorted(e.sent_at for e in entries)


def run_loop_until(h: Harness, end: datetime, *, seen: list[WorkerControl] | None = None) -> None:
    """Run the loop with a sleep that moves the fake clock; stop once the clock passes `end`."""

    def sleep(stop: threading.Event, seconds: float) -> bool:
        if seen is not None:
            seen.append(h.control.status())
        h.clock.advance(max(seconds, 0.001))
        if h.clock.now() >= end:
            stop.set()
        return stop.is_set()

    worker = CommentWorker(
        uow_factory=h.uow_factory,
        api=h.api,
        clock=h.clock,
        rng=random.Random(5),
        reconciler=h.worker.reconciler,
        sleep=sleep,
        max_wait_chunk=24 * 3600,
    )
    h.control.start()
    worker.run(h.stop)


def fill(h: Harness, n: int) -> list[str]:
    h.add_template()
    ids = h.sandbox.publish(n, watched=True)
    h.collect(Source.WATCH_FEED, pages=1)
    return ids


@pytest.fixture
def uow_factory(sqlite_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """SQLite only: the loop timing logic hold no backend-specific SQL (worker tests cover both)."""
    return sqlite_uow_factory


class TestCapsAndWindow:
    def test_never_more_than_max_per_hour_in_any_rolling_hour(self, harness: Harness) -> None:
        """Over five fake hours, every rolling hour holds at most max_per_hour posts."""
        fill(harness, 40)
        harness.settings.update_settings(
            min_interval_s=30, max_interval_s=90, max_per_hour=4, max_per_day=100
        )
        start = harness.clock.now()
        run_loop_until(harness, start + timedelta(hours=5))
        times = sent_times(harness)
        assert len(times) >= 16
        for t in times:
            assert sum(t <= s < t + timedelta(hours=1) for s in times) <= 4

    def test_never_more_than_max_per_day_in_any_rolling_day(self, harness: Harness) -> None:
        """Over two fake days, every rolling 24 hours holds at most max_per_day posts."""
        fill(harness, 40)
        harness.settings.update_settings(
            min_interval_s=60, max_interval_s=120, max_per_hour=3, max_per_day=6
        )
        start = harness.clock.now()
        run_loop_until(harness, start + timedelta(hours=50))
        times = sent_times(harness)
        assert len(times) >= 12
        for t in times:
            assert sum(t <= s < t + timedelta(hours=24) for s in times) <= 6

    def test_nothing_is_posted_outside_active_hours(self, harness: Harness) -> None:
        """With 13:00-14:00 Berlin time, every post falls in that hour, on both days."""
        fill(harness, 40)
        harness.settings.update_settings(
            min_interval_s=120,
            max_interval_s=300,
            active_hours="13:00-14:00",
            timezone="Europe/Berlin",
        )
        start = harness.clock.now()
        run_loop_until(harness, start + timedelta(hours=30))
        local = [t.astimezone(ZoneInfo("Europe/Berlin")) for t in sent_times(harness)]
        assert {t.hour for t in local} == {13}
        assert len({t.date() for t in local}) == 2

    def test_status_says_what_the_worker_waits_for_and_until_when(self, harness: Harness) -> None:
        """While waiting, the control row says "waiting N s (reason)" with waiting_until."""
        fill(harness, 5)
        harness.settings.update_settings(
            min_interval_s=60, max_interval_s=60, active_hours="12:00-23:00"
        )
        seen: list[WorkerControl] = []
        run_loop_until(harness, harness.clock.now() + timedelta(hours=3), seen=seen)
        reasons = [c.reason or "" for c in seen]
        assert "waiting 2 h 0 min (outside active hours)" in reasons
        assert "waiting 60 s (pacing)" in reasons
        assert all(c.waiting_until is not None for c in seen if c.state == "waiting")

    def test_an_empty_queue_waits_for_work(self, harness: Harness) -> None:
        """With nothing to do, the status says the queue is empty."""
        harness.add_template()
        seen: list[WorkerControl] = []
        run_loop_until(harness, harness.clock.now() + timedelta(minutes=1), seen=seen)
        assert any("queue empty" in (c.reason or "") for c in seen)

    def test_a_stopped_loop_reports_stopped(self, harness: Harness) -> None:
        """After the loop ends the state is stopped and nothing waits."""
        fill(harness, 3)
        run_loop_until(harness, harness.clock.now() + timedelta(minutes=10))
        harness.control.stop()
        control = harness.control.status()
        assert control.state == "stopped"
        assert control.waiting_until is None


class TestStop:
    def test_stop_during_a_long_retry_after_wait_returns_within_a_second(
        self, fake_da: Sandbox, clock: ManualClock, uow_factory: UnitOfWorkFactory
    ) -> None:
        """A stop request ends a 30 s Retry-After wait at once; the row is released."""
        h = build_harness(fake_da, clock, uow_factory, real_waits=True)
        [deviationid] = fill(h, 1)[:1]
        fake_da.faults.rate_limit = RateLimit(
            capacity=0, refill_per_s=1 / 30, endpoints=frozenset({"post_comment"})
        )
        worker = CommentWorker(
            uow_factory=h.uow_factory, api=h.api, clock=h.clock, rng=random.Random(1)
        )
        h.control.start()
        thread = threading.Thread(target=worker.run, args=(h.stop,), daemon=True)
        thread.start()
        try:
            _wait_for(lambda: bool(fake_da.ledger.requests("post_comment")))
            h.control.stop()
            thread.join(timeout=1.5)
            assert not thread.is_alive()
        finally:
            h.stop.set()
            thread.join(timeout=5)
            h.http.close()
        with h.uow_factory() as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert (item.status, item.attempts) == (QueueStatus.PENDING, 0)
        assert fake_da.ledger.all_comments() == []


class TestRetryAfter:
    def test_no_request_is_made_inside_a_retry_after_window(self, harness: Harness) -> None:
        """Under a 429 storm every next request waits out the announced Retry-After."""
        fill(harness, 6)
        harness.settings.update_settings(min_interval_s=1, max_interval_s=2)
        harness.sandbox.faults.rate_limit = RateLimit(capacity=1, refill_per_s=1 / 40)
        run_loop_until(harness, harness.clock.now() + timedelta(minutes=30))
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


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


class TestSupervisor:
    def test_the_supervisor_follows_the_desired_state(self, harness: Harness) -> None:
        """Start -> it posts; stop -> the loop ends; shutdown -> the supervisor returns."""
        fill(harness, 3)
        supervisor = WorkerSupervisor(
            worker=harness.worker, uow_factory=harness.uow_factory, stop=harness.stop
        )
        shutdown = threading.Event()
        thread = threading.Thread(target=supervisor.run_forever, args=(shutdown,), daemon=True)
        thread.start()
        try:
            harness.control.start()
            _wait_for(lambda: bool(harness.sandbox.ledger.all_comments()))
            harness.control.stop()
            shutdown.set()
            thread.join(timeout=5)
            assert not thread.is_alive()
        finally:
            shutdown.set()
            thread.join(timeout=5)
        control = harness.control.status()
        assert (control.desired, control.state) == (WorkerDesired.STOPPED, "stopped")
