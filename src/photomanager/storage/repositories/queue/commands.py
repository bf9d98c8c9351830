"""The artist's commands on the queue: retry failed rows, requeue, remove, clear."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, update

from photomanager.domain.models import QueueStatus
from photomanager.storage.repositories.queue.rows import PENDING, SENDING, UNKNOWN, QueuePart
from photomanager.storage.sql_helpers import IN_CHUNK, chunked, unique
from photomanager.storage.tables import queue

# Never deleted by remove/clear: a `sending` or `unknown` row may already have its
# comment on DeviantArt, and deleting it would let a collector queue it again.
_KEPT = (SENDING, UNKNOWN)


class QueueCommands(QueuePart):
    """Bulk changes the artist asks for; never deletes a row that may be commented."""

    def requeue_skipped(self, reason: str, now: datetime) -> int:
        """Rows skipped with exactly `reason` (e.g. by a dry run) go back to pending."""
        result = self._conn.execute(
            update(queue)
            .where(queue.c.status == QueueStatus.SKIPPED.value, queue.c.last_error == reason)
            .values(status=PENDING, last_error=None, claim_token=None, updated_at=now)
        )
        return int(result.rowcount)

    def reset_failed_to_pending(self, now: datetime) -> int:
        """Every failed row back to pending with its attempts reset."""
        result = self._conn.execute(
            update(queue)
            .where(queue.c.status == QueueStatus.FAILED.value)
            .values(
                status=PENDING,
                attempts=0,
                next_attempt_at=None,
                last_error=None,
                claim_token=None,
                updated_at=now,
            )
        )
        return int(result.rowcount)

    def remove(self, deviationids: Sequence[str]) -> int:
        """Delete the given rows except `sending`/`unknown` ones; returns how many went."""
        removed = 0
        for chunk in chunked(unique(deviationids), IN_CHUNK):
            result = self._conn.execute(
                delete(queue).where(queue.c.deviationid.in_(chunk), queue.c.status.not_in(_KEPT))
            )
            removed += result.rowcount
        return removed

    def clear(self, status: QueueStatus | None = None) -> int:
        """Delete every row (of `status`), never a `sending` or `unknown` one."""
        stmt = delete(queue).where(queue.c.status.not_in(_KEPT))
        if status is not None:
            stmt = stmt.where(queue.c.status == status.value)
        return int(self._conn.execute(stmt).rowcount)
