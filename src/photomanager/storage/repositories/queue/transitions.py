"""What becomes of a claimed row: commented, failed, retried, released, unknown, parked.

Every transition out of a claim matches deviationid AND claim_token AND the
expected statuses, so a worker whose claim went stale changes nothing. The
one exception, `force_commented`, is for a comment that exists: it must win.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, select, update

from photomanager.domain.models import Claim, QueueStatus
from photomanager.storage.repositories.ledger import CommentedDeviationsRepository
from photomanager.storage.repositories.messages import template_reference
from photomanager.storage.repositories.queue.rows import (
    AWAITING_REVIEW,
    PENDING,
    SENDING,
    UNKNOWN,
    QueuePart,
)
from photomanager.storage.sql_helpers import join_tags
from photomanager.storage.tables import queue


class QueueTransitions(QueuePart):
    """Moves a claimed row on, guarded by its claim token."""

    def mark_commented(
        self,
        claim: Claim,
        *,
        commentid: str | None,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """Commented, and recorded in the ledger in the same transaction."""
        return self._commented(
            claim.deviationid,
            _claimed(claim, SENDING, UNKNOWN),
            commentid=commentid,
            message_id=message_id,
            body_hash=body_hash,
            body=body,
            now=now,
        )

    def mark_failed(self, claim: Claim, error: str, now: datetime) -> bool:
        """Failed for good; from `sending`, or from `unknown` when the read-back is refused."""
        return self._end_claim(
            claim,
            (SENDING, UNKNOWN),
            QueueStatus.FAILED.value,
            now,
            attempts=queue.c.attempts + 1,
            last_error=error,
        )

    def mark_retry(
        self, claim: Claim, error: str, next_attempt_at: datetime, now: datetime
    ) -> bool:
        """Back to pending, due again at `next_attempt_at`, one attempt spent."""
        return self._end_claim(
            claim,
            (SENDING,),
            PENDING,
            now,
            attempts=queue.c.attempts + 1,
            next_attempt_at=next_attempt_at,
            last_error=error,
        )

    def release(
        self,
        claim: Claim,
        now: datetime,
        *,
        not_before: datetime | None = None,
        reason: str | None = None,
    ) -> bool:
        """Back to pending without spending an attempt (account problems, stop, pauses).

        `not_before`: not claimed again before then; `reason`, when given, becomes
        the row's `last_error` (what the artist reads).
        """
        values: dict[str, Any] = {}
        if not_before is not None:
            values["next_attempt_at"] = not_before
        if reason is not None:
            values["last_error"] = reason
        return self._end_claim(claim, (SENDING,), PENDING, now, **values)

    def save_metadata(
        self, claim: Claim, *, tags: Sequence[str], language: str | None, now: datetime
    ) -> bool:
        """The metadata the worker read for its claim (tags, language, when)."""
        return self._transition(
            claim, (SENDING,), tags=join_tags(tags), language=language, enriched_at=now
        )

    def unfail(self, deviationid: str, reason: str, now: datetime) -> bool:
        """A row failed by mistake goes back to pending, the attempt it spent given back."""
        result = self._conn.execute(
            update(queue)
            .where(
                queue.c.deviationid == deviationid,
                queue.c.status == QueueStatus.FAILED.value,
            )
            .values(
                status=PENDING,
                attempts=case((queue.c.attempts > 0, queue.c.attempts - 1), else_=0),
                last_error=reason,
                claim_token=None,
                updated_at=now,
            )
        )
        return int(result.rowcount) == 1

    def note_unverifiable(self, claim: Claim, reason: str, now: datetime) -> bool:
        """An `unknown` row whose read-back cannot say anything: it stays, with `reason`."""
        return self._transition(claim, (UNKNOWN,), last_error=reason, updated_at=now)

    def mark_unknown(self, claim: Claim, error: str, now: datetime) -> bool:
        """The POST may have landed; `now` (its end) starts reconciliation's grace."""
        return self._end_claim(
            claim,
            (SENDING,),
            UNKNOWN,
            now,
            last_error=error,
            unknown_since=now,
            reconcile_checked_at=None,
        )

    def mark_sending_body(
        self, claim: Claim, *, message_id: int | None, body_hash: str, body: str, now: datetime
    ) -> bool:
        """Record the rendered body on the claimed row, committed before the POST."""
        return self._transition(
            claim, (SENDING,), **_body(message_id, body_hash, body), updated_at=now
        )

    def mark_awaiting_review(
        self, claim: Claim, *, message_id: int | None, body_hash: str, body: str, now: datetime
    ) -> bool:
        """Parked with its rendered body for the artist's review (an earlier approval cleared)."""
        return self._end_claim(
            claim,
            (SENDING,),
            AWAITING_REVIEW,
            now,
            **_body(message_id, body_hash, body),
            approved_at=None,
        )

    def mark_skipped(self, claim: Claim, reason: str, now: datetime) -> bool:
        """Skipped for good, `reason` kept as the row's `last_error`."""
        return self._end_claim(claim, (SENDING,), QueueStatus.SKIPPED.value, now, last_error=reason)

    def resolve_unknown_pending(self, claim: Claim, now: datetime) -> bool:
        """Reconciliation found no comment of ours: the row may be posted again."""
        return self._end_claim(
            claim, (UNKNOWN,), PENDING, now, unknown_since=None, reconcile_checked_at=None
        )

    def note_not_found(self, claim: Claim, now: datetime) -> bool:
        """Record the first read-back (after the grace) that did not find our comment."""
        return self._transition(
            claim, (UNKNOWN,), reconcile_checked_at=now, claim_token=None, updated_at=now
        )

    def force_commented(
        self,
        deviationid: str,
        *,
        commentid: str,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """A comment of ours exists: `commented` from any state but `commented`, + ledger.

        For a POST that succeeded after its claim went stale; no token needed,
        because a comment that exists must win over whatever the row says.
        """
        return self._commented(
            deviationid,
            [queue.c.deviationid == deviationid, queue.c.status != QueueStatus.COMMENTED.value],
            commentid=commentid,
            message_id=message_id,
            body_hash=body_hash,
            body=body,
            now=now,
        )

    def _commented(
        self,
        deviationid: str,
        where: list[ColumnElement[bool]],
        *,
        commentid: str | None,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """The row matching `where` becomes `commented`, and the ledger records it."""
        row = (
            self._conn.execute(
                update(queue)
                .where(*where)
                .values(
                    status=QueueStatus.COMMENTED.value,
                    commentid=commentid,
                    **_body(message_id, body_hash, body),
                    last_error=None,
                    claim_token=None,
                    updated_at=now,
                )
                .returning(queue.c.author)
            )
            .mappings()
            .one_or_none()
        )
        if row is None:
            return False
        CommentedDeviationsRepository(self._conn).add(deviationid, now, row["author"])
        return True

    def lock_row(self, deviationid: str) -> None:
        """Lock the row until the unit of work ends (SQLite: BEGIN IMMEDIATE already did)."""
        self._conn.execute(
            select(queue.c.deviationid).where(queue.c.deviationid == deviationid).with_for_update()
        )

    def _transition(self, claim: Claim, from_statuses: tuple[str, ...], **values: Any) -> bool:
        result = self._conn.execute(
            update(queue).where(*_claimed(claim, *from_statuses)).values(**values)
        )
        return result.rowcount == 1

    def _end_claim(
        self,
        claim: Claim,
        from_statuses: tuple[str, ...],
        status: str,
        now: datetime,
        **values: Any,
    ) -> bool:
        """The claimed row moves to `status` and its claim token is cleared (with `values`)."""
        return self._transition(
            claim, from_statuses, status=status, claim_token=None, updated_at=now, **values
        )


def _body(message_id: int | None, body_hash: str, body: str) -> dict[str, Any]:
    """The columns of a rendered comment: its template (if still there), hash and text."""
    return {"message_id": template_reference(message_id), "body_hash": body_hash, "body": body}


def _claimed(claim: Claim, *statuses: str) -> list[ColumnElement[bool]]:
    return [
        queue.c.deviationid == claim.deviationid,
        queue.c.claim_token == claim.claim_token,
        queue.c.status.in_(statuses),
    ]
