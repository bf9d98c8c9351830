"""Guards of the database maintenance commands (`photomanager db backup|restore`).

A restore replaces every row under the processes that use them: a worker that
claimed a row, or is posting one, would record its outcome into a database
that never heard of the claim (and the ledger of what was posted since the
backup would be gone while the worker goes on). So a restore needs every
worker stopped: the control row says the workers stopped (each writes so as
it exits), or no worker reported in the last WORKER_QUIET (a killed one
writes nothing). Workers report every few seconds while they run (at least
every MAX_WAIT_CHUNK_S while they wait); only one long request with its
retries keeps them silent longer, well under WORKER_QUIET.
"""

from __future__ import annotations

from datetime import timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import WorkerRunning
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.worker_control import (
    STATE_PAUSED,
    STATE_RUNNING,
    STATE_WAITING,
    read_control,
)

WORKER_QUIET = timedelta(minutes=5)
RESTORE_STOPPED_REASON = "stopped: the database was restored from a backup"


def ensure_no_worker_running(uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """WorkerRunning when a worker may still be alive on this database."""
    control = read_control(uow_factory)
    if control.heartbeat_at is None:
        return
    silent = clock.now() - control.heartbeat_at
    active = control.state in (STATE_RUNNING, STATE_WAITING, STATE_PAUSED)
    if active and silent <= WORKER_QUIET:
        seconds = max(0, int(silent.total_seconds()))
        raise WorkerRunning(
            f"a worker is running (it reported {seconds} s ago): stop it first "
            "(`photomanager worker --stop`, and stop `serve` / `photomanager worker`), "
            "then restore"
        )
