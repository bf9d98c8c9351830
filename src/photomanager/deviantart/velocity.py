"""What 429s without Retry-After and successes say about a sliding-window limit.

DeviantArt's velocity filter allows at most N requests in any W seconds; N and
W are not published. Every answer is evidence about them:

- a success at time s: fewer than N successes in (s - W, s);
- a trip (the first 429 after a success; a 429 straight after a 429 fell in
  the penalty and says nothing): N or more successes in (t - W, t).

For each W of a log-spaced grid, the successes give the least N consistent
with them (`n_low`) and the trips the most (`n_high`). The true W lies
between two grid steps, shorter <= W <= longer: a window that long holds no
more successes than the shorter one and no fewer than the longer one, so its
N is at least n_low(shorter) and at most n_high(longer), and that stretch of
the grid is still possible while n_low(shorter) <= n_high(longer). Over the
possible stretches, the slowest spacing longer / n_low(shorter) is safe (the
true limit is no slower), the fastest shorter / n_high(longer) is known too
fast. (Testing each grid W as if it were the true one, as this model first
did, ruled out both neighbours of the true W as soon as a trip came at a
spacing just under the limit: nothing fitted, the model started over and the
spacing stayed at the one that had just tripped plus the margin, under the
limit at 30 per 60 s, for the next trip.) The caller probes inside that
bracket; each probe either trips (raising the fast end) or, once a window of
successes went through, proves the safe end lower - but only if its
requests went more than one grid step (`GRID_RATIO`, 1%) faster than the
safe end: the grid cannot tell spacings closer than that apart. A probe
lies up to 3.6% under the safe end (`RetryPolicy.velocity_probe_depth`), and
real requests leave a little after their turn; with 2% steps, 30 ms of
lateness at 6 per 10 s left the probe's real gaps inside the safe end's
step, and learning stalled (a replay: 0.89 of the allowed pace in the first
5 minutes, 0.91 after an hour). Counting is exact
with a sorted list of success times (bisect), and costs about a thousand
bisections per success (under a millisecond).
"""

from __future__ import annotations

import math
from bisect import bisect_right

MIN_WINDOW_S = 0.5
MAX_WINDOW_S = 7200.0
GRID_RATIO = 1.01
MAX_SUCCESSES = 5000


class WindowModel:
    """The (N, W) still possible after the successes and trips seen."""

    def __init__(self) -> None:
        steps = int(math.log(MAX_WINDOW_S / MIN_WINDOW_S) / math.log(GRID_RATIO)) + 1
        self._windows = [MIN_WINDOW_S * GRID_RATIO**i for i in range(steps)]
        self._times: list[float] = []
        self._n_low = [1] * steps
        self._n_high = [math.inf] * steps
        self.trips = 0

    def success(self, at: float) -> None:
        """A request that got through at `at` (times never go backwards)."""
        times = self._times
        end = len(times)
        for i, window in enumerate(self._windows):
            inside = end - bisect_right(times, at - window)
            if inside + 1 > self._n_low[i]:
                self._n_low[i] = inside + 1
        times.append(at)
        if len(times) > MAX_SUCCESSES:
            del times[: len(times) - MAX_SUCCESSES]

    def trip(self, at: float) -> None:
        """A 429 that ended a run of successes at `at`."""
        times = self._times
        end = len(times)
        for i, window in enumerate(self._windows):
            inside = end - bisect_right(times, at - window)
            if inside < self._n_high[i]:
                self._n_high[i] = inside
        self.trips += 1

    def bracket(self) -> tuple[float, float] | None:
        """(known too fast, safe) spacings; None before a trip or when nothing fits."""
        if not self.trips:
            return None
        fast, safe = math.inf, 0.0
        windows, n_low, n_high = self._windows, self._n_low, self._n_high
        # The true W lies between a grid step and the next one (see the module docstring).
        for i in range(len(windows) - 1):
            if n_low[i] <= n_high[i + 1]:
                safe = max(safe, windows[i + 1] / n_low[i])
                fast = min(fast, windows[i] / n_high[i + 1])
        if safe <= 0.0:
            return None
        return fast, safe

    def reset(self) -> None:
        """Forget the trips (the limit changed: nothing fits any more)."""
        self._n_high = [math.inf] * len(self._windows)
        self._n_low = [1] * len(self._windows)
        self.trips = 0
