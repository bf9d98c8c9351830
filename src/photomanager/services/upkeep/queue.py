"""The comment queue as the artist sees it: list, remove, clear, reset failed.

Rows being sent (`sending`) or whose last POST may have landed (`unknown`)
are never deleted: their comment may already be on DeviantArt, and once the
row is gone nothing stops a collector from queueing the deviation again.
"""

from __future__ import annotations

from collections.abc import Sequence

from photomanager.domain.clock import Clock
from photomanager.domain.errors import Conflict, InvalidInput, NotFound
from photomanager.domain.models import LogStatus, QueueItem, QueueStatus
from photomanager.services.ports import UnitOfWorkFactory

MAX_PAGE = 500
RESOLVED_POSTED = "settled by hand: our comment is on the deviation"
RESOLVED_NOT_POSTED = "settled by hand: our comment is not on the deviation; queued again"


class QueueService:
    """Queue commands from the API and CLI."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def list_queue(
        self, *, status: QueueStatus | None = None, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[QueueItem], str | None]:
        """A page of rows, newest first, and the cursor of the next page (None at the end)."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(
                f"limit must be between 1 and {MAX_PAGE}",
                details={"limit": f"must be between 1 and {MAX_PAGE}"},
            )
        with self._uow_factory(read_only=True) as uow:
            return uow.queue.list_page(status, limit, cursor)

    def stats(self) -> dict[QueueStatus, int]:
        """Rows per status."""
        with self._uow_factory(read_only=True) as uow:
            return uow.queue.get_stats()

    def remove_selected(self, *, deviationids: Sequence[str]) -> int:
        """Delete the given rows; Conflict (nothing deleted) if one is `sending` or `unknown`."""
        if not deviationids:
            return 0
        with self._uow_factory() as uow:
            held: dict[QueueStatus, list[str]] = {QueueStatus.SENDING: [], QueueStatus.UNKNOWN: []}
            for deviationid in dict.fromkeys(deviationids):
                item = uow.queue.get(deviationid)
                if item is not None and item.status in held:
                    held[item.status].append(deviationid)
            sending, unknown = held[QueueStatus.SENDING], held[QueueStatus.UNKNOWN]
            if sending:
                raise Conflict(
                    f"{len(sending)} selected row(s) are being sent right now; try again shortly",
                    details={"sending": sending, "unknown": unknown},
                )
            if unknown:
                raise Conflict(
                    f"{len(unknown)} selected row(s) may already have their comment on "
                    "DeviantArt (outcome unknown); they are kept until reconciliation settles "
                    "them, so the deviation is never commented twice",
                    details={"sending": sending, "unknown": unknown},
                )
            removed = uow.queue.remove(deviationids)
            uow.commit()
        return removed

    def clear(self, *, status: QueueStatus | None = None) -> int:
        """Delete every row (of `status`); `sending` and `unknown` rows are kept."""
        if status is QueueStatus.SENDING:
            raise Conflict("rows being sent cannot be cleared")
        if status is QueueStatus.UNKNOWN:
            raise Conflict(
                "rows with an unknown outcome may already have their comment on DeviantArt; "
                "they are kept until reconciliation settles them"
            )
        with self._uow_factory() as uow:
            removed = uow.queue.clear(status)
            uow.commit()
        return removed

    def reset_failed(self) -> int:
        """Every failed row back to pending with its attempts reset."""
        with self._uow_factory() as uow:
            count = uow.queue.reset_failed_to_pending(self._clock.now())
            uow.commit()
        return count

    def resolve_unknown(self, *, deviationid: str, posted: bool) -> QueueItem:
        """Settle an `unknown` row the artist checked on DeviantArt.

        For rows reconciliation cannot verify (a deviation with thousands of
        comments). `posted`: our comment is there, the row becomes `commented`
        (ledger, one `sent` log row); otherwise it goes back to `pending` and
        will be posted again - the artist's call, made by looking.
        """
        now = self._clock.now()
        with self._uow_factory() as uow:
            item = uow.queue.get(deviationid)
            if item is None:
                raise NotFound(f"no queued deviation {deviationid!r}")
            if item.status is not QueueStatus.UNKNOWN:
                raise Conflict(
                    f"deviation {deviationid} is {item.status.value}, not unknown: "
                    "nothing to settle"
                )
            claim = uow.queue.claim_unknown(deviationid, now, seen=item)
            if claim is None:
                raise Conflict("the row changed meanwhile (reconciliation?): look again")
            if posted:
                first_record = uow.ledger.add(deviationid, now, author=item.author)
                ok = uow.queue.mark_commented(
                    claim,
                    commentid=None,
                    message_id=item.message_id,
                    body_hash=item.body_hash or "",
                    body=item.body or "",
                    now=now,
                )
                status, message = LogStatus.SENT, RESOLVED_POSTED
                log = first_record
            else:
                ok = uow.queue.resolve_unknown_pending(claim, now)
                status, message, log = LogStatus.FAILED, RESOLVED_NOT_POSTED, True
            if not ok:
                raise Conflict("the row changed meanwhile (reconciliation?): look again")
            if log:
                uow.logs.append(
                    deviationid=deviationid,
                    status=status,
                    now=now,
                    message_id=item.message_id,
                    body=item.body,
                    error_message=message,
                )
            uow.commit()
            settled = uow.queue.get(deviationid)
        assert settled is not None
        return settled
