"""Writing down what became of a claimed row: its queue row and its log, in one unit of work.

Every write matches the claim (see the queue repository), so a worker whose
claim went stale changes nothing and gets `LOST_CLAIM` back. A comment that
exists wins over a stale claim: `record_sent` makes the row `commented`
whatever it says (`force_commented`), logged once.
"""

from __future__ import annotations

from datetime import datetime

from photomanager.domain.clock import Clock
from photomanager.domain.errors import PhotomanagerError
from photomanager.domain.models import Claim, CommentSettings, LogStatus
from photomanager.services.ports import UnitOfWork, UnitOfWorkFactory
from photomanager.services.posting.outcomes import StepOutcome, StepResult
from photomanager.services.worker_control import (
    STATE_STOPPED,
    count_failure,
    read_control,
    stop_all_workers,
    update_control,
)


class Recorder:
    """Records the outcome of one claimed row, and keeps the consecutive-failure count."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def released(self, claim: Claim, reason: str) -> StepResult:
        """Give the row back unsent (too late to post inside the lease); no attempt spent."""
        self.release(claim, log=reason)
        return StepResult(StepOutcome.RELEASED, deviationid=claim.deviationid, error=reason)

    def skip(self, claim: Claim, reason: str) -> StepResult:
        """A limit or a filter forbids this comment: `skipped`, with the reason logged."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            if not uow.queue.mark_skipped(claim, reason, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            uow.logs.append(
                deviationid=claim.deviationid,
                status=LogStatus.SKIPPED,
                now=now,
                error_message=reason,
            )
            uow.commit()
        return StepResult(StepOutcome.SKIPPED, deviationid=claim.deviationid, error=reason)

    def record_sent(
        self, claim: Claim, commentid: str, message_id: int | None, fingerprint: str, body: str
    ) -> StepResult:
        """The comment exists: the row becomes `commented`, the ledger and the log say so."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            # Whoever records the comment in the ledger first logs it: reconciliation may
            # have found this comment already (then it logged it), or be doing so right now.
            # Row first, ledger second, as reconciliation does: the other order deadlocks.
            uow.queue.lock_row(claim.deviationid)
            first_record = uow.ledger.add(claim.deviationid, now, author=claim.item.author)
            owned = uow.queue.mark_commented(
                claim,
                commentid=commentid,
                message_id=message_id,
                body_hash=fingerprint,
                body=body,
                now=now,
            )
            if not owned:
                # Our claim went stale but the comment exists: the row must say so, whatever
                # it says now (unknown, pending again, even claimed by another worker).
                uow.queue.force_commented(
                    claim.deviationid,
                    commentid=commentid,
                    message_id=message_id,
                    body_hash=fingerprint,
                    body=body,
                    now=now,
                )
            if first_record:
                # One `sent` row per comment: the caps count these rows.
                uow.logs.append(
                    deviationid=claim.deviationid,
                    status=LogStatus.SENT,
                    now=now,
                    message_id=message_id,
                    commentid=commentid,
                    body=body,
                )
            uow.commit()
        outcome = StepOutcome.SENT if owned else StepOutcome.LOST_CLAIM
        return StepResult(outcome, deviationid=claim.deviationid, commentid=commentid, body=body)

    def fail(
        self, claim: Claim, exc: PhotomanagerError, message_id: int | None, body: str
    ) -> StepResult:
        """Failed for good: one attempt spent, the error logged with the text."""
        now = self._clock.now()
        error = describe(exc)
        with self._uow_factory() as uow:
            if not uow.queue.mark_failed(claim, error, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            self.log(uow, claim, LogStatus.FAILED, error, message_id, body, now)
            uow.commit()
        return StepResult(StepOutcome.FAILED, deviationid=claim.deviationid, error=error)

    def release(self, claim: Claim, *, log: str | None = None, reason: str | None = None) -> None:
        """Give the row back to `pending` without spending an attempt (`reason`: its words)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            released = uow.queue.release(claim, now, reason=reason)
            if released and log is not None:
                uow.logs.append(
                    deviationid=claim.deviationid,
                    status=LogStatus.FAILED,
                    now=now,
                    error_message=f"{log} (not counted as an attempt)",
                )
            uow.commit()

    def log(
        self,
        uow: UnitOfWork,
        claim: Claim,
        status: LogStatus,
        error: str,
        message_id: int | None,
        body: str,
        now: datetime,
    ) -> None:
        """Log an attempt on the claimed row with its text, inside the caller's unit of work."""
        uow.logs.append(
            deviationid=claim.deviationid,
            status=status,
            now=now,
            message_id=message_id,
            body=body,
            error_message=error,
        )

    def count(self, result: StepResult, settings: CommentSettings) -> None:
        """Keep the consecutive-failure count; stop the worker when it reaches the limit."""
        if result.outcome is StepOutcome.SENT:
            control = read_control(self._uow_factory)
            if control.consecutive_failures:
                update_control(self._uow_factory, self._clock.now(), consecutive_failures=0)
            return
        if result.outcome not in (StepOutcome.FAILED, StepOutcome.RETRY, StepOutcome.UNKNOWN):
            return
        failures = count_failure(self._uow_factory, self._clock.now())
        if failures >= settings.max_consecutive_failures:
            self.stop_worker(f"stopped after {failures} failures in a row")

    def stop_worker(self, reason: str) -> None:
        """Stop every worker with `reason` (the artist starts them again)."""
        stop_all_workers(self._uow_factory, self._clock.now(), state=STATE_STOPPED, reason=reason)


def describe(exc: PhotomanagerError) -> str:
    """A short, secret-free description of an error for the log and the queue row."""
    status = getattr(exc, "status", None)
    prefix = f"{exc.code} (HTTP {status})" if status else exc.code
    return f"{prefix}: {exc.message}"
