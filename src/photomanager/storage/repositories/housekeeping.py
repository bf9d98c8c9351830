"""The last housekeeping pass (`housekeeping`, one row), whichever process ran it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from photomanager.domain.models import HousekeepingRun, QueueStatus
from photomanager.storage.sql_helpers import dialect_insert
from photomanager.storage.tables import SINGLE_ROW_ID, housekeeping

_STATUS_VALUES = frozenset(s.value for s in QueueStatus)


class HousekeepingRepository:
    """Read and record the last pass: `status` and the worker in any process see it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get_last(self) -> HousekeepingRun | None:
        """The last recorded pass, or None when none ran yet."""
        row = (
            self._conn.execute(select(housekeeping).where(housekeeping.c.id == SINGLE_ROW_ID))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _to_run(row)

    def save_last(self, run: HousekeepingRun) -> None:
        """Record `run` as the last pass (replacing the one before)."""
        values = _values(run)
        stmt = dialect_insert(self._conn, housekeeping).values(id=SINGLE_ROW_ID, **values)
        self._conn.execute(
            stmt.on_conflict_do_update(index_elements=[housekeeping.c.id], set_=values)
        )


def _to_run(row: RowMapping) -> HousekeepingRun:
    raw: dict[str, Any] = json.loads(row["removed"] or "{}")
    removed = {
        QueueStatus(status): int(count)
        for status, count in raw.items()
        if status in _STATUS_VALUES  # a status a later version added is not ours to show
    }
    return HousekeepingRun(
        ran_at=row["ran_at"],
        removed=removed,
        logs=int(row["logs_removed"]),
        complete=bool(row["complete"]),
        trigger=row["trigger"],
    )


def _values(run: HousekeepingRun) -> dict[str, Any]:
    removed = {status.value: count for status, count in run.removed.items()}
    return {
        "ran_at": run.ran_at,
        "trigger": run.trigger,
        "removed": json.dumps(removed, sort_keys=True),
        "logs_removed": run.logs,
        "complete": run.complete,
    }
