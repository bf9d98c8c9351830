"""The status page in one call: queue counts, activity, worker, collects, caps.

"Today" and "this hour" are the rolling 24 hours and 60 minutes, the same
windows the caps use (see `domain/pacing.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from photomanager.domain import pacing
from photomanager.domain.clock import Clock
from photomanager.domain.models import (
    PENALTY_EDGE,
    PENALTY_GONE,
    PENALTY_NEXT_CLIENT,
    PENALTY_NEXT_USER,
    CollectProgress,
    HousekeepingRun,
    LogStatus,
    Penalty,
    QueueStatus,
    WorkerControl,
)
from photomanager.services.collecting.collect_runs import CollectRuns
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.reporting.skip_reasons import count_by_key

HEARTBEAT_FRESH = timedelta(seconds=15)
RECENT_RUNS_KEPT = 5  # finished collect runs shown with their results ...
RECENT_RUNS_WITHIN = timedelta(minutes=10)  # ... when they ended this recently


@dataclass(frozen=True, slots=True)
class EffectiveCaps:
    """The limits in force and how much room is left under them."""

    min_interval_s: int
    max_interval_s: int
    max_per_hour: int
    max_per_day: int
    active_hours: str | None
    timezone: str
    remaining_this_hour: int
    remaining_today: int
    next_allowed_at: datetime
    next_allowed_reason: str


@dataclass(frozen=True, slots=True)
class SharedWait:
    """A wait DeviantArt imposed, or we imposed on ourselves, that every process obeys."""

    scope: str
    until: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Everything the status page shows."""

    counts: dict[QueueStatus, int]
    sent_today: int
    failed_today: int
    sent_this_hour: int
    failed_this_hour: int
    worker: WorkerControl
    worker_alive: bool
    collect_runs: list[CollectProgress]
    caps: EffectiveCaps
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    housekeeping: HousekeepingRun | None = None  # the last pass, by any process
    waits: list[SharedWait] = field(default_factory=list)


TURN_SCOPES = frozenset({PENALTY_NEXT_USER, PENALTY_NEXT_CLIENT})


def wait_words(penalty: Penalty) -> str:
    """A shared wait in words a person understands, with when it ends."""
    until = f"{penalty.not_before:%H:%M:%S} UTC" if penalty.not_before else "later"
    reason = penalty.reason or "DeviantArt asked us to wait"
    if penalty.scope.startswith(PENALTY_GONE):
        return (
            f"{reason}: comments whose outcome is unknown cannot be verified; "
            f"checked again at {until}"
        )
    if penalty.scope == PENALTY_EDGE:
        return f"{reason}; next try at {until}"
    if "until" in reason:
        return reason
    return f"{reason} until {until}"


class StatusService:
    """Assembles the status report."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        collect_runs: CollectRuns | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._collect_runs = collect_runs

    def status(self) -> StatusReport:
        """The current status (one transaction; grouped counts per status and skip reason)."""
        now = self._clock.now()
        day_ago, hour_ago = now - pacing.DAY, now - pacing.HOUR
        with self._uow_factory(read_only=True) as uow:
            counts = uow.queue.get_stats()
            skipped = uow.queue.count_skipped_by_reason()
            sent_today = uow.logs.count_since(LogStatus.SENT, day_ago)
            failed_today = uow.logs.count_since(LogStatus.FAILED, day_ago)
            sent_hour = uow.logs.count_since(LogStatus.SENT, hour_ago)
            failed_hour = uow.logs.count_since(LogStatus.FAILED, hour_ago)
            control = uow.worker_control.get()
            settings = uow.settings.get()
            decision = pacing.plan_next_post_counted(settings, now, uow.logs)
            housekeeping = uow.housekeeping.get_last()
            penalties = uow.penalties.list_all()
        waits = [
            SharedWait(scope=p.scope, until=p.not_before, reason=wait_words(p))
            for p in penalties
            # A reserved turn (`next:*`) is our own spacing between two requests, renewed
            # with every request: the worker's wait says it; it is not a wait DeviantArt imposed.
            if p.not_before is not None and p.active(now) and p.scope not in TURN_SCOPES
        ]
        caps = EffectiveCaps(
            min_interval_s=settings.min_interval_s,
            max_interval_s=settings.max_interval_s,
            max_per_hour=settings.max_per_hour,
            max_per_day=settings.max_per_day,
            active_hours=settings.active_hours,
            timezone=settings.timezone,
            remaining_this_hour=max(0, settings.max_per_hour - sent_hour),
            remaining_today=max(0, settings.max_per_day - sent_today),
            next_allowed_at=decision.not_before,
            next_allowed_reason=decision.reason,
        )
        alive = control.heartbeat_at is not None and now - control.heartbeat_at <= HEARTBEAT_FRESH
        runs = self._shown_runs(now)
        return StatusReport(
            counts=counts,
            sent_today=sent_today,
            failed_today=failed_today,
            sent_this_hour=sent_hour,
            failed_this_hour=failed_hour,
            worker=control,
            worker_alive=alive,
            collect_runs=runs,
            caps=caps,
            skipped_by_reason=count_by_key(skipped),
            housekeeping=housekeeping,
            waits=waits,
        )

    def _shown_runs(self, now: datetime) -> list[CollectProgress]:
        """Running collect runs and the few that ended recently, newest first."""
        if self._collect_runs is None:
            return []
        shown: list[CollectProgress] = []
        finished = 0
        for run in self._collect_runs.recent():
            if run.finished_at is None:
                shown.append(run)
            elif finished < RECENT_RUNS_KEPT and now - run.finished_at <= RECENT_RUNS_WITHIN:
                shown.append(run)
                finished += 1
        return shown
