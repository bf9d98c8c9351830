"""Worker control: the desired state in the database, and what workers report.

`start()`/`stop()` only write the desired state; every worker (the thread
inside `serve` and any `photomanager worker` process) polls it and obeys.
"""

from __future__ import annotations

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


def update_control(uow_factory: UnitOfWorkFactory, now: datetime, **changes: Any) -> WorkerControl:
    """Re-read the control row and save it with `changes` in one short transaction.

    The row is read locked, so a concurrent stop or start is never overwritten
    with the `desired` value read a moment before it.
    """
    with uow_factory() as uow:
        control = replace(uow.worker_control.get_for_update(), updated_at=now, **changes)
        uow.worker_control.save(control)
        uow.commit()
    return control


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
        with self._uow_factory() as uow:
            current = uow.worker_control.get_for_update()
            # A blocked account keeps its explanation: stopping must not hide it.
            keep = current.state == STATE_BLOCKED
            control = replace(
                current,
                desired=WorkerDesired.STOPPED,
                state=current.state if keep else STATE_STOPPED,
                reason=current.reason if keep else "stopped by request",
                waiting_until=None,
                updated_at=self._clock.now(),
            )
            uow.worker_control.save(control)
            uow.commit()
        return control

    def status(self) -> WorkerControl:
        """The desired state and what the workers last reported."""
        return read_control(self._uow_factory)
