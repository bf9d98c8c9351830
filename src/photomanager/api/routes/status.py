"""The status report: one call for the whole overview."""

from __future__ import annotations

from fastapi import APIRouter

from photomanager.api.deps import ContainerDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.collect import CollectRunPublic
from photomanager.api.schemas.outcomes import last_poll_public
from photomanager.api.schemas.status import (
    AccountPublic,
    CapsPublic,
    HousekeepingPublic,
    InboxStatusPublic,
    ProcessedPublic,
    StatusPublic,
    WaitPublic,
    WorkerStatusPublic,
)
from photomanager.bootstrap import Container
from photomanager.domain.models import HousekeepingRun, QueueStatus

router = APIRouter(prefix=PREFIX, tags=["status"])


@router.get("/status", responses=errors())
def get_status(container: ContainerDep) -> StatusPublic:
    """Queue counts, totals, worker state, collect runs, account, caps, sandbox flag."""
    report = container.status.status()
    account = container.auth.status()
    counts = {status.value: report.counts.get(status, 0) for status in QueueStatus}
    worker = report.worker
    return StatusPublic(
        counts=counts,
        processed=ProcessedPublic(
            sent_today=report.sent_today,
            failed_today=report.failed_today,
            sent_this_hour=report.sent_this_hour,
            failed_this_hour=report.failed_this_hour,
        ),
        worker=WorkerStatusPublic(
            desired=worker.desired,
            state=worker.state,
            reason=worker.reason,
            waiting_until=worker.waiting_until,
            consecutive_failures=worker.consecutive_failures,
            heartbeat_at=worker.heartbeat_at,
            confirmed_unreviewed=worker.confirmed_unreviewed,
            alive=report.worker_alive,
        ),
        collect_runs=[CollectRunPublic.model_validate(run) for run in report.collect_runs],
        account=AccountPublic.model_validate(account),
        caps=CapsPublic.model_validate(report.caps),
        skipped_by_reason=report.skipped_by_reason,
        housekeeping=housekeeping_public(report.housekeeping),
        waits=[WaitPublic(scope=w.scope, until=w.until, reason=w.reason) for w in report.waits],
        inbox=inbox_status(container),
        sandbox=container.sandbox_mode,
        now=container.clock.now(),
    )


def inbox_status(container: Container) -> InboxStatusPublic:
    """The inbox part of the status."""
    overview = container.inbox_overview.overview()
    return InboxStatusPublic(
        reconnect_to_read_replies=overview.reconnect_to_read_replies,
        unread=overview.unread,
        last_poll=last_poll_public(overview.last_poll, overview),
    )


def housekeeping_public(run: HousekeepingRun | None) -> HousekeepingPublic | None:
    """The last pass as the API shows it (every expiring status present)."""
    if run is None:
        return None
    return HousekeepingPublic(
        ran_at=run.ran_at,
        trigger=run.trigger,
        removed={status.value: count for status, count in run.removed.items()},
        logs_removed=run.logs,
        complete=run.complete,
    )
