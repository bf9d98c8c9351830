"""`Turns`: the shared waits and turns that `DeviantArtHttpClient` obeys before each attempt.

Waits outlive the process (`penalties.py`): before each attempt the client
reads the shared waits of its scopes and obeys them - a wait it may block on
(within the Retry-After cap, and a POST's budget) is waited out, a longer one
raises at once without sending (`RateLimited` with `status` None, or
`EdgeBlocked` with `retry_at`). It writes them: a 429 imposes its Retry-After,
or without one the learned spacing as a cool-off, and stores that spacing;
the CDN's 403 imposes a pause of `edge_pause_s`, doubling per block in a row
up to `edge_pause_max_s`, cleared by the next success.

Then it takes its token's turn: one atomic reservation of "no other request of
this token before now + the learned spacing", waiting first for a turn another
sender holds. The client owns one `Turns` and hands it its waiting (the stop
event, or the injected sleep) and its deadline check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from photomanager.deviantart.penalties import PenaltyStore
from photomanager.deviantart.retry import AdaptiveDelay, RetryPolicy
from photomanager.domain.clock import Clock
from photomanager.domain.errors import EdgeBlocked, RateLimited
from photomanager.domain.models import (
    PENALTY_CLIENT,
    PENALTY_EDGE,
    PENALTY_NEXT_CLIENT,
    PENALTY_NEXT_USER,
    PENALTY_PACE,
    PENALTY_USER,
    TURN_AHEAD_MAX,
    Penalty,
    TokenKind,
)

logger = logging.getLogger(__name__)

REASON_SPACING = "DeviantArt's recommended delay between two requests"

# Blocks for that many seconds (raises `Cancelled` when stopped).
Wait = Callable[[float], None]
# Raises `PostDeadlinePassed` when an attempt starting at the second argument (None: now)
# could still run after the deadline (the first).
DeadlineCheck = Callable[[datetime | None, datetime | None], None]


class Turns:
    """The shared waits and turns of one client's requests (owned by `DeviantArtHttpClient`)."""

    def __init__(
        self,
        penalties: PenaltyStore,
        delay: AdaptiveDelay,
        policy: RetryPolicy,
        clock: Clock,
        *,
        wait: Wait,
        check_deadline: DeadlineCheck,
    ) -> None:
        """`delay` is the client's (shared by the clients of one account); `wait` its waiting."""
        self._penalties = penalties
        self._delay = delay
        self._policy = policy
        self._clock = clock
        self._wait = wait
        self._check_deadline = check_deadline
        # When the stored spacing was last adopted or written (see `obey`).
        self._pace_seen: datetime | None = None
        self._edge_streak = 0

    def spare_turn(self, before: datetime, token_kind: TokenKind = TokenKind.USER) -> bool:
        """Whether one request of `token_kind` may start now and leave `before` untouched.

        See `DeviantArtHttpClient.spare_turn`. One short read.
        """
        rate_scope = rate_scope_of(token_kind)
        next_scope = _next_scope(rate_scope)
        scopes = [PENALTY_EDGE, *[s for s in (rate_scope, next_scope) if s is not None]]
        rows = self._penalties.get_many(scopes)
        now = self._clock.now()
        if any(row.active(now) for row in rows.values()):
            return False
        return now + timedelta(seconds=self._delay.current()) <= before

    def obey(
        self,
        method: str,
        rate_scope: str | None,
        waited: float,
        covered: datetime | None,
        turn: list[datetime],
        deadline: datetime | None = None,
    ) -> float:
        """Obey the shared waits before an attempt, then take the turn: the seconds waited.

        Raises unsent when a wait is too long to block on, or would leave no time for
        an attempt before `deadline`. `covered`: our own retry wait (never shorter than
        the wait we imposed) ran until then; a rate-limit wait ending by then is over.
        """
        next_scope = _next_scope(rate_scope)
        scopes = [PENALTY_EDGE, PENALTY_PACE, *[s for s in (rate_scope, next_scope) if s]]
        rows = self._penalties.get_many(scopes)
        now = self._clock.now()
        self._adopt_pace(rows.get(PENALTY_PACE))
        edge = rows.get(PENALTY_EDGE)
        self._edge_streak = edge.streak if edge is not None else 0
        if edge is not None and edge.not_before is not None and edge.not_before > now:
            raise EdgeBlocked(edge_reason(edge.not_before), retry_at=edge.not_before)
        rate = rows.get(rate_scope) if rate_scope else None
        spent = 0.0
        # When our own waits end (a clock that moves only when told to, in tests, is
        # not behind them): the turn is taken from then.
        at = max(now, covered or now)
        if (
            rate is not None
            and rate.not_before is not None
            and rate.not_before > now
            and (covered is None or rate.not_before > covered)
        ):
            spent += self._block(method, waited, rate.not_before, rate.reason, deadline)
            at = max(at, rate.not_before)
        running = rows.get(next_scope) if next_scope else None
        if spent == 0 and self._delay.current() <= 0 and not (running and running.active(at)):
            # No spacing to keep (the floor lifted, nothing learned) and no other sender's
            # turn running: a reservation would be one more locked write per request for
            # nothing (eight zero-paced workers queued on that one row lock).
            return spent
        return spent + self._take_turn(method, rate_scope, waited + spent, at, turn, deadline)

    def on_success(self) -> None:
        """A request went through: the CDN's block streak, if any, is over."""
        if self._edge_streak:
            self._edge_streak = 0
            self._penalties.clear(PENALTY_EDGE, self._clock.now())

    def impose_after_429(self, rate_scope: str | None, retry_after: float | None) -> None:
        """Share the wait a 429 imposed: its Retry-After, else our cool-off."""
        now = self._clock.now()
        spacing = self._delay.current()
        self._penalties.record_spacing(PENALTY_PACE, spacing, now)
        self._pace_seen = now
        if rate_scope is None:
            return
        if retry_after is not None:
            reason = "DeviantArt's Retry-After"
            until = now + timedelta(seconds=retry_after)
        else:
            reason = "DeviantArt's rate limit (429, no Retry-After): cooling off"
            until = now + timedelta(seconds=self._delay.cool_off())
        self._penalties.impose(rate_scope, until, reason, now)

    def impose_edge_pause(self) -> datetime:
        """Pause every process after the CDN's 403: 5 min, doubling per block, up to 1 h."""
        now = self._clock.now()
        current = self._penalties.get_many([PENALTY_EDGE]).get(PENALTY_EDGE)
        streak = (current.streak if current is not None else 0) + 1
        pause = min(
            self._policy.edge_pause_s * 2 ** min(streak - 1, 16), self._policy.edge_pause_max_s
        )
        row = self._penalties.impose(
            PENALTY_EDGE,
            now + timedelta(seconds=pause),
            "DeviantArt's network refused this machine",
            now,
            streak=streak,
        )
        self._edge_streak = streak
        return row.not_before or now + timedelta(seconds=pause)

    def _block(
        self,
        method: str,
        waited: float,
        until: datetime,
        reason: str,
        deadline: datetime | None = None,
    ) -> float:
        """Wait until `until` if we may block that long (else raise unsent); seconds waited."""
        remaining = (until - self._clock.now()).total_seconds()
        if remaining <= 0:
            return 0.0
        if remaining > self._policy.retry_after_cap_s or self._policy.over_post_budget(
            method, waited, remaining
        ):
            raise RateLimited(
                f"not sent: {reason} until {until:%H:%M:%S} UTC", retry_after=remaining
            )
        # Waiting and then finding the deadline passed would spend the wait for nothing
        # (and a turn the next request could have used): the caller comes back in time.
        self._check_deadline(deadline, until)
        logger.info("waiting %.1fs: %s", remaining, reason)
        self._wait(remaining)
        return remaining

    def _take_turn(
        self,
        method: str,
        rate_scope: str | None,
        waited: float,
        at: datetime,
        turn: list[datetime],
        deadline: datetime | None = None,
    ) -> float:
        """Reserve the scope's next turn (from `at` + spacing), waiting for the one that runs.

        Every request of a token takes a turn, whatever process sends it: reads, polls
        and posts share the budget DeviantArt counts, and a restarted process keeps
        its predecessor's last turn. Atomic, so two senders never take the same turn.
        A retry is spaced by the retry policy, so the turn its own earlier attempt took
        (`turn`, updated here) never holds it; a turn another sender took does.
        """
        next_scope = _next_scope(rate_scope)
        if next_scope is None:
            return 0.0
        spent = 0.0
        # Never without a turn: going anyway after a few lost races sent a read in the
        # same instant as a post (measured: 7 of 118 POSTs throttled). Each lost race
        # waits for the turn that won it, so this ends; a POST's budget bounds it too.
        while True:
            spacing = timedelta(seconds=self._delay.current())
            ends = self._penalties.reserve(next_scope, at + spacing, REASON_SPACING, at)
            if ends is None:
                turn[:] = [at + spacing]
                return spent
            if ends - self._clock.now() > TURN_AHEAD_MAX:
                # No sender reserves further ahead than one spacing: this turn was taken on
                # a clock ahead of ours (another host, a skewed process). Waiting for it
                # would stall every request; it is taken from now instead.
                self._penalties.clear(next_scope, self._clock.now())
                continue
            if not turn or ends != turn[0]:
                spent += self._block(method, waited + spent, ends, REASON_SPACING, deadline)
                spent += self._their_cool_off(method, rate_scope, waited + spent, deadline)
            at = max(self._clock.now(), ends)

    def _their_cool_off(
        self, method: str, rate_scope: str | None, waited: float, deadline: datetime | None
    ) -> float:
        """After waiting out another sender's turn: obey the 429 it may have met meanwhile.

        The waits were read before that turn ended; a read sent right after a post that
        was throttled went inside the post's cool-off, was throttled too, and doubled it
        (measured on the real clock: 12.5 s lost where one cool-off is 6 s).
        """
        if rate_scope is None:
            return 0.0
        rows = self._penalties.get_many([PENALTY_PACE, rate_scope])
        self._adopt_pace(rows.get(PENALTY_PACE))
        rate = rows.get(rate_scope)
        if rate is None or rate.not_before is None:
            return 0.0
        return self._block(method, waited, rate.not_before, rate.reason, deadline)

    def _adopt_pace(self, pace: Penalty | None) -> None:
        """Start from the spacing another process (or our predecessor) learned."""
        if pace is None or pace.spacing_s is None or pace.updated_at is None:
            return
        if self._pace_seen is not None and pace.updated_at <= self._pace_seen:
            return
        self._pace_seen = pace.updated_at
        self._delay.adopt(pace.spacing_s)


def edge_reason(retry_at: datetime) -> str:
    """Plain words for the CDN's block, with when the next try is."""
    return (
        'DeviantArt\'s network refused this machine (an HTML 403 "Request blocked." '
        "from the network in front of DeviantArt, not a decision about the account); "
        f"nothing was sent; next try at {retry_at:%H:%M:%S} UTC"
    )


def rate_scope_of(token_kind: TokenKind | None) -> str | None:
    """The scope whose 429 penalties a request obeys and extends."""
    if token_kind is TokenKind.USER:
        return PENALTY_USER
    if token_kind is TokenKind.CLIENT:
        return PENALTY_CLIENT
    return None


def _next_scope(rate_scope: str | None) -> str | None:
    """The scope that keeps when the next request of `rate_scope` may start."""
    return {PENALTY_USER: PENALTY_NEXT_USER, PENALTY_CLIENT: PENALTY_NEXT_CLIENT}.get(
        rate_scope or ""
    )
