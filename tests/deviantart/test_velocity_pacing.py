"""Pacing without Retry-After: `AdaptiveDelay` against DeviantArt's velocity filter.

A worker replayed on a fake clock against the sandbox's own `VelocityFilter`
(no Retry-After, requests while throttled restart the penalty), the way the
client and the loop behave: each request starts one learned spacing after the
previous one; after a 429 the next waits the cool-off.
"""

from __future__ import annotations

import pytest

from photomanager.deviantart.retry import AdaptiveDelay, RetryPolicy
from photomanager.deviantart.velocity import WindowModel
from photomanager.sandbox import VelocityFilter

ZERO_FLOOR = RetryPolicy(delay_floor_s=0.0)


class FakeMonotonic:
    """Monotonic seconds that only move when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def replay(limit: int, window_s: float, requests: int) -> tuple[int, int, float]:
    """(successes, 429s, simulated seconds) of `requests` requests against N per W."""
    clock = FakeMonotonic()
    delay = AdaptiveDelay(ZERO_FLOOR, monotonic=clock)
    velocity = VelocityFilter(user_limit=limit, user_window_s=window_s, client_limit=None)
    ok = limited = 0
    next_start = 0.0
    for _ in range(requests):
        clock.now = max(clock.now, next_start)
        if velocity.check(clock.now, user="artist", client="app") is None:
            delay.on_success()
            ok += 1
            next_start = clock.now + delay.current()
        else:
            delay.on_rate_limited(server_said=False)
            limited += 1
            next_start = clock.now + delay.cool_off()
    return ok, limited, clock.now


class TestFindsThePace:
    @pytest.mark.parametrize(("limit", "window_s"), [(6, 10.0), (30, 60.0), (1, 5.0)])
    def test_holds_the_allowed_pace_from_429s_alone(self, limit: int, window_s: float) -> None:
        """1,000 requests: >= 90% of N / W, at most 2% throttled, warm-up included."""
        ok, limited, seconds = replay(limit, window_s, 1000)
        assert ok / seconds >= 0.9 * limit / window_s
        assert limited / (ok + limited) <= 0.02

    def test_never_faster_than_the_limit_once_learned(self) -> None:
        """After the first few trips the spacing stays at or above W / N."""
        clock = FakeMonotonic()
        delay = AdaptiveDelay(ZERO_FLOOR, monotonic=clock)
        velocity = VelocityFilter(user_limit=6, user_window_s=10.0, client_limit=None)
        late_429s = 0
        next_start = 0.0
        for n in range(600):
            clock.now = max(clock.now, next_start)
            if velocity.check(clock.now, user="artist", client="app") is None:
                delay.on_success()
                next_start = clock.now + delay.current()
            else:
                delay.on_rate_limited(server_said=False)
                late_429s += n > 300
                next_start = clock.now + delay.cool_off()
        assert late_429s == 0
        assert delay.current() >= 10.0 / 6


def replay_for(limit: int, window_s: float, seconds: float) -> tuple[int, list[float]]:
    """(successes, times of the 429s) over `seconds` from a cold start, product defaults.

    The default policy (a 1 s floor, as every artist gets), and every request a few
    tens of milliseconds after its turn, as a real step takes.
    """
    clock = FakeMonotonic()
    delay = AdaptiveDelay(RetryPolicy(), monotonic=clock)
    velocity = VelocityFilter(user_limit=limit, user_window_s=window_s, client_limit=None)
    ok, limited, next_start = 0, [], 0.0
    while clock.now < seconds:
        clock.now = max(clock.now, next_start) + 0.03
        if velocity.check(clock.now, user="artist", client="app") is None:
            delay.on_success()
            ok += 1
            next_start = clock.now + delay.current()
        else:
            delay.on_rate_limited(server_said=False)
            limited.append(clock.now)
            next_start = clock.now + delay.cool_off()
    return ok, limited


class TestLearningCost:
    @pytest.mark.parametrize(("limit", "window_s"), [(6, 10.0), (30, 60.0)])
    def test_an_hour_from_a_cold_start_costs_a_few_429s(self, limit: int, window_s: float) -> None:
        """One simulated hour at the 1 s floor: at most three 429s, warm-up included."""
        _, limited = replay_for(limit, window_s, 3600.0)
        assert len(limited) <= 3

    @pytest.mark.parametrize(("limit", "window_s"), [(6, 10.0), (30, 60.0)])
    def test_five_minutes_from_a_cold_start_reach_the_allowed_pace(
        self, limit: int, window_s: float
    ) -> None:
        """The first five minutes: >= 90% of N / W and <= 2% throttled, learning included."""
        ok, limited = replay_for(limit, window_s, 300.0)
        assert ok / 300.0 >= 0.9 * limit / window_s
        assert len(limited) <= 0.02 * (ok + len(limited))

    def test_the_burst_that_opens_a_cold_start_costs_one_429(self) -> None:
        """30 per minute at the 1 s floor: the cool-off outlasts the penalty the burst left."""
        _, limited = replay_for(30, 60.0, 100.0)
        assert len(limited) == 1


class TestCoolOff:
    def test_a_429_inside_the_penalty_doubles_the_wait_not_the_spacing(self) -> None:
        """Two 429s in a row: the cool-off doubles, the spacing stays what the trip made it."""
        clock = FakeMonotonic()
        delay = AdaptiveDelay(ZERO_FLOOR, monotonic=clock)
        delay.on_success()
        delay.on_rate_limited(server_said=False)
        spacing, first = delay.current(), delay.cool_off()
        clock.now += first
        delay.on_rate_limited(server_said=False)
        assert delay.current() == spacing
        assert delay.cool_off() == 2 * first


class TestWindowModel:
    def test_successes_and_trips_bracket_the_spacing(self) -> None:
        """Six at once, a trip, then a success 10 s later: W / N lies in the bracket."""
        model = WindowModel()
        for _ in range(6):
            model.success(0.0)
        model.trip(0.0)
        model.success(10.5)
        bracket = model.bracket()
        assert bracket is not None
        fast, safe = bracket
        assert fast <= 10.0 / 6 <= safe

    def test_no_bracket_before_a_trip(self) -> None:
        """Successes alone bound nothing from above: no spacing is known safe."""
        model = WindowModel()
        for t in range(20):
            model.success(float(t))
        assert model.bracket() is None
