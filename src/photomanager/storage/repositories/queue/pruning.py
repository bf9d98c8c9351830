"""Housekeeping's side of the queue: rows that expired, listed, counted and deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select

from photomanager.domain.models import QueueItem, QueueStatus
from photomanager.storage.repositories.queue.rows import PENDING, QueuePart, to_item
from photomanager.storage.tables import queue

# Settled rows that housekeeping removes after the artist's `finished_ttl_days`.
EXPIRING_SETTLED = frozenset({QueueStatus.COMMENTED, QueueStatus.FAILED, QueueStatus.SKIPPED})


class QueuePruning(QueuePart):
    """Finds and deletes expired rows in bounded batches, oldest first."""

    def list_expired(self, status: QueueStatus, before: datetime, limit: int) -> list[QueueItem]:
        """Up to `limit` rows of `status` that expired before `before`, oldest first."""
        when, conditions = _expired(status, before)
        rows = self._conn.execute(
            select(queue).where(*conditions).order_by(when, queue.c.deviationid).limit(limit)
        ).mappings()
        return [to_item(row) for row in rows]

    def count_expired(self, status: QueueStatus, before: datetime) -> int:
        """How many rows of `status` expired before `before` (served by a status index)."""
        _when, conditions = _expired(status, before)
        stmt = select(func.count()).select_from(queue).where(*conditions)
        return int(self._conn.execute(stmt).scalar_one())

    def delete_expired(self, status: QueueStatus, before: datetime, limit: int) -> int:
        """Delete up to `limit` expired rows of `status`, oldest first; how many went.

        One statement: the victims are chosen and deleted with their conditions
        checked again, so a row claimed or settled meanwhile stays. On PostgreSQL
        rows another transaction holds are skipped (never waited for); the
        counting trigger runs once for the batch and keeps the counters exact.
        """
        when, conditions = _expired(status, before)
        victims = (
            select(queue.c.deviationid)
            .where(*conditions)
            .order_by(when, queue.c.deviationid)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        result = self._conn.execute(
            delete(queue).where(queue.c.deviationid.in_(victims), *conditions)
        )
        return int(result.rowcount)


def _expired(
    status: QueueStatus, before: datetime
) -> tuple[ColumnElement[Any], list[ColumnElement[bool]]]:
    """The time a row of `status` expires by, and the conditions of an expired row.

    Pending rows expire by when the deviation was published (`ts`), unless the
    artist approved their text in review; settled rows by when they settled
    (`updated_at`). Rows in review, `sending` and `unknown` never expire.
    """
    if status is QueueStatus.PENDING:
        return queue.c.ts, [
            queue.c.status == PENDING,
            queue.c.ts < before,
            queue.c.approved_at.is_(None),
        ]
    if status in EXPIRING_SETTLED:
        return queue.c.updated_at, [
            queue.c.status == status.value,
            queue.c.updated_at < before,
        ]
    raise ValueError(f"{status.value} rows never expire")
