"""A stop request is never lost to a worker's heartbeat written at the same moment.

Every worker process rewrites the shared control row (state, heartbeat) while
the API writes `desired` into it. The interleaving that once lost a stop on
PostgreSQL: a worker reads the row (desired=running), the stop commits, the
worker writes its heartbeat with the `desired` it read. These tests force that
interleaving on both databases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from photomanager.domain.clock import SystemClock
from photomanager.domain.models import WorkerControl, WorkerDesired
from photomanager.services.worker_control import (
    STATE_BLOCKED,
    STATE_STOPPED,
    STATE_WAITING,
    WorkerControlService,
    count_failure,
    read_control,
    report_progress,
    stop_all_workers,
    update_control,
)
from photomanager.storage.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
UowFactory = Callable[[], SqlUnitOfWork]


def running(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        uow.worker_control.save(WorkerControl(desired=WorkerDesired.RUNNING, state="running"))
        uow.commit()


def in_thread(target: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


class TestStopDuringAHeartbeat:
    def test_stop_that_arrives_mid_heartbeat_survives_it(self, uow_factory: UowFactory) -> None:
        """A worker midway through its read-modify-write does not undo a stop."""
        running(uow_factory)
        service = WorkerControlService(uow_factory=uow_factory, clock=SystemClock())

        with uow_factory() as worker_uow:
            seen = worker_uow.worker_control.get_for_update()
            stopper = in_thread(service.stop)
            # Without the row lock the stop would commit here, before the heartbeat.
            stopper.join(0.5)
            heartbeat = NOW + timedelta(seconds=1)
            worker_uow.worker_control.save(replace(seen, heartbeat_at=heartbeat))
            worker_uow.commit()
        stopper.join(10)

        assert not stopper.is_alive()
        final = read_control(uow_factory)
        assert final.desired is WorkerDesired.STOPPED
        assert final.heartbeat_at == heartbeat

    def test_concurrent_updates_each_keep_their_own_fields(self, uow_factory: UowFactory) -> None:
        """Many heartbeats racing one stop: the stop wins, whatever the order."""
        running(uow_factory)
        service = WorkerControlService(uow_factory=uow_factory, clock=SystemClock())
        start = threading.Barrier(5)

        def beat() -> None:
            start.wait()
            for n in range(20):
                update_control(uow_factory, NOW, heartbeat_at=NOW + timedelta(seconds=n))

        def stop() -> None:
            start.wait()
            service.stop()

        threads = [in_thread(beat) for _ in range(4)] + [in_thread(stop)]
        for thread in threads:
            thread.join(60)

        assert not any(thread.is_alive() for thread in threads)
        assert read_control(uow_factory).desired is WorkerDesired.STOPPED


class TestFailureCount:
    def test_failures_counted_at_once_by_many_workers_are_all_counted(
        self, uow_factory: UowFactory
    ) -> None:
        """Each failure adds one, however the workers interleave (the stop comes on time)."""
        running(uow_factory)
        start = threading.Barrier(4)

        def fail_ten_times() -> None:
            start.wait()
            for _ in range(10):
                count_failure(uow_factory, NOW)

        threads = [in_thread(fail_ten_times) for _ in range(4)]
        for thread in threads:
            thread.join(60)

        assert read_control(uow_factory).consecutive_failures == 40


class TestReportsKeepTheReasonWorkersStopped:
    def test_a_report_after_a_stop_keeps_its_reason(self, uow_factory: UowFactory) -> None:
        """Worker B's "waiting" after worker A stopped everyone only refreshes the heartbeat."""
        running(uow_factory)
        stop_all_workers(uow_factory, NOW, state=STATE_STOPPED, reason="stopped after 5 failures")
        beat = NOW + timedelta(seconds=1)

        report_progress(
            uow_factory, beat, state=STATE_WAITING, reason="waiting", waiting_until=None
        )

        control = read_control(uow_factory)
        assert (control.state, control.reason) == (STATE_STOPPED, "stopped after 5 failures")
        assert control.heartbeat_at == beat

    def test_a_block_outweighs_a_later_stop_reason(self, uow_factory: UowFactory) -> None:
        """A restricted account stays explained even when another worker stops for less."""
        running(uow_factory)
        stop_all_workers(uow_factory, NOW, state=STATE_BLOCKED, reason="DeviantArt restricted")

        stop_all_workers(uow_factory, NOW, state=STATE_STOPPED, reason="no active templates")

        control = read_control(uow_factory)
        assert (control.state, control.reason) == (STATE_BLOCKED, "DeviantArt restricted")
        assert control.desired is WorkerDesired.STOPPED

    def test_a_running_worker_reports_what_it_does(self, uow_factory: UowFactory) -> None:
        """While the worker is wanted running its report is shown as is."""
        running(uow_factory)
        until = NOW + timedelta(seconds=74)

        report_progress(
            uow_factory, NOW, state=STATE_WAITING, reason="waiting 74 s", waiting_until=until
        )

        control = read_control(uow_factory)
        assert (control.state, control.reason, control.waiting_until) == (
            STATE_WAITING,
            "waiting 74 s",
            until,
        )


class TestFirstUse:
    def test_the_row_is_created_when_first_locked(self, uow_factory: UowFactory) -> None:
        """On a fresh database the locked read creates the row it locks (defaults)."""
        with uow_factory() as uow:
            assert uow.worker_control.get_for_update() == WorkerControl()
            uow.commit()
        with uow_factory() as uow:
            assert uow.worker_control.get() == WorkerControl()
        update_control(uow_factory, NOW, reason="first write")
        assert read_control(uow_factory).reason == "first write"
