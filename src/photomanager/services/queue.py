"""The comment queue as the artist sees it: list, remove, clear, reset failed.

Rows being sent (`sending`) or whose last POST may have landed (`unknown`)
are never deleted: their comment may already be on DeviantArt, and once the
row is gone nothing stops a collector from queueing the deviation again.
"""

from __future__ import annotations

from collections.abc import Sequence

from photomanager.domain.clock import Clock
from photomanager.domain.errors import Conflict, InvalidInput
from photomanager.domain.models import QueueItem, QueueStatus
from photomanager.services.ports import UnitOfWorkFactory

MAX_PAGE = 500


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
