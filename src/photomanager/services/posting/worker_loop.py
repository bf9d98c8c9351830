"""The worker loop: steps, waits, desired state, heartbeats and housekeeping.

Housekeeping, every HOUSEKEEPING_EVERY: expire stale claims, put dry-run rows
back, reconcile `unknown` rows; and, when the last pass of any process is an
hour old, prune what expired (`services/upkeep/housekeeping.py`, in small batches).

The loop obeys the desired state in the database: a small watcher thread polls
it every quarter second and sets the stop Event, which also interrupts the
DeviantArt client's own waits (Retry-After) because they share that Event.
Before each step it also obeys the waits kept in the database for every
process (`Penalty`: a Retry-After or cool-off on the account, the CDN's block,
an action throttle on posting), so a restarted worker claims nothing inside
a wait its predecessor was given. Status always says what the worker waits
for and until when.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from photomanager.domain import pacing
from photomanager.domain.clock import Clock
from photomanager.domain.errors import DeviantArtError, NotConnected
from photomanager.domain.models import (
    PENALTY_EDGE,
    PENALTY_NEXT_USER,
    PENALTY_POST,
    PENALTY_USER,
    TURN_AHEAD_MAX,
    CommentSettings,
    Penalty,
    WorkerControl,
    WorkerDesired,
)
from photomanager.services.account.identity import lookup_me
from photomanager.services.ports import DeviantArtApi, UnitOfWorkFactory
from photomanager.services.posting.outcomes import QUIET_OUTCOMES, StepOutcome, StepResult
from photomanager.services.posting.reconcile import Reconciler
from photomanager.services.upkeep.housekeeping import Housekeeping
from photomanager.services.worker_control import (
    STATE_PAUSED,
    STATE_RUNNING,
    STATE_STOPPED,
    STATE_WAITING,
    modify_control,
    read_control,
    report_progress,
)

logger = logging.getLogger(__name__)

IDLE_POLL = timedelta(seconds=10)  # how often an empty queue is looked at again
# How often a full review backlog is looked at again: an approval on the page should be
# posted at the next turn, not up to IDLE_POLL later (a database read, nothing sent).
REVIEW_POLL = timedelta(seconds=1)
ERROR_BACKOFF = timedelta(seconds=30)  # after an unexpected error (database down, bug)
HOUSEKEEPING_EVERY = timedelta(seconds=30)  # expire claims, reconcile unknown rows
HOUSEKEEPING_ROOM = timedelta(seconds=1)  # done in a wait at least this long, if one comes
# A step may begin this long before the spacing after the last request ends.
STEP_LEAD = timedelta(seconds=0.5)
MAX_WAIT_CHUNK_S = 5.0  # re-read settings and heartbeat at least this often
WATCHER_JOIN_TIMEOUT_S = 5.0
WATCH_INTERVAL_S = 0.25  # desired-state polling: stop within a second

REASON_API_DELAY = "DeviantArt's recommended delay"
REASON_RETRY_AFTER = "Retry-After"
REASON_IDLE = "queue empty"
REASON_RATE_LIMITED = "rate limited"
# The shared waits a worker obeys before a step, and the state it reports meanwhile.
_OBEYED = (
    (PENALTY_EDGE, STATE_PAUSED),
    (PENALTY_POST, STATE_PAUSED),
    (PENALTY_USER, STATE_WAITING),
    (PENALTY_NEXT_USER, STATE_WAITING),
)


def step_may_start(
    scope: str, penalty: Penalty, now: datetime, *, lead: timedelta = STEP_LEAD
) -> datetime | None:
    """When the shared wait `penalty` of `scope` lets the next step start (None: it does not).

    The account's next turn (`PENALTY_NEXT_USER`) lets it start `lead` early: the spacing
    runs from the start of the last request to the start of the next, so the step's
    database work before its request fits inside it (the client waits what is left)
    instead of being added to every gap. A turn taken on a clock ahead of ours does not
    hold it: the client takes that turn afresh.
    """
    until = penalty.not_before
    if until is None or scope != PENALTY_NEXT_USER:
        return until
    if until - now > TURN_AHEAD_MAX:
        return None
    return until - lead


def _words(penalty: Penalty) -> str:
    """A shared wait as status shows it: its reason and when it ends."""
    until = penalty.not_before
    if until is None or "next try at" in penalty.reason or "until" in penalty.reason:
        return penalty.reason
    return f"{penalty.reason}; next try at {until:%H:%M:%S} UTC"


def default_sleep(stop: threading.Event, seconds: float) -> bool:
    """Wait up to `seconds`; True when stopped meanwhile."""
    return stop.wait(seconds)


def describe_wait(seconds: float) -> str:
    """Human words for a wait: "74 s", "12 min", "2 h 5 min"."""
    total = max(0, math.ceil(seconds))
    if total < 120:
        return f"{total} s"
    minutes = math.ceil(total / 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


class DesiredStateWatcher:
    """Sets `stop` as soon as the desired state in the database is `stopped`."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, stop: threading.Event, interval: float
    ) -> None:
        self._uow_factory = uow_factory
        self._stop = stop
        self._interval = interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="worker-watcher", daemon=True)

    def __enter__(self) -> DesiredStateWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        # A daemon thread: if the database hangs in a read, shutting down does not wait for it.
        self._thread.join(WATCHER_JOIN_TIMEOUT_S)

    def _watch(self) -> None:
        while not self._done.wait(self._interval):
            try:
                desired = read_control(self._uow_factory).desired
            except Exception:
                logger.exception("cannot read the desired worker state")
                continue
            if desired is not WorkerDesired.RUNNING:
                self._stop.set()
                return


class LoopedWorker(Protocol):
    """What the loop drives: one step at a time (`CommentWorker` is the one we have).

    A protocol, so the loop does not import the worker that runs it.
    """

    @property
    def reconciler(self) -> Reconciler:
        """Settles `unknown` rows during housekeeping."""
        ...

    def run_once(self, stop: threading.Event | None = None) -> StepResult:
        """Claim, render, post and record at most one row."""
        ...

    def requeue_dry_run(self) -> int:
        """Put rows a dry run set aside back in the queue once dry run is off."""
        ...


class WorkerLoop:
    """Runs `LoopedWorker.run_once` under pacing until told to stop."""

    def __init__(
        self,
        *,
        worker: LoopedWorker,
        uow_factory: UnitOfWorkFactory,
        api: DeviantArtApi,
        clock: Clock,
        rng: random.Random,
        sleep: Callable[[threading.Event, float], bool] | None = None,
        poll_interval: float = WATCH_INTERVAL_S,
        max_wait_chunk: float = MAX_WAIT_CHUNK_S,
        idle_task: Callable[[threading.Event, datetime], bool] | None = None,
    ) -> None:
        """`idle_task(stop, until)`: work that may use a wait and ends before `until` (the
        inbox poll); True when it did some (the wait is then planned afresh)."""
        self._worker = worker
        self._idle_task = idle_task
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self._rng = rng
        self._sleep = sleep or default_sleep
        self._poll_interval = min(poll_interval, 0.5)
        self._max_wait_chunk = max_wait_chunk
        # The earliest next step decided by the previous one, and why.
        self._not_before: datetime | None = None
        self._wait_reason = ""
        self._wait_state = STATE_WAITING
        self._last_housekeeping: datetime | None = None
        self._pruning = Housekeeping(uow_factory=uow_factory, clock=clock)

    def run(self, stop: threading.Event) -> None:
        """Loop until the desired state is `stopped` or `stop` is set."""
        with DesiredStateWatcher(self._uow_factory, stop, self._poll_interval):
            try:
                self._loop(stop)
            finally:
                self._exit()

    def _loop(self, stop: threading.Event) -> None:
        report_progress(
            self._uow_factory,
            self._clock.now(),
            state=STATE_RUNNING,
            reason="started",
            waiting_until=None,
        )
        while not stop.is_set():
            started = self._clock.now()
            if read_control(self._uow_factory).desired is not WorkerDesired.RUNNING:
                return
            try:
                self._housekeeping(stop)
                if self._wait_if_needed(stop):
                    continue
                report_progress(
                    self._uow_factory,
                    self._clock.now(),
                    state=STATE_RUNNING,
                    reason="posting",
                    waiting_until=None,
                )
                result = self._worker.run_once(stop)
                logger.debug(
                    "step from %s: %s%s",
                    f"{started:%H:%M:%S.%f}",
                    result.outcome.value,
                    " (posted)" if result.posted else "",
                )
                self._after(result, started)
            except Exception:
                # Keep the worker alive through a database hiccup or a bug; say so.
                logger.exception("worker step failed")
                self._set_wait(self._clock.now() + ERROR_BACKOFF, "unexpected error, see logs")

    def spare_turn(self) -> bool:
        """Whether a request that is not a post (a message poll) may go now.

        True only inside a wait for the next post's turn, when the spacing DeviantArt
        needs after one more request of the user token ends by that turn: the post is
        neither delayed nor pushed into a 429. Call it from the loop's thread, between
        steps; a False means "not now", never "never".
        """
        turn = self._not_before
        return turn is not None and self._api.spare_turn(turn)

    def _housekeeping(self, stop: threading.Event) -> None:
        now = self._clock.now()
        last = self._last_housekeeping
        due = last is None or now - last >= HOUSEKEEPING_EVERY
        # Inside a wait, never between its end and the post it was waiting for (the post
        # would go out late); unless posting leaves no such room for too long.
        at_a_turn = self._not_before is None or self._not_before - now < HOUSEKEEPING_ROOM
        overdue = last is None or now - last >= 2 * HOUSEKEEPING_EVERY
        if not due or (at_a_turn and not overdue):
            return
        self._last_housekeeping = now
        reconciler = self._worker.reconciler
        reconciler.expire_claims()
        self._worker.requeue_dry_run()
        self._prune_if_due(stop)
        with self._uow_factory(read_only=True) as uow:
            has_unknown = bool(uow.queue.list_unknown(1))
        if not has_unknown:
            return
        try:
            me = lookup_me(self._uow_factory, self._api, required=True)
        except (DeviantArtError, NotConnected) as exc:
            # The next step meets the same problem and pauses the worker with its reason.
            logger.warning("cannot reconcile now: %s", exc.code)
            return
        reconciler.reconcile_all(me, stop)

    def _prune_if_due(self, stop: threading.Event) -> None:
        """Prune expired rows when due; a failure here never holds up posting."""
        try:
            self._pruning.run_if_due(stop)
        except Exception:
            logger.exception("housekeeping failed; it is tried again at the next round")

    def _wait_if_needed(self, stop: threading.Event) -> bool:
        """Wait (one chunk) if caps, window, pacing or a pause say so; True when it waited."""
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            settings = uow.settings.get()
            decision = pacing.plan_next_post_counted(settings, now, uow.logs)
            penalties = uow.penalties.get_many([scope for scope, _ in _OBEYED])
        target, reason, state = decision.not_before, decision.reason, STATE_WAITING
        if self._not_before is not None and self._not_before > target:
            target, reason, state = self._not_before, self._wait_reason, self._wait_state
        for scope, scope_state in _OBEYED:
            penalty = penalties.get(scope)
            until = step_may_start(scope, penalty, now) if penalty is not None else None
            if penalty is not None and until is not None and until > max(now, target):
                target, reason, state = until, _words(penalty), scope_state
        if target <= now:
            return False
        seconds = (target - now).total_seconds()
        logger.debug("wait %.3fs until %s (%s)", seconds, f"{target:%H:%M:%S.%f}", reason)
        report_progress(
            self._uow_factory,
            now,
            state=state,
            reason=f"waiting {describe_wait(seconds)} ({reason})",
            waiting_until=target,
        )
        # Work that is not a post (the inbox poll) goes only on a spare turn: one that the
        # spacing after it leaves the post's turn untouched.
        if (
            self._idle_task is not None
            and self._api.spare_turn(target)
            and self._idle_task(stop, target)
        ):
            return True
        self._sleep(stop, min(seconds, self._max_wait_chunk))
        return True

    def _after(self, result: StepResult, started: datetime) -> None:
        """Decide the earliest next step from what the last one (begun at `started`) did."""
        now = self._clock.now()
        if result.outcome is StepOutcome.PAUSED and result.pause_until is not None:
            self._set_wait(result.pause_until, result.error or REASON_RATE_LIMITED, STATE_PAUSED)
        elif result.outcome is StepOutcome.IDLE:
            reason = REASON_IDLE if result.error is None else f"DeviantArt: {result.error}"
            wait = IDLE_POLL
            if result.retry_after is not None:
                # Honour Retry-After (jittered up, so workers do not all return at once):
                # asking again early lengthens DeviantArt's penalty.
                jitter = self._rng.uniform(0, max(1.0, result.retry_after * 0.1))
                wait = max(wait, timedelta(seconds=result.retry_after + jitter))
            self._set_wait(now + wait, reason)
        elif result.outcome is StepOutcome.REVIEW_FULL:
            self._set_wait(now + REVIEW_POLL, result.error or "comments await your review")
        elif result.posted:
            self._pace_after_post(result, now, started)
        elif result.outcome in QUIET_OUTCOMES:
            # Nothing reached DeviantArt: the next step may come at once, and the turn of
            # the next post (kept in `_not_before`) is neither moved nor taken by this one.
            return
        else:
            self._not_before = None

    def _pace_after_post(self, result: StepResult, now: datetime, started: datetime) -> None:
        with self._uow_factory(read_only=True) as uow:
            settings: CommentSettings = uow.settings.get()
        # DeviantArt's delay spaces the starts of two requests, and so does the artist's
        # interval (comments that far apart). Both count from the start of this step, not
        # from its end, so our own database work is never added to either: otherwise
        # every post costs interval + step time. A step that waited inside the client (a
        # retry, a cool-off) sent its last request that much later: the spacing runs from
        # that request, never from before the wait.
        anchor = started + timedelta(seconds=max(0.0, self._api.waited_in_last_request()))
        # Only the drawn interval is remembered: caps and active hours are planned afresh
        # before every wait chunk, so raising a cap or widening the hours takes effect at once.
        paced = pacing.PacingDecision(
            not_before=anchor + timedelta(seconds=pacing.draw_interval(settings, self._rng)),
            reason=pacing.REASON_PACING,
        )
        # The client holds the request itself until DeviantArt's spacing after this one has
        # passed (the turn it reserved when it sent): the next step may begin a little
        # earlier, so its own database work (claim, render, commit the body) is done by then
        # instead of being added to the gap whenever it takes longer than this step's did.
        api_delay = timedelta(seconds=self._api.get_recommended_delay()) - STEP_LEAD
        options = [(paced.not_before, paced.reason), (anchor + api_delay, REASON_API_DELAY)]
        if result.retry_after is not None:
            options.append((now + timedelta(seconds=result.retry_after), REASON_RETRY_AFTER))
        target, reason = max(options, key=lambda option: option[0])
        self._set_wait(target, reason)

    def _set_wait(self, until: datetime, reason: str, state: str = STATE_WAITING) -> None:
        self._not_before, self._wait_reason, self._wait_state = until, reason, state

    def _exit(self) -> None:
        """Report `stopped` unless a step already left a more telling state."""
        now = self._clock.now()

        def change(control: WorkerControl) -> WorkerControl:
            # Decided on the row read locked: another worker may have just written why it stopped.
            if control.state in (STATE_RUNNING, STATE_WAITING) or (
                control.state == STATE_PAUSED and control.desired is WorkerDesired.RUNNING
            ):
                reason = "stopped by request"
                if control.desired is WorkerDesired.RUNNING:
                    reason = "stopped (worker shut down)"
                return replace(
                    control, state=STATE_STOPPED, reason=reason, waiting_until=None, updated_at=now
                )
            return control

        try:
            modify_control(self._uow_factory, change)
        except Exception:
            logger.exception("cannot record that the worker stopped")
