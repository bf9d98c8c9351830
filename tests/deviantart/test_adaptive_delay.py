"""`AdaptiveDelay`: the spacing between requests is learned from 429s, not guessed.

The steady-state tests replay a worker against a token bucket (the sandbox's
own `RateLimit`) on a fake clock: the worker starts each request one learned
delay after the previous one (or after its own step time, if longer), and on
a 429 waits Retry-After plus jitter, as the client does.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

import pytest

from photomanager.deviantart.retry import AdaptiveDelay, RetryPolicy
from photomanager.sandbox import RateLimit

ZERO_FLOOR = RetryPolicy(delay_floor_s=0.0)
STEP_S = 0.025  # the worker's own time per post (database, HTTP)


class FakeMonotonic:
    """Monotonic seconds that only move when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Tally:
    ok: int = 0
    limited: int = 0

    @property
    def share(self) -> float:
        return self.limited / (self.ok + self.limited)


def replay(
    rate: float, burst: float, seconds: float, *, seed: int = 1, warm_up_s: float = 0.0
) -> tuple[Tally, Tally]:
    """(whole run, after warm-up) of a worker against a token bucket of `rate`/s."""
    clock = FakeMonotonic()
    delay = AdaptiveDelay(ZERO_FLOOR, monotonic=clock)
    bucket = RateLimit(capacity=burst, refill_per_s=rate)
    rng = random.Random(seed)
    whole, steady = Tally(), Tally()
    last_start = -1e9
    while clock.now < seconds:
        clock.now = max(clock.now, last_start + max(delay.current(), STEP_S))
        last_start = clock.now
        while True:
            retry_after = bucket.take(clock.now)
            counted = (whole, steady) if clock.now >= warm_up_s else (whole,)
            if retry_after is None:
                delay.on_success()
                for tally in counted:
                    tally.ok += 1
                break
            delay.on_rate_limited()
            for tally in counted:
                tally.limited += 1
            clock.now += max(1.0, retry_after) + rng.uniform(0.0, 1.0)
    return whole, steady


class TestLearnsTheRate:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_steady_state_runs_at_the_limit_without_429s(self, seed: int) -> None:
        """After warm-up, a 10/s bucket (burst 5) is used at >= 95% with <= 1% 429s."""
        warm_up_s, seconds = 60.0, 600.0
        _, steady = replay(10.0, 5.0, seconds, seed=seed, warm_up_s=warm_up_s)

        assert steady.ok / (seconds - warm_up_s) >= 0.95 * 10.0
        assert steady.share <= 0.01

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_a_long_run_meets_the_targets_warm_up_included(self, seed: int) -> None:
        """Over 600 s from a cold start, >= 95% of R and <= 1% 429s, learning included."""
        whole, _ = replay(10.0, 5.0, 600.0, seed=seed)

        assert whole.ok / 600.0 >= 0.95 * 10.0
        assert whole.share <= 0.01

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_a_one_minute_run_meets_the_targets_warm_up_included(self, seed: int) -> None:
        """Over the benchmark's 60 s from a cold start, >= 92% of R and <= 1% 429s."""
        whole, _ = replay(10.0, 5.0, 60.0, seed=seed)

        # The two learning 429s and the ramp between them are most of what is
        # lost; the real benchmark (target 0.9) adds the worker's own jitter.
        assert whole.ok / 60.0 >= 0.92 * 10.0
        assert whole.share <= 0.01

    @pytest.mark.parametrize("pause_s", [1.2, 1.9])
    def test_the_warm_up_learns_the_rate_from_the_ramp_after_the_first_burst(
        self, pause_s: float
    ) -> None:
        """The 429 that ends the ramp after the starting burst gives R within 10%, from below."""
        clock = FakeMonotonic()
        delay = AdaptiveDelay(ZERO_FLOOR, monotonic=clock)
        bucket = RateLimit(capacity=5.0, refill_per_s=10.0)
        limited = 0
        while limited < 2:
            if bucket.take(clock.now) is None:
                delay.on_success()
                clock.now += max(delay.current(), STEP_S)
                continue
            delay.on_rate_limited()
            limited += 1
            clock.now += pause_s

        rate = delay.estimated_rate()
        assert rate is not None
        assert 9.0 <= rate <= 10.0
        assert 1 / delay.current() <= 10.0

    def test_a_conservative_estimate_is_probed_back_to_the_limit(self) -> None:
        """Without 429s the probe speeds up: 15% of slack is gone in two minutes, not ten."""
        _, (clock, delay) = _settled_delay()
        before = delay.current()
        for _ in range(1200):
            clock.now += delay.current()
            delay.on_success()

        assert delay.current() < before / 1.15

    def test_a_slow_limit_is_learned_too(self) -> None:
        """A 2/s limit settles near its rate: no endless stream of 429s."""
        _, steady = replay(2.0, 5.0, 600.0, warm_up_s=120.0)

        assert steady.ok / 480.0 >= 0.9 * 2.0
        assert steady.share <= 0.03

    def test_the_first_429_slows_down_from_full_speed(self) -> None:
        """A worker at full speed that meets a 429 leaves a real delay afterwards."""
        clock = FakeMonotonic()
        delay = AdaptiveDelay(ZERO_FLOOR, monotonic=clock)
        for _ in range(5):
            clock.now += 0.02
            delay.on_success()
        clock.now += 0.02
        delay.on_rate_limited()

        assert delay.current() > 0.0
        # Five successes between the first (t=0.02) and the 429 (t=0.12).
        assert delay.estimated_rate() == pytest.approx(5 / 0.10, rel=0.01)


class TestStormsAndBounds:
    def test_a_storm_doubles_the_delay(self) -> None:
        """429s with no success in between at least double the delay each time."""
        clock = FakeMonotonic()
        delay = AdaptiveDelay(RetryPolicy(delay_floor_s=1.0), monotonic=clock)
        seen = []
        for _ in range(3):
            clock.now += 2.0
            delay.on_rate_limited()
            seen.append(delay.current())

        assert seen[1] >= 2 * seen[0]
        assert seen[2] >= 2 * seen[1]

    def test_never_above_the_maximum(self) -> None:
        """A long storm stops growing at delay_max_s."""
        clock = FakeMonotonic()
        delay = AdaptiveDelay(RetryPolicy(delay_floor_s=1.0, delay_max_s=5.0), monotonic=clock)
        for _ in range(10):
            clock.now += 1.0
            delay.on_rate_limited()

        assert delay.current() == 5.0

    def test_never_below_the_floor(self) -> None:
        """Probing after successes never goes under the configured floor."""
        clock = FakeMonotonic()
        delay = AdaptiveDelay(RetryPolicy(delay_floor_s=1.0), monotonic=clock)
        for _ in range(1000):
            clock.now += 1.0
            delay.on_success()

        assert delay.current() == 1.0

    def test_a_fresh_delay_is_the_floor(self) -> None:
        """Before any request, the delay is the configured floor."""
        assert AdaptiveDelay(RetryPolicy(delay_floor_s=0.0)).current() == 0.0
        assert AdaptiveDelay(RetryPolicy(delay_floor_s=2.5)).current() == 2.5

    def test_probing_shrinks_the_delay_slowly(self) -> None:
        """After a clean estimate, a minute of successes shrinks the delay by only a few %."""
        _, clean = _settled_delay()
        clock, delay = clean
        before = delay.current()
        for _ in range(int(60 / before)):
            clock.now += before
            delay.on_success()

        assert 0.8 * before < delay.current() < before


class TestThreadSafety:
    def test_concurrent_updates_keep_the_delay_within_bounds(self) -> None:
        """Threads reporting successes and 429s at once leave a delay inside its bounds."""
        policy = RetryPolicy(delay_floor_s=0.5, delay_max_s=10.0)
        delay = AdaptiveDelay(policy)

        def hammer(n: int) -> None:
            for i in range(500):
                if (i + n) % 50 == 0:
                    delay.on_rate_limited()
                else:
                    delay.on_success()

        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert 0.5 <= delay.current() <= 10.0


def _settled_delay() -> tuple[float, tuple[FakeMonotonic, AdaptiveDelay]]:
    """A delay that met a 429 after a long clean stretch at 10/s."""
    clock = FakeMonotonic()
    delay = AdaptiveDelay(ZERO_FLOOR, monotonic=clock)
    for _ in range(200):
        clock.now += 0.1
        delay.on_success()
    clock.now += 0.1
    delay.on_rate_limited()
    return delay.current(), (clock, delay)
