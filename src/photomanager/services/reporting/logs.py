"""The comment log: pages for the UI, a stream for CSV export, activity per hour."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import HourlyActivity, LogEntry, LogStatus
from photomanager.services.ports import UnitOfWorkFactory

MAX_PAGE = 500
MAX_ACTIVITY_HOURS = 24 * 31


def as_utc(moment: datetime | None) -> datetime | None:
    """`moment` in UTC; a time given without a zone (`2026-11-25`, `T09:00`) is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class LogRange:
    """Which stretch of time an export covers, and why it starts where it does.

    `start`: the oldest entry kept at or after `since` (None: nothing to export);
    `until`: when the export was made; `retention_days`: 0 when the log is kept
    forever, else entries older than that many days were removed by housekeeping.
    """

    start: datetime | None
    until: datetime
    since: datetime | None
    retention_days: int

    def describe(self) -> str:
        """The range in words, for the CLI and the response headers."""
        if self.start is None:
            covered = f"no entries up to {self.until:%Y-%m-%d %H:%M} UTC"
        else:
            covered = f"entries from {self.start:%Y-%m-%d %H:%M} to {self.until:%Y-%m-%d %H:%M} UTC"
        if self.retention_days:
            return (
                f"{covered}; the log keeps {self.retention_days} days, older entries were removed"
            )
        return f"{covered}; the log is kept forever"


class LogService:
    """Read-only access to what the worker did."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

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
        since = as_utc(since)
        with self._uow_factory(read_only=True) as uow:
            return uow.logs.list_page(status=status, since=since, limit=limit, cursor=cursor)

    def export(
        self, *, status: LogStatus | None = None, since: datetime | None = None
    ) -> Iterator[LogEntry]:
        """Every matching entry, streamed in a read-only transaction (never blocks workers)."""
        # Checked now, not when the stream is first read: a streamed answer has already
        # said 200 by then.
        return self._stream(status, as_utc(since))

    def export_range(self, *, since: datetime | None = None) -> LogRange:
        """What an export made now covers (asked before the export streams)."""
        since = as_utc(since)
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            oldest = uow.logs.oldest_sent_at()
            retention = uow.settings.get().log_retention_days
        start = oldest
        if oldest is not None and since is not None:
            start = max(oldest, since)
        return LogRange(start=start, until=now, since=since, retention_days=retention)

    def _stream(self, status: LogStatus | None, since: datetime | None) -> Iterator[LogEntry]:
        with self._uow_factory(read_only=True) as uow:
            yield from uow.logs.iter_all(status=status, since=since)

    def activity(self, *, hours: int = 48) -> list[HourlyActivity]:
        """Sent and failed per hour for the last `hours` hours, oldest first, no gaps."""
        if not 1 <= hours <= MAX_ACTIVITY_HOURS:
            raise InvalidInput(
                f"hours must be between 1 and {MAX_ACTIVITY_HOURS}",
                details={"hours": f"must be between 1 and {MAX_ACTIVITY_HOURS}"},
            )
        current = self._clock.now().replace(minute=0, second=0, microsecond=0)
        first = current - timedelta(hours=hours - 1)
        with self._uow_factory(read_only=True) as uow:
            active = {bucket.hour: bucket for bucket in uow.logs.activity_per_hour(first)}
        return [
            active.get(hour, HourlyActivity(hour=hour, sent=0, failed=0))
            for hour in (first + timedelta(hours=n) for n in range(hours))
        ]
