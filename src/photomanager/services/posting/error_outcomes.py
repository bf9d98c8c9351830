"""What a refused or failed request does to the claimed row and to the worker, by kind of error.

| error                                           | the row                      | the worker |
|-------------------------------------------------|------------------------------|------------|
| account (token, scope, not connected)           | given back, no attempt spent | paused |
| `AccountRestricted`                             | given back, no attempt spent | blocked |
| `EdgeBlocked` (the CDN refused this machine)    | given back, no attempt spent | paused |
| `EndpointGone` (comment endpoint removed)       | given back, logged           | stopped |
| `RateLimited` with no status (wait not broken)  | given back, nothing sent     | paused |
| `RequestRejected`, a burst (see throttle_burst) | given back, attempts back    | paused |
| `RequestRejected`                               | `failed`                     | counted |
| surely not delivered (`_NOT_DELIVERED`)         | retried later, backing off   | counted |
| anything else (`OutcomeUnknown`, unclassified)  | `unknown`, then reconciled   | counted |

`RATE_LIMIT_STORM` `RateLimited` with Retry-After in a row pause the whole
worker (`RATE_LIMIT_PAUSE`) and give the row back.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    AccountRestricted,
    DeviantArtError,
    EdgeBlocked,
    EndpointGone,
    InsufficientScope,
    InvalidToken,
    NotConnected,
    PhotomanagerError,
    RateLimited,
    ReauthRequired,
    RequestRejected,
    ServerError,
    ServiceUnavailable,
    TransportFailed,
)
from photomanager.domain.models import Claim, CommentSettings, LogStatus
from photomanager.services.account.identity import Me
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.outcomes import StepOutcome, StepResult
from photomanager.services.posting.reconcile import Reconciler
from photomanager.services.posting.recording import Recorder, describe
from photomanager.services.posting.throttle_burst import ThrottleBurst
from photomanager.services.worker_control import (
    STATE_BLOCKED,
    STATE_PAUSED,
    report_progress,
    stop_all_workers,
)

RETRY_BACKOFF = timedelta(seconds=60)  # first retry of a surely-not-delivered POST
RETRY_BACKOFF_MAX = timedelta(hours=1)
RATE_LIMIT_STORM = 3  # RateLimited posts in a row that pause the whole worker
RATE_LIMIT_PAUSE = timedelta(minutes=15)
EDGE_PAUSE_FALLBACK = timedelta(minutes=5)

REASON_RECONNECT = "reconnect your account"

# Errors about the account, not the row: pause, never spend the row's attempts.
ACCOUNT_ERRORS = (InvalidToken, ReauthRequired, NotConnected, InsufficientScope)
# Surely not delivered: nothing reached DeviantArt or it refused before storing.
_NOT_DELIVERED = (TransportFailed, ServiceUnavailable, ServerError, RateLimited)


class ErrorOutcomes:
    """Follows the table above; keeps the streaks it needs (rate limits, throttle bursts)."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        recorder: Recorder,
        reconciler: Reconciler,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._recorder = recorder
        self._reconciler = reconciler
        self._throttle = ThrottleBurst(uow_factory=uow_factory, clock=clock)
        self._rate_limited_in_a_row = 0

    def post_succeeded(self) -> None:
        """A comment went through: every streak of refusals is broken."""
        self._rate_limited_in_a_row = 0
        self._throttle.clear()
        self._throttle.end_post_streak()

    def on_post_error(
        self,
        claim: Claim,
        exc: DeviantArtError,
        settings: CommentSettings,
        me: Me,
        message_id: int | None,
        body: str,
        stop: threading.Event,
    ) -> StepResult:
        """Record a failed POST by kind of error (the table in the module docstring)."""
        if isinstance(exc, (*ACCOUNT_ERRORS, AccountRestricted)):
            return self.account_problem(claim, exc)
        if isinstance(exc, EdgeBlocked):
            return self.edge_blocked(claim, exc)
        if isinstance(exc, EndpointGone):
            return self._endpoint_gone(claim, exc)
        if isinstance(exc, RateLimited) and exc.status is None:
            return self._wait_not_sent(claim, exc)
        if isinstance(exc, RequestRejected):
            burst = self._throttle.observe(claim, exc)
            if burst is not None:
                return burst
        else:
            self._throttle.clear()
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            # Retry-After storms pause the worker. Without Retry-After (DeviantArt's
            # velocity filter) the client's own cool-off, doubling and shared with every
            # process, is the backoff: a long pause here would only skew what it learns.
            self._rate_limited_in_a_row += 1
            if self._rate_limited_in_a_row >= RATE_LIMIT_STORM:
                return self._rate_limit_storm(claim, exc)
        elif not isinstance(exc, RateLimited):
            self._rate_limited_in_a_row = 0
        if isinstance(exc, RequestRejected):
            result = self._recorder.fail(claim, exc, message_id, body)
        elif isinstance(exc, _NOT_DELIVERED):
            result = self._retry_later(claim, exc, settings, message_id, body)
        else:
            # OutcomeUnknown, or anything we cannot classify: it may have landed.
            result = self._unknown(claim, exc, me, message_id, body, stop)
        self._recorder.count(result, settings)
        return result

    def _retry_later(
        self,
        claim: Claim,
        exc: DeviantArtError,
        settings: CommentSettings,
        message_id: int | None,
        body: str,
    ) -> StepResult:
        now = self._clock.now()
        attempts = claim.item.attempts + 1
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        if attempts >= settings.max_attempts:
            error = f"{describe(exc)} (gave up after {attempts} attempts)"
            with self._uow_factory() as uow:
                if not uow.queue.mark_failed(claim, error, now):
                    return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
                self._recorder.log(uow, claim, LogStatus.FAILED, error, message_id, body, now)
                uow.commit()
            return StepResult(
                StepOutcome.FAILED,
                deviationid=claim.deviationid,
                error=error,
                retry_after=retry_after,
            )
        backoff = min(RETRY_BACKOFF * 2 ** (attempts - 1), RETRY_BACKOFF_MAX)
        if retry_after is not None:
            backoff = max(backoff, timedelta(seconds=retry_after))
        next_attempt_at = now + backoff
        error = f"{describe(exc)} (retry {attempts} at {next_attempt_at:%H:%M:%S} UTC)"
        with self._uow_factory() as uow:
            if not uow.queue.mark_retry(claim, error, next_attempt_at, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            self._recorder.log(uow, claim, LogStatus.FAILED, error, message_id, body, now)
            uow.commit()
        return StepResult(
            StepOutcome.RETRY, deviationid=claim.deviationid, error=error, retry_after=retry_after
        )

    def _unknown(
        self,
        claim: Claim,
        exc: DeviantArtError,
        me: Me,
        message_id: int | None,
        body: str,
        stop: threading.Event,
    ) -> StepResult:
        now = self._clock.now()
        error = f"{describe(exc)} (outcome unknown: checking the comments)"
        with self._uow_factory() as uow:
            if not uow.queue.mark_unknown(claim, error, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            self._recorder.log(uow, claim, LogStatus.UNKNOWN, error, message_id, body, now)
            uow.commit()
        settled = self._reconciler.reconcile(claim.deviationid, me, stop)
        if settled.outcome is StepOutcome.SENT:
            return settled
        return StepResult(StepOutcome.UNKNOWN, deviationid=claim.deviationid, error=error)

    def _rate_limit_storm(self, claim: Claim, exc: RateLimited) -> StepResult:
        now = self._clock.now()
        pause = max(RATE_LIMIT_PAUSE, timedelta(seconds=exc.retry_after or 0))
        until = now + pause
        reason = f"rate limited until {until:%H:%M:%S} UTC"
        self._recorder.release(claim, log=f"{describe(exc)}; worker paused: {reason}")
        self._rate_limited_in_a_row = 0
        report_progress(
            self._uow_factory, now, state=STATE_PAUSED, reason=reason, waiting_until=until
        )
        return StepResult(
            StepOutcome.PAUSED,
            deviationid=claim.deviationid,
            error=reason,
            retry_after=exc.retry_after,
            pause_until=until,
        )

    def edge_blocked(self, claim: Claim | None, exc: EdgeBlocked) -> StepResult:
        """The CDN refused this machine: nothing was delivered; give the row back and pause."""
        until = exc.retry_at or self._clock.now() + EDGE_PAUSE_FALLBACK
        reason = exc.message
        if claim is not None:
            self._recorder.release(claim, log=reason, reason=reason)
        self._rate_limited_in_a_row = 0
        return StepResult(
            StepOutcome.PAUSED,
            deviationid=claim.deviationid if claim else None,
            error=reason,
            pause_until=until,
        )

    def _wait_not_sent(self, claim: Claim, exc: RateLimited) -> StepResult:
        """The client would not break a wait DeviantArt imposed: not sent, no attempt spent."""
        until = self._clock.now() + timedelta(seconds=exc.retry_after or 0)
        self._recorder.release(claim)
        return StepResult(
            StepOutcome.PAUSED,
            deviationid=claim.deviationid,
            error=exc.message,
            retry_after=exc.retry_after,
            pause_until=until,
        )

    def _endpoint_gone(self, claim: Claim, exc: EndpointGone) -> StepResult:
        """DeviantArt removed the comment endpoint: nothing can be posted; stop, keep the row."""
        reason = f"{exc.message}: the worker stopped (no comment can be posted this way)"
        self._recorder.release(claim, log=reason)
        self._recorder.stop_worker(reason)
        return StepResult(StepOutcome.BLOCKED, deviationid=claim.deviationid, error=reason)

    def account_problem(self, claim: Claim | None, exc: PhotomanagerError) -> StepResult:
        """The account, not the row: give the row back and pause (or block) every worker."""
        now = self._clock.now()
        if isinstance(exc, AccountRestricted):
            reason = (
                "DeviantArt restricted the account "
                f"({describe(exc)}): the worker stopped and will not retry by itself; "
                "check your DeviantArt account before starting it again"
            )
            state, outcome = STATE_BLOCKED, StepOutcome.BLOCKED
        else:
            reason = REASON_RECONNECT
            if isinstance(exc, InsufficientScope):
                reason = f"{REASON_RECONNECT} (a permission is missing)"
            state, outcome = STATE_PAUSED, StepOutcome.PAUSED
        if claim is not None:
            self._recorder.release(claim, log=f"{exc.code}: {reason}")
        stop_all_workers(self._uow_factory, now, state=state, reason=reason)
        deviationid = claim.deviationid if claim else None
        return StepResult(outcome, deviationid=deviationid, error=reason)
