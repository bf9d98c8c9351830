"""Housekeeping: the queue and the log stay as small as the artist's settings say.

What leaves, and why nothing is ever commented twice because of it:

- `pending` rows (not approved in review) leave once published before now -
  `pending_ttl_days`; met again by a collect, the deviation is "too old" (the
  collector's filter, with the same cutoff).
- `commented` rows leave once settled before now - `finished_ttl_days`; met
  again, it is "already commented": the ledger is never pruned.
- `failed` and `skipped` rows leave the same way; met again, it is "too old":
  a deviation is published before its row settles, and `finished_ttl_days >=
  pending_ttl_days` (the settings refuse less).
- log entries leave once written before now - `log_retention_days` (0: never).
- rows in review, approved `pending` rows, `sending` and `unknown` never leave.

The caps (24 hours of log) and the repeated-text guard (30 days of log) keep
their windows: the retention is at least 31 days (settings refuse less).

Steps of one pass, each batch its own short transaction (BATCH rows at most,
so the write lock is never held for long), with a breath between batches so
a worker or a collect waiting for the lock gets it:
1. read the settings and fix the cutoffs once (a pass removes what was expired
   when it started);
2. per status, delete a batch of the oldest expired rows until a batch comes
   back short or the pass is asked to stop;
3. the log the same way;
4. record the pass (when, what left per status, whether it finished) in the
   database, where `status` in any process reads it.

The worker runs a pass when the last one, by any process, is at least EVERY
old, or stopped before the end (at most WORKER_MAX_BATCHES batches a pass, so
a huge first backlog is worked off between posts); `photomanager queue prune`
and `POST .../queue/prune` run one on demand, or (dry run) list what would go
and why, removing nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.models import CommentSettings, HousekeepingRun, QueueItem, QueueStatus
from photomanager.services.ports import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

EVERY = timedelta(hours=1)
BATCH = 500
BATCH_PAUSE_S = 0.05  # between two batches: other writers take the lock meanwhile
# The worker's pass stops after this many batches (a first pass over an old database may
# face far more) and goes on at its next round, so posting is never held up for long.
WORKER_MAX_BATCHES = 200
PREVIEW_LIMIT = 50
# Oldest first within each status, then the statuses in this order.
EXPIRING = (QueueStatus.PENDING, QueueStatus.COMMENTED, QueueStatus.FAILED, QueueStatus.SKIPPED)

TRIGGER_WORKER = "worker"
TRIGGER_CLI = "cli"
TRIGGER_API = "api"


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """Rows and entries older than these leave (`logs` None: the log is kept forever)."""

    pending: datetime
    finished: datetime
    logs: datetime | None

    def for_status(self, status: QueueStatus) -> datetime:
        """The cutoff of one expiring status."""
        return self.pending if status is QueueStatus.PENDING else self.finished


def cutoffs(settings: CommentSettings, now: datetime) -> Cutoffs:
    """The cutoffs the artist's settings give at `now`."""
    days = settings.log_retention_days
    return Cutoffs(
        pending=now - timedelta(days=settings.pending_ttl_days),
        finished=now - timedelta(days=settings.finished_ttl_days),
        logs=now - timedelta(days=days) if days > 0 else None,
    )


@dataclass(frozen=True, slots=True)
class PruneCandidate:
    """One queue row a pass would remove, and why in words."""

    item: QueueItem
    reason: str


@dataclass(frozen=True, slots=True)
class PrunePreview:
    """What a pass would remove now: counts, and the oldest rows of each status."""

    now: datetime
    cutoffs: Cutoffs
    removed: dict[QueueStatus, int] = field(default_factory=dict)
    logs: int = 0
    examples: list[PruneCandidate] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Queue rows and log entries together."""
        return sum(self.removed.values()) + self.logs


def why_expired(item: QueueItem, settings: CommentSettings) -> str:
    """Why `item` leaves the queue, for the artist."""
    if item.status is QueueStatus.PENDING:
        return (
            f"pending, published {item.ts:%Y-%m-%d %H:%M} UTC: "
            f"more than {settings.pending_ttl_days} days ago"
        )
    settled = item.updated_at or item.ts
    return (
        f"{item.status.value} on {settled:%Y-%m-%d %H:%M} UTC: "
        f"more than {settings.finished_ttl_days} days ago"
    )


class Housekeeping:
    """Prunes expired queue rows and old log entries, in small batches."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        batch: int = BATCH,
        pause: Callable[[threading.Event, float], bool] | None = None,
        pause_s: float = BATCH_PAUSE_S,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self._uow_factory = uow_factory
        self._clock = clock
        self._batch = batch
        self._pause = pause or (lambda stop, seconds: stop.wait(seconds))
        self._pause_s = pause_s
        self._batches_left: int | None = None  # of the pass under way

    def last_run(self) -> HousekeepingRun | None:
        """The last pass of any process, or None when none ran yet."""
        with self._uow_factory(read_only=True) as uow:
            return uow.housekeeping.get_last()

    def is_due(self) -> bool:
        """True when the last pass (by any process) is EVERY old, stopped early, or none ran."""
        last = self.last_run()
        return last is None or not last.complete or self._clock.now() - last.ran_at >= EVERY

    def run_if_due(
        self, stop: threading.Event | None = None, *, max_batches: int = WORKER_MAX_BATCHES
    ) -> HousekeepingRun | None:
        """Run a pass (as the worker) when one is due; None when it was not."""
        if not self.is_due():
            return None
        return self.prune(trigger=TRIGGER_WORKER, stop=stop, max_batches=max_batches)

    def prune(
        self,
        *,
        trigger: str = TRIGGER_CLI,
        stop: threading.Event | None = None,
        max_batches: int | None = None,
    ) -> HousekeepingRun:
        """Remove what expired, batch by batch; the pass is recorded and returned.

        `max_batches`: stop after that many full batches (the pass is then incomplete).
        """
        stop = stop or threading.Event()
        self._batches_left = max_batches
        started = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            settings = uow.settings.get()
        limits = cutoffs(settings, started)
        removed: dict[QueueStatus, int] = {}
        complete = True
        for status in EXPIRING:
            count, complete = self._drain(
                _queue_batch(status, limits.for_status(status), self._batch), stop
            )
            removed[status] = count
            if not complete:
                break
        logs = 0
        if limits.logs is not None and complete:
            logs, complete = self._drain(_log_batch(limits.logs, self._batch), stop)
        run = HousekeepingRun(
            ran_at=started, removed=removed, logs=logs, complete=complete, trigger=trigger
        )
        with self._uow_factory() as uow:
            uow.housekeeping.save_last(run)
            uow.commit()
        if run.total:
            logger.info(
                "housekeeping removed %s queue row(s) and %s log entries",
                sum(removed.values()),
                logs,
            )
        return run

    def preview(self, *, limit: int = PREVIEW_LIMIT) -> PrunePreview:
        """What a pass would remove now, with the oldest `limit` rows per status and why."""
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            settings = uow.settings.get()
            limits = cutoffs(settings, now)
            removed = {s: uow.queue.count_expired(s, limits.for_status(s)) for s in EXPIRING}
            examples = [
                PruneCandidate(item=item, reason=why_expired(item, settings))
                for s in EXPIRING
                for item in uow.queue.list_expired(s, limits.for_status(s), limit)
            ]
            logs = 0 if limits.logs is None else uow.logs.count_before(limits.logs)
        return PrunePreview(now=now, cutoffs=limits, removed=removed, logs=logs, examples=examples)

    def _drain(
        self, delete_batch: Callable[[UnitOfWork], int], stop: threading.Event
    ) -> tuple[int, bool]:
        """Run `delete_batch` in its own transactions until it comes back short.

        Returns (rows removed, whether it reached the end rather than a stop).
        """
        total = 0
        while True:
            with self._uow_factory() as uow:
                count = delete_batch(uow)
                uow.commit()
            total += count
            if count < self._batch:
                return total, True
            # Only full batches count against the cap: a short one ends its drain anyway.
            if self._batches_left is not None:
                self._batches_left -= 1
                if self._batches_left <= 0:
                    return total, False
            if self._pause(stop, self._pause_s) or stop.is_set():
                return total, False


def _queue_batch(status: QueueStatus, before: datetime, batch: int) -> Callable[[UnitOfWork], int]:
    return lambda uow: uow.queue.delete_expired(status, before, batch)


def _log_batch(before: datetime, batch: int) -> Callable[[UnitOfWork], int]:
    return lambda uow: uow.logs.delete_before(before, batch)
