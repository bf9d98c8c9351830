"""The action throttle: a burst of refused POSTs that is about posting, not about the rows.

`THROTTLE_BURST` POSTs in a row, on different deviations, refused with the
same 400 `error` and `error_code` (DeviantArt: "too many ... in a short period
of time") are an action throttle: those rows go back to `pending` with their
attempts given back, and posting pauses (`THROTTLE_PAUSE`, doubling up to
`THROTTLE_PAUSE_MAX`). A row given back that way and refused the same way
again fails on its own, as any other. A comment that goes through ends the
streak: the next throttle pauses `THROTTLE_PAUSE` again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import RequestRejected
from photomanager.domain.models import PENALTY_POST, Claim, LogStatus
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.outcomes import StepOutcome, StepResult
from photomanager.services.worker_control import modify_control

logger = logging.getLogger(__name__)

THROTTLE_BURST = 3
THROTTLE_PAUSE = timedelta(minutes=15)
THROTTLE_PAUSE_MAX = timedelta(hours=4)
# The start of `last_error` on rows an action throttle gave back (see `ThrottleBurst.observe`).
THROTTLE_RETURNED = "queued again after DeviantArt throttled comment posting"


class ThrottleBurst:
    """Watches refused POSTs for a burst; answers one with a doubling pause."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        # POSTs refused in a row: (deviation id, (error, error_code)).
        self._rejections: list[tuple[str, tuple[str | None, int | None]]] = []
        # Whether an action-throttle streak may need clearing at the next success.
        self._post_streak_unchecked = True

    def clear(self) -> None:
        """Something else than a refusal happened: the burst so far is broken."""
        self._rejections.clear()

    def observe(self, claim: Claim, exc: RequestRejected) -> StepResult | None:
        """The result of an action throttle if this refusal completes a burst, else None."""
        key = (exc.error, exc.error_code)
        if (claim.item.last_error or "").startswith(THROTTLE_RETURNED):
            # Given back by a throttle once and refused the same way on its own: the row.
            self._rejections.clear()
            return None
        if self._rejections and (
            self._rejections[-1][1] != key
            or any(d == claim.deviationid for d, _ in self._rejections)
        ):
            self._rejections.clear()
        self._rejections.append((claim.deviationid, key))
        if len(self._rejections) < THROTTLE_BURST:
            return None
        earlier = [d for d, _ in self._rejections[:-1]]
        self._rejections.clear()
        return self._action_throttled(claim, exc, earlier)

    def _action_throttled(
        self, claim: Claim, exc: RequestRejected, earlier: list[str]
    ) -> StepResult:
        """Give the burst's rows back (attempts returned) and pause posting, doubling."""
        now = self._clock.now()
        what = f"HTTP {exc.status} {exc.error or 'error'}"
        if exc.error_code is not None:
            what += f", error_code {exc.error_code}"
        count = len(earlier) + 1
        with self._uow_factory() as uow:
            row = uow.penalties.get_many([PENALTY_POST]).get(PENALTY_POST)
            streak = (row.streak if row is not None else 0) + 1
            pause = min(THROTTLE_PAUSE * 2 ** min(streak - 1, 16), THROTTLE_PAUSE_MAX)
            until = now + pause
            reason = (
                f"DeviantArt throttled comment posting ({what} on {count} posts in a row): "
                f"paused until {until:%H:%M} UTC; those {count} comments were queued again "
                "without counting an attempt"
            )
            row_reason = f"{THROTTLE_RETURNED} ({what}); tried again after {until:%H:%M} UTC"
            uow.penalties.impose(PENALTY_POST, until, reason, now, streak=streak)
            for deviationid in earlier:
                if uow.queue.unfail(deviationid, row_reason, now):
                    uow.logs.append(
                        deviationid=deviationid,
                        status=LogStatus.FAILED,
                        now=now,
                        error_message=f"{row_reason} (not counted as an attempt)",
                    )
            released = uow.queue.release(claim, now, reason=row_reason)
            if released:
                uow.logs.append(
                    deviationid=claim.deviationid,
                    status=LogStatus.FAILED,
                    now=now,
                    error_message=f"{row_reason} (not counted as an attempt)",
                )
            uow.commit()
        logger.warning("%s", reason)
        self._post_streak_unchecked = True
        modify_control(
            self._uow_factory,
            lambda c: replace(
                c,
                consecutive_failures=max(0, c.consecutive_failures - len(earlier)),
                updated_at=now,
            ),
        )
        return StepResult(
            StepOutcome.PAUSED, deviationid=claim.deviationid, error=reason, pause_until=until
        )

    def end_post_streak(self) -> None:
        """A comment went through: the next action throttle pauses 15 minutes again."""
        if not self._post_streak_unchecked:
            return
        self._post_streak_unchecked = False
        with self._uow_factory() as uow:
            row = uow.penalties.get_many([PENALTY_POST]).get(PENALTY_POST)
            if row is not None and row.streak:
                uow.penalties.clear(PENALTY_POST, self._clock.now())
                uow.commit()
