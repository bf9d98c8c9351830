"""Retry policy, backoff and the adaptive recommended delay of the DeviantArt client.

`AdaptiveDelay` learns the spacing DeviantArt allows instead of oscillating
around a guess. DeviantArt (like the sandbox) limits with something that
behaves like a token bucket: a small burst, then a steady rate R. A 429 says
"faster than R", a success says nothing on its own; the only honest measure
of R is how many requests succeeded over a stretch of time in which we were
sending at or above it. Hence:

- On a 429, estimate R from the successes of the last few seconds
  (`estimate_window_s`) of the "clean" stretch since the previous 429, once
  that stretch is long enough (`clean_span_s`, `clean_successes`): only its
  end was sent at or above R, its start was spent probing up from below,
  and counting it would drag the estimate (and us) under the limit for a
  long while. A shorter stretch (warm-up) gives a rough estimate instead:
  all successes in the sliding window divided by its span, waits included,
  which errs low. The new spacing is (1 + margin) / R, never below the
  spacing that just drew the 429 (both are starts of requests: the worker
  counts the delay from the start of its step, so its own step time is not
  added twice).
- Warm-up: the first 429 usually ends the starting burst, which drained the
  bucket far faster than R and so says nothing about R except the burst
  size n1 over t1 seconds (n1 = burst + R * t1). After that 429 the spacing
  restarts near the pace the pause refilled (n1 / pause) and shrinks a few
  per cent per success until the next 429. Over any stretch of that ramp
  ending at that 429, successes <= burst + R * stretch, hence
  R >= (successes - n1) / (stretch - t1), tight for the stretch that starts
  where the ramp went past R: the second 429 then gives a clean estimate,
  instead of another burst and a rough one to probe up from.
- Retry-After is honoured by the client before the retry, but it is not
  used as the spacing: DeviantArt and the sandbox send whole seconds, which
  says nothing about a sub-second rate.
- After that, probe: every success shrinks the spacing by `probe_per_s`
  per second of sending (faster after a rough estimate), and that rate
  grows the longer no 429 comes (`probe_speedup_s`): a 429 costs one retry
  of a request that surely did not land, while a spacing stuck a few per
  cent too wide costs those per cent for good; and a limit that was raised
  is found again.
- Only a storm grows hard: a 429 with fewer than `storm_successes`
  successes since the previous one at least doubles the spacing, as
  DeviantArt's docs advise for repeated throttling (factor 2).
- Never below the configured floor (`delay_floor_s`, 1 s by default: a
  careful artist never needs faster), never above `delay_max_s`.

DeviantArt itself sends no Retry-After (staff, #266): its limit is a velocity
filter, "at most N requests in any W seconds", and requests made while
throttled lengthen the penalty. A 429 without Retry-After is learned from
differently (`on_rate_limited(server_said=False)`), with a model of the
sliding window (`velocity.WindowModel`):

- A 429 straight after another 429 fell inside the penalty: it says nothing
  about the pace, only the wait before the next try grows (`cool_off()`,
  doubling, the docs' exponential backoff). It starts at two spacings (at
  least 2 s): a trip a little too fast leaves a short penalty, often longer
  than one spacing. The trip that ends a cold start's burst leaves the window
  full of that burst: the first cool-off then lasts as long as the burst took
  (at most `velocity_burst_cool_off_max_s`), where doubling from 2 s sent 4-5
  requests into a 30 s penalty that each of them restarted. The client keeps
  that wait in the shared store, so no process of ours (a restarted one
  included) sends into it.
- The first 429 after a success is a trip: N or more of our successes lay
  in the last W seconds. Every success says fewer than N did. For each W of
  a grid these bound N from both sides; the Ws still possible give a safe
  spacing (the slowest W / N they allow: the limit is no slower) and a
  known-too-fast one. After the first trip, the spacing is the safe one
  once the two are within `velocity_margin`; until then it probes at their
  geometric mean, never more than `velocity_probe_depth` (7%) under the safe
  one nor under the spacing that last tripped (30% while the known-too-fast
  end is far below, as after a burst at no spacing). A probe that holds for
  a window of successes lowers the safe end; one that trips raises the fast
  end. Shallow on purpose: a trip costs a 429 and its penalty, a few per cent
  of pace are not worth it. And just shallow enough that one trip ends the
  learning: a probe lies at most 3.6% under the safe end (the geometric mean
  with a point 7% under it), so a probe that trips leaves the two ends
  within the 4% margin and the spacing goes to the safe end and stays there
  (1 - depth >= 1 / (1 + margin)**2). At 10% the probe went 5.1% under: a
  trip left the ends 5.4% apart and the next probe, 2.6% under, tripped
  again whenever the safe end had come that close to the limit (6 per 10 s,
  steps jittered as on the wall clock: 3 x 429 in the first 5 minutes in 9
  of 30 replays). On the wall clock at 30 per 60 s a cold start cost 3 x 429
  in 5 minutes (2.05% of the POSTs): the burst, a probe 5% under, and the
  spacing that probe left (4% over it, still under the limit) once the model
  had lost its bracket (see `velocity`). Learning from a cold start at
  the 1 s floor costs the burst's trip and one probe's at 6 per 10 s and 30
  per 60 s. Slower limits cost more (1 per 5 s, 10 per minute: 4-6 in the
  first hour, as before): the burst's window outlasts its cool-off, and the
  first probe goes deep (`velocity_far_probe_depth`) and may leave a second.
- Right after the trip the spacing is the one that tripped plus the margin
  (at least `velocity_start_s`), until the model has a success to go by.
- Nothing fits any more (the limit changed): the model starts over.

Measured on a simulated clock against the sandbox's velocity filter
(`benchmarks/pacing.py`, no floor): 6 per 10 s, 30 per minute and 1 per 5 s
are held at 0.92-0.95 of the allowed pace with 4-7 throttled POSTs in 1,000,
most of them after the opening burst at no spacing at all.

Thread-safe: every method takes the lock. The clock is injectable
(monotonic seconds), so tests replay a token bucket deterministically.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from photomanager.deviantart.velocity import WindowModel


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Explicit httpx timeouts in seconds: never wait forever for DeviantArt."""

    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the client retries and how it paces itself. Defaults follow DeviantArt's docs."""

    # Retries after the first attempt (DeviantArt: "a maximum of three retries").
    max_retries: int = 3
    # Exponential backoff with full jitter: uniform(0, base * factor**n), capped.
    backoff_base_s: float = 1.0
    backoff_factor: float = 2.0
    backoff_max_s: float = 120.0
    # Floor of every wait between attempts, jittered or not.
    min_wait_s: float = 1.0
    # A Retry-After above this is not waited out in the client: it raises
    # RateLimited/ServiceUnavailable with the full value, so the worker pauses.
    retry_after_cap_s: float = 600.0
    # A POST holds a claimed queue row whose lease other workers will eventually
    # expire; its retries must not wait longer than this in total, or the row
    # could be taken over while we still intend to post. The worker retries later.
    post_wait_budget_s: float = 30.0
    # Jitter added on top of Retry-After (never subtracted from it).
    retry_after_jitter_s: float = 1.0
    # get_recommended_delay(): the spacing between requests (see AdaptiveDelay).
    delay_floor_s: float = 1.0
    delay_max_s: float = 300.0
    # A storm (429s with almost no success between them) multiplies the spacing.
    delay_growth: float = 2.0
    storm_successes: int = 3
    # Successes older than this are forgotten by the rate estimate.
    rate_window_s: float = 30.0
    # A stretch between two 429s gives a clean estimate once it is this long
    # (seconds and successes): then its starting burst credit hardly counts.
    clean_span_s: float = 3.0
    clean_successes: int = 10
    # Spacing = (1 + margin) / estimated rate.
    rate_margin: float = 0.03
    # The clean estimate counts the successes of this last part of the stretch,
    # widened to hold at least `estimate_successes` of them (a slow limit).
    estimate_window_s: float = 5.0
    estimate_successes: int = 50
    # Probing: the spacing shrinks by this fraction per second of sending, and
    # that fraction grows by its own value every `probe_speedup_s` without a 429.
    probe_per_s: float = 0.001
    fast_probe_per_success: float = 0.015
    probe_speedup_s: float = 60.0
    # Warm-up: after a first 429 that ended a burst, restart at this multiple of
    # burst / pause (what the bucket refilled, at most) and speed up by this
    # fraction per success until the next 429.
    warm_up_start_factor: float = 1.5
    warm_up_probe_per_success: float = 0.03
    # The burst-corrected warm-up estimate only trusts windows at least this long,
    # and is a lower bound already: no margin on top of it.
    warm_up_window_s: float = 1.5
    warm_up_margin: float = 0.0
    # 429s without Retry-After (a velocity filter, see the module docstring).
    velocity_margin: float = 0.04
    # A probe goes at most this far under the safe spacing. At most
    # 1 - 1 / (1 + velocity_margin)**2 (7.5%): then a probe that trips leaves the bracket
    # within the margin and learning ends at the safe end (see the module docstring).
    velocity_probe_depth: float = 0.07
    # ... and this far while the spacing known too fast is below this share of the safe one.
    velocity_far_probe_depth: float = 0.3
    velocity_far_below: float = 0.4
    # After a trip the spacing is at least this (the docs' backoff starts at 1-2 s).
    velocity_start_s: float = 1.0
    # The cool-off after the burst that opens a cold start lasts as long as the burst,
    # at most this long (see `AdaptiveDelay._velocity_rate_limited`).
    velocity_burst_cool_off_max_s: float = 60.0
    # The CDN's HTML 403: every process pauses this long, doubling per block in a row.
    edge_pause_s: float = 300.0
    edge_pause_max_s: float = 3600.0

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """The wait before retry `retry_number` (0-based) when the server gave no hint."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * self.backoff_factor**retry_number)
        return max(self.min_wait_s, rng.uniform(0.0, ceiling))

    def after_retry_after(self, retry_after: float, rng: random.Random) -> float:
        """The wait that honours a server's Retry-After: never less, jitter on top."""
        jitter = rng.uniform(0.0, self.retry_after_jitter_s) if self.retry_after_jitter_s else 0.0
        return max(self.min_wait_s, retry_after) + jitter

    def over_post_budget(self, method: str, waited: float, wait: float) -> bool:
        """True when a POST would wait past its budget (see `post_wait_budget_s`)."""
        return method != "GET" and waited + wait > self.post_wait_budget_s


class AdaptiveDelay:
    """The spacing between requests, learned from 429s (see the module docstring)."""

    def __init__(self, policy: RetryPolicy, monotonic: Callable[[], float] | None = None) -> None:
        self._policy = policy
        self._now = monotonic or time.monotonic
        self._lock = threading.Lock()
        self._delay = policy.delay_floor_s
        self._probe = policy.probe_per_s
        self._rate: float | None = None
        self._successes: deque[float] = deque()
        self._first_seen: float | None = None
        self._last_429: float | None = None
        # Successes since the last 429, and when the first of them came.
        self._clean_count = 0
        self._clean_since: float | None = None
        # Successes before the first 429, an upper bound of the bucket's burst; and
        # whether we are ramping up from the pace it refilled at (see `on_success`).
        self._burst: tuple[int, float] | None = None
        self._ramping = False
        # Velocity mode (the last 429 had no Retry-After): the spacing that last tripped,
        # and the wait after a 429 (it doubles while 429s come with no success between).
        self._velocity = False
        self._too_fast: float | None = None
        self._cool_off: float | None = None
        self._model = WindowModel()

    def adopt(self, spacing_s: float) -> None:
        """Start from a spacing learned elsewhere (another process, our predecessor)."""
        p = self._policy
        with self._lock:
            self._delay = min(p.delay_max_s, max(self._delay, spacing_s, p.delay_floor_s))

    def cool_off(self) -> float:
        """The wait before the next request after a 429 (see the module docstring)."""
        with self._lock:
            return max(self._delay, self._cool_off or 0.0)

    def current(self) -> float:
        """The delay in seconds to leave between two requests."""
        with self._lock:
            return self._delay

    def estimated_rate(self) -> float | None:
        """Requests per second the last 429 suggested DeviantArt allows (None before one)."""
        with self._lock:
            return self._rate

    def on_success(self) -> None:
        """A success: remember it, and probe (shrink the spacing a little)."""
        p = self._policy
        with self._lock:
            if self._velocity:
                self._velocity_success()
                return
            now = self._now()
            self._model.success(now)
            self._seen(now)
            self._successes.append(now)
            self._forget(now)
            self._clean_count += 1
            if self._clean_since is None:
                self._clean_since = now
                if self._ramping and self._burst and self._last_429 is not None:
                    # The pause refilled at most the burst, so burst / pause is near or
                    # under the rate: a start for the ramp that wastes little.
                    burst = max(self._burst[0], 1)
                    pace = (now - self._last_429) / (burst * p.warm_up_start_factor)
                    self._delay = min(p.delay_max_s, max(p.delay_floor_s, self._delay, pace))
            if self._ramping:
                shrunk = self._delay * math.exp(-p.warm_up_probe_per_success)
                self._delay = max(p.delay_floor_s, shrunk)
                return
            # Per second of sending at this spacing: e**-probe, whatever the rate; the
            # longer no 429 came, the faster (a limit that was raised is found again).
            quiet = now - self._clean_since
            probe = self._probe * (1.0 + quiet / p.probe_speedup_s)
            shrunk = self._delay * math.exp(-probe * self._delay)
            self._delay = max(p.delay_floor_s, shrunk)

    def _velocity_success(self) -> None:
        p = self._policy
        now = self._now()
        self._model.success(now)
        self._clean_count += 1
        self._cool_off = None
        bracket = self._model.bracket()
        if bracket is None:
            if self._model.trips:
                self._model.reset()  # the limit changed: learn it again
            return
        fast, safe = bracket
        # Known too fast: the model's bound, and the spacing that last tripped.
        known = max(fast, self._too_fast or 0.0)
        # Far from the limit (a burst at no spacing at all), probe deep to get near it
        # quickly; near it, shallow: a probe under the true spacing costs a 429 and its
        # penalty, and a few per cent more of the allowed pace is not worth one.
        depth = p.velocity_probe_depth
        if known < safe * p.velocity_far_below:
            depth = p.velocity_far_probe_depth
        low = max(known, safe * (1.0 - depth))
        # Narrow enough: the safe end, never tripping; else probe inside the bracket.
        narrow = safe <= low * (1.0 + p.velocity_margin)
        target = safe if narrow else math.sqrt(low * safe)
        self._delay = min(p.delay_max_s, max(p.delay_floor_s, target))

    def _velocity_rate_limited(self) -> None:
        p = self._policy
        if self._clean_count == 0 and self._cool_off is not None:
            # Straight after another 429: inside the penalty, which says nothing about the
            # pace. Only the wait grows (the docs' exponential backoff).
            self._cool_off = min(p.delay_max_s, self._cool_off * p.delay_growth)
            return
        # A success came since the last 429: this spacing tripped the window.
        now = self._now()
        first_trip = not self._model.trips
        self._model.trip(now)
        base = max(self._delay, p.velocity_start_s)
        self._too_fast = self._delay
        self._delay = min(p.delay_max_s, max(p.delay_floor_s, base * (1.0 + p.velocity_margin)))
        # The window refills when our oldest request in it leaves. A trip at a spacing
        # a little too fast leaves a short penalty, but one spacing is often not enough:
        # two are. The trip that ends a cold start's burst leaves the window full of the
        # burst, about as long to drain as the burst took to send (30 per minute at 1 s:
        # 30 s), where a doubling from 2 s would send 4-5 times into the penalty.
        cool_off = max(self._delay * p.delay_growth, p.velocity_start_s * p.delay_growth)
        if first_trip and self._clean_since is not None:
            burst = min(now - self._clean_since, p.velocity_burst_cool_off_max_s)
            cool_off = max(cool_off, burst * (1.0 + p.velocity_margin))
        self._cool_off = min(p.delay_max_s, cool_off)
        self._clean_count = 0
        self._clean_since = None

    def on_rate_limited(self, *, server_said: bool = True) -> None:
        """A 429: re-estimate the allowed rate, or grow hard in a storm.

        `server_said`: it carried a Retry-After (a token bucket); without one it is
        DeviantArt's velocity filter (see the module docstring).
        """
        p = self._policy
        with self._lock:
            if not server_said:
                self._velocity = True
                self._velocity_rate_limited()
                return
            self._velocity = False
            now = self._now()
            self._seen(now)
            self._forget(now)
            first = self._last_429 is None
            storm = not first and self._clean_count < p.storm_successes
            rate, clean = self._estimate(now)
            ramped = self._ramping
            self._ramping = False
            margin = p.rate_margin
            if ramped and self._burst is not None:
                corrected = self._burst_corrected(now, self._burst)
                if corrected > rate:
                    rate, clean, margin = corrected, True, p.warm_up_margin
            self._rate = rate if rate > 0 else None
            # No success to learn from: the docs' exponential backoff, from one second.
            grown = (1.0 + margin) / rate if rate > 0 else max(self._delay, 1.0)
            if rate <= 0:
                storm = True
            # A 429 never makes us faster than the spacing that drew it; a storm doubles it.
            factor = p.delay_growth if storm else 1.0 + p.rate_margin
            grown = max(grown, self._delay * factor)
            self._delay = min(p.delay_max_s, max(p.delay_floor_s, grown))
            # After a rough estimate, probe per success rather than per second: a slow
            # limit then still gets a stretch long enough for a clean estimate.
            rough = p.fast_probe_per_success / max(self._delay, 1e-3)
            self._probe = p.probe_per_s if clean and not storm else max(p.probe_per_s, rough)
            if first and not clean and self._clean_count > 0:
                # A starting burst says nothing of the rate; the next stretch will.
                since = self._clean_since if self._clean_since is not None else now
                self._burst = (self._clean_count, now - since)
                self._ramping = True
            self._last_429 = now
            self._clean_count = 0
            self._clean_since = None

    def _estimate(self, now: float) -> tuple[float, bool]:
        """(allowed requests/s, whether the estimate comes from a clean stretch)."""
        p = self._policy
        since = self._clean_since
        if (
            since is not None
            and self._clean_count >= p.clean_successes
            and now - since >= p.clean_span_s
        ):
            # Only the stretch's end: its start was spent probing up from below the
            # limit, which would drag the estimate (and us) down. But enough of it
            # that the burst credit it began with is a small part of the count.
            recent = [at for at in self._successes if at >= since]
            start = since
            if len(recent) > p.estimate_successes:
                start = max(since, min(now - p.estimate_window_s, recent[-p.estimate_successes]))
            count = sum(1 for at in recent if at >= start)
            return count / max(now - start, 1e-3), True
        start = self._first_seen if self._first_seen is not None else now
        span = max(now - max(start, now - p.rate_window_s), 1e-3)
        return len(self._successes) / span, False

    def _burst_corrected(self, now: float, burst: tuple[int, float]) -> float:
        """The rate the ramp after the first 429 shows, knowing the bucket's burst.

        The first stretch drained a full bucket: n1 = B + rate * t1. Over any window
        of the ramp ending at this 429, successes <= B + rate * window, so
        (successes - n1) / (window - t1) is a lower bound of the rate; it is tight
        for the window that starts where the ramp went past the rate.
        """
        first_count, first_span = burst
        since = self._clean_since
        if since is None:
            return 0.0
        recent = [at for at in self._successes if at >= since]
        best = 0.0
        for index, at in enumerate(recent):
            span = now - at - first_span
            if span < self._policy.warm_up_window_s:
                break
            best = max(best, (len(recent) - index - first_count) / span)
        return best

    def _seen(self, now: float) -> None:
        if self._first_seen is None:
            self._first_seen = now

    def _forget(self, now: float) -> None:
        horizon = now - self._policy.rate_window_s
        while self._successes and self._successes[0] < horizon:
            self._successes.popleft()
