"""The comment log: pages for the UI, a stream for CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import LogEntry, LogStatus
from photomanager.services.ports import UnitOfWorkFactory

MAX_PAGE = 500


class LogService:
    """Read-only access to what the worker did."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def list_logs(
        self,
        *,
        status: LogStatus | None = None,
        since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[LogEntry], str | None]:
        """A page of entries, newest first, and the cursor of the next page."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(
                f"limit must be between 1 and {MAX_PAGE}",
                details={"limit": f"must be between 1 and {MAX_PAGE}"},
            )
        with self._uow_factory(read_only=True) as uow:
            return uow.logs.list_page(status=status, since=since, limit=limit, cursor=cursor)

    def export(
        self, *, status: LogStatus | None = None, since: datetime | None = None
    ) -> Iterator[LogEntry]:
        """Every matching entry, streamed in a read-only transaction (never blocks workers)."""
        with self._uow_factory(read_only=True) as uow:
            yield from uow.logs.iter_all(status=status, since=since)
