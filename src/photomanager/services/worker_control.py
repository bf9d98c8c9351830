"""Worker control: the desired state in the database, and what workers report.

`start()`/`stop()` only write the desired state; every worker (the thread
inside `serve` and any `photomanager worker` process) polls it and obeys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from photomanager.domain.clock import Clock
from photomanager.domain.models import WorkerControl, WorkerDesired
from photomanager.services.ports import UnitOfWorkFactory

STATE_RUNNING = "running"
STATE_WAITING = "waiting"
STATE_PAUSED = "paused"
STATE_STOPPED = "stopped"
STATE_BLOCKED = "blocked"


def modify_control(
    uow_factory: UnitOfWorkFactory, change: Callable[[WorkerControl], WorkerControl]
) -> WorkerControl:
    """Save `change(row)` in one short transaction, the row read locked.

    Every worker process and the API rewrite this one row: deciding on a copy
    read without the lock would write back a stale `desired` (a lost stop) or
    a stale failure count.
    """
    with uow_factory() as uow:
        control = change(uow.worker_control.get_for_update())
        uow.worker_control.save(control)
        uow.commit()
    return control


def update_control(uow_factory: UnitOfWorkFactory, now: datetime, **changes: Any) -> WorkerControl:
    """Save the control row with `changes` (see `modify_control`)."""
    return modify_control(uow_factory, lambda control: replace(control, updated_at=now, **changes))


def report_progress(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    *,
    state: str,
    reason: str,
    waiting_until: datetime | None,
) -> WorkerControl:
    """A running worker says what it does; a stop or a block in effect keeps its words.

    Another worker may have just stopped everyone ("stopped after 5 failures in
    a row", "DeviantArt restricted the account"): this worker stops within a
    second, and its last report must not hide why. Only the heartbeat is kept.
    """

    def change(control: WorkerControl) -> WorkerControl:
        if control.desired is not WorkerDesired.RUNNING or control.state == STATE_BLOCKED:
            return replace(control, heartbeat_at=now)
        return replace(
            control,
            state=state,
            reason=reason,
            waiting_until=waiting_until,
            heartbeat_at=now,
            updated_at=now,
        )

    return modify_control(uow_factory, change)


def stop_all_workers(
    uow_factory: UnitOfWorkFactory, now: datetime, *, state: str, reason: str
) -> WorkerControl:
    """Stop every worker with `reason`; a blocked account keeps its (weightier) explanation."""

    def change(control: WorkerControl) -> WorkerControl:
        keep = control.state == STATE_BLOCKED and state != STATE_BLOCKED
        return replace(
            control,
            desired=WorkerDesired.STOPPED,
            state=control.state if keep else state,
            reason=control.reason if keep else reason,
            waiting_until=None,
            updated_at=now,
        )

    return modify_control(uow_factory, change)


def count_failure(uow_factory: UnitOfWorkFactory, now: datetime) -> int:
    """One more failure in a row, counted under the row lock; the new count."""
    control = modify_control(
        uow_factory,
        lambda c: replace(c, consecutive_failures=c.consecutive_failures + 1, updated_at=now),
    )
    return control.consecutive_failures


def read_control(uow_factory: UnitOfWorkFactory) -> WorkerControl:
    """The current control row."""
    with uow_factory(read_only=True) as uow:
        return uow.worker_control.get()


class WorkerControlService:
    """Start, stop and inspect the comment worker(s)."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def start(self) -> WorkerControl:
        """Ask every worker to run; clears a previous stop reason and failure count."""
        return update_control(
            self._uow_factory,
            self._clock.now(),
            desired=WorkerDesired.RUNNING,
            state=STATE_RUNNING,
            reason="starting",
            waiting_until=None,
            consecutive_failures=0,
        )

    def stop(self) -> WorkerControl:
        """Ask every worker to stop; they obey within about a second."""
        return stop_all_workers(
            self._uow_factory, self._clock.now(), state=STATE_STOPPED, reason="stopped by request"
        )

    def status(self) -> WorkerControl:
        """The desired state and what the workers last reported."""
        return read_control(self._uow_factory)
