"""Desired worker state and worker reports (`worker_control`, one row)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, select

from photomanager.domain.models import WorkerControl, WorkerDesired
from photomanager.storage.sql_helpers import dialect_insert
from photomanager.storage.tables import SINGLE_ROW_ID, worker_control


class WorkerControlRepository:
    """Shared by every worker process, so start/stop reach all of them."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self) -> WorkerControl:
        """The stored control row, or the defaults (stopped) when none was saved."""
        row = self._row(for_update=False)
        return WorkerControl() if row is None else _to_control(row)

    def get_for_update(self) -> WorkerControl:
        """The control row, locked until the unit of work ends (read-modify-write).

        Every worker process and the API rewrite this row. Without the lock a
        worker's heartbeat, read just before a stop request committed, would
        write the old `desired` back and the stop would be lost (PostgreSQL's
        READ COMMITTED; SQLite's BEGIN IMMEDIATE already serializes writers).
        The row is created first if it is missing, so there is a row to lock.
        """
        row = self._row(for_update=True)
        if row is None:
            insert = dialect_insert(self._conn, worker_control).values(
                id=SINGLE_ROW_ID, **_values(WorkerControl())
            )
            self._conn.execute(insert.on_conflict_do_nothing(index_elements=[worker_control.c.id]))
            row = self._row(for_update=True)
        return WorkerControl() if row is None else _to_control(row)

    def save(self, control: WorkerControl) -> None:
        values = _values(control)
        stmt = dialect_insert(self._conn, worker_control).values(id=SINGLE_ROW_ID, **values)
        self._conn.execute(
            stmt.on_conflict_do_update(index_elements=[worker_control.c.id], set_=values)
        )

    def _row(self, *, for_update: bool) -> RowMapping | None:
        query = select(worker_control).where(worker_control.c.id == SINGLE_ROW_ID)
        if for_update:
            query = query.with_for_update()
        return self._conn.execute(query).mappings().one_or_none()


def _to_control(row: RowMapping) -> WorkerControl:
    return WorkerControl(
        desired=WorkerDesired(row["desired"]),
        state=row["state"],
        reason=row["reason"],
        waiting_until=row["waiting_until"],
        consecutive_failures=row["consecutive_failures"],
        heartbeat_at=row["heartbeat_at"],
        updated_at=row["updated_at"],
        confirmed_unreviewed=bool(row["confirmed_unreviewed"]),
    )


def _values(control: WorkerControl) -> dict[str, Any]:
    return {
        "desired": control.desired.value,
        "state": control.state,
        "reason": control.reason,
        "waiting_until": control.waiting_until,
        "consecutive_failures": control.consecutive_failures,
        "heartbeat_at": control.heartbeat_at,
        "updated_at": control.updated_at,
        "confirmed_unreviewed": control.confirmed_unreviewed,
    }
