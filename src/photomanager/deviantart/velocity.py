"""What 429s without Retry-After and successes say about a sliding-window limit.

DeviantArt's velocity filter allows at most N requests in any W seconds; N and
W are not published. Every answer is evidence about them:

- a success at time s: fewer than N successes in (s - W, s);
- a trip (the first 429 after a success; a 429 straight after a 429 fell in
  the penalty and says nothing): N or more successes in (t - W, t).

For each W of a log-spaced grid (the true W lies between two of them), the
successes give the least N consistent with them (`n_low`) and the trips the
most (`n_high`); a W with
n_low <= n_high is still possible. Over the possible Ws, the slowest spacing
W / n_low is safe (the true limit is no slower), the fastest W / n_high is
known too fast. The caller probes inside that bracket; each probe either
trips (raising the fast end) or, once a window of successes went through,
proves the safe end lower. Counting is exact with a sorted list of success
times (bisect), and costs a few hundred bisections per success.
"""

from __future__ import annotations

import math
from bisect import bisect_right

MIN_WINDOW_S = 0.5
MAX_WINDOW_S = 7200.0
GRID_RATIO = 1.02
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
        for window, low, high in zip(self._windows, self._n_low, self._n_high, strict=True):
            if low <= high:
                safe = max(safe, window / low)
                fast = min(fast, window / high)
        if safe <= 0.0:
            return None
        # The true W may lie anywhere up to the next grid step.
        return fast, safe * GRID_RATIO

    def reset(self) -> None:
        """Forget the trips (the limit changed: nothing fits any more)."""
        self._n_high = [math.inf] * len(self._windows)
        self._n_low = [1] * len(self._windows)
        self.trips = 0
