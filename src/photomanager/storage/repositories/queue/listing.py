"""Reading the queue: one row, the counts per status and reason, pages, `unknown` rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, select, tuple_

from photomanager.domain.models import QueueItem, QueueStatus
from photomanager.storage.repositories.queue.rows import UNKNOWN, QueuePart, to_item
from photomanager.storage.sql_helpers import decode_cursor, encode_cursor, is_postgresql
from photomanager.storage.tables import queue, queue_counts

_STATUS_VALUES = frozenset(s.value for s in QueueStatus)


class QueueListing(QueuePart):
    """Reads rows and counts; changes nothing."""

    def get(self, deviationid: str) -> QueueItem | None:
        row = (
            self._conn.execute(select(queue).where(queue.c.deviationid == deviationid))
            .mappings()
            .one_or_none()
        )
        return None if row is None else to_item(row)

    def get_stats(self) -> dict[QueueStatus, int]:
        """Rows per status (every status present, zero when empty).

        Reads the trigger-maintained counters: a few rows, whatever the queue size.
        """
        stats = dict.fromkeys(QueueStatus, 0)
        rows = self._conn.execute(select(queue_counts.c.status, queue_counts.c.n))
        for status, count in rows:
            if status in _STATUS_VALUES:
                stats[QueueStatus(status)] = int(count)
        return stats

    def count_skipped_by_reason(self) -> dict[str, int]:
        """Skipped rows per reason kind (the text before the first colon), one grouped count."""
        # Grouping on the prefix in SQL keeps the answer small: full reasons name
        # authors and durations, so there would be one group per row.
        reason = func.coalesce(queue.c.last_error, "")
        if is_postgresql(self._conn):
            kind: ColumnElement[Any] = func.split_part(reason, ":", 1)
        else:
            colon = func.instr(reason, ":")
            kind = case((colon > 0, func.substr(reason, 1, colon - 1)), else_=reason)
        stmt = (
            select(kind, func.count())
            .where(queue.c.status == QueueStatus.SKIPPED.value)  # the (status, ts) index
            .group_by(kind)
        )
        return {str(name): int(count) for name, count in self._conn.execute(stmt)}

    def list_page(
        self, status: QueueStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[QueueItem], str | None]:
        """Keyset pagination, newest first. Returns (items, next cursor or None)."""
        conditions: list[ColumnElement[bool]] = []
        if status is not None:
            conditions.append(queue.c.status == status.value)
        if cursor is not None:
            ts, deviationid = decode_cursor(cursor, str)
            # A row-value comparison, not `ts < x OR (ts = x AND id < y)`: PostgreSQL
            # seeks the index with it, where the OR form scanned every newer row
            # (quadratic when paging through a million rows).
            conditions.append(tuple_(queue.c.ts, queue.c.deviationid) < (ts, deviationid))
        rows = (
            self._conn.execute(
                select(queue)
                .where(*conditions)
                .order_by(queue.c.ts.desc(), queue.c.deviationid.desc())
                .limit(limit + 1)
            )
            .mappings()
            .all()
        )
        items = [to_item(row) for row in rows[:limit]]
        if len(rows) <= limit or not items:
            return items, None
        last = items[-1]
        return items, encode_cursor(last.ts, last.deviationid)

    def list_unknown(self, limit: int) -> list[QueueItem]:
        """`unknown` rows, least recently touched first, for reconciliation."""
        rows = self._conn.execute(
            select(queue)
            .where(queue.c.status == UNKNOWN)
            .order_by(queue.c.updated_at, queue.c.deviationid)
            .limit(limit)
        ).mappings()
        return [to_item(row) for row in rows]
