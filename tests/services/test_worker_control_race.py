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
    WorkerControlService,
    read_control,
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
