"""The artist's review: texts parked as `awaiting_review`, approved or skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from photomanager.domain.models import QueueStatus
from photomanager.storage.repositories.queue.rows import AWAITING_REVIEW, PENDING, QueuePart
from photomanager.storage.sql_helpers import IN_CHUNK, unique
from photomanager.storage.tables import queue


class QueueReview(QueuePart):
    """Approves or skips rows awaiting review; knows which texts are parked."""

    def approve(self, deviationid: str, body: str, body_hash: str, now: datetime) -> bool:
        """awaiting_review -> pending with an approved body that will be posted as is."""
        result = self._conn.execute(
            update(queue)
            .where(queue.c.deviationid == deviationid, queue.c.status == AWAITING_REVIEW)
            .values(status=PENDING, body=body, body_hash=body_hash, approved_at=now, updated_at=now)
        )
        return result.rowcount == 1

    def approve_parked(self, deviationids: Sequence[str], now: datetime) -> list[str]:
        """Approve the listed rows awaiting review, with their parked text, in ONE statement.

        One statement, not one per row: on PostgreSQL the queue-count trigger
        takes its lock at the end of each statement, so a second statement of
        the same transaction could wait for a row held by someone who waits for
        that lock (a deadlock, the artist's click would fail).
        """
        wanted = unique(deviationids)
        if not wanted:
            return []
        if len(wanted) > IN_CHUNK:
            raise ValueError(f"approve at most {IN_CHUNK} rows at once")
        rows = self._conn.execute(
            update(queue)
            .where(
                queue.c.deviationid.in_(wanted),
                queue.c.status == AWAITING_REVIEW,
                queue.c.body.is_not(None),
                queue.c.body != "",
                queue.c.body_hash.is_not(None),
            )
            .values(status=PENDING, approved_at=now, updated_at=now)
            .returning(queue.c.deviationid)
        ).scalars()
        return list(rows)

    def awaiting_review_body_hashes(self) -> set[str]:
        """Hashes of the texts parked for review (few: the worker caps the backlog)."""
        stmt = (
            select(queue.c.body_hash)
            .distinct()
            .where(queue.c.status == AWAITING_REVIEW, queue.c.body_hash.is_not(None))
        )
        return set(self._conn.execute(stmt).scalars())

    def skip_review(self, deviationid: str, reason: str, now: datetime) -> bool:
        result = self._conn.execute(
            update(queue)
            .where(queue.c.deviationid == deviationid, queue.c.status == AWAITING_REVIEW)
            .values(status=QueueStatus.SKIPPED.value, last_error=reason, updated_at=now)
        )
        return result.rowcount == 1
