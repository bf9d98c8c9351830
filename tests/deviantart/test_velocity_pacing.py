"""Pacing without Retry-After: `AdaptiveDelay` against DeviantArt's velocity filter.

A worker replayed on a fake clock against the sandbox's own `VelocityFilter`
(no Retry-After, requests while throttled restart the penalty), the way the
client and the loop behave: each request starts one learned spacing after the
previous one; after a 429 the next waits the cool-off.
"""

from __future__ import annotations

import random

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


def replay_jittered(limit: int, window_s: float, seconds: float, seed: int) -> tuple[int, int]:
    """(successes, 429s) over `seconds` from a cold start, with a real worker's timing.

    The product's policy. Each request leaves 0-20 ms after its turn, one in five up
    to 100 ms later still (a slow step: a review row prepared at the turn, a loaded
    database); the filter sees it 1-10 ms after it left and the client learns of the
    answer 1-10 ms after that. The next turn is the request's start plus the spacing
    known when it was sent (the client reserves it then); after a 429, the cool-off.
    """
    rng = random.Random(seed)
    clock = FakeMonotonic()
    delay = AdaptiveDelay(RetryPolicy(), monotonic=clock)
    velocity = VelocityFilter(user_limit=limit, user_window_s=window_s, client_limit=None)
    ok = limited = 0
    turn = 0.0
    while turn < seconds:
        start = turn + rng.uniform(0.0, 0.02)
        if rng.random() < 0.2:
            start += rng.uniform(0.0, 0.1)
        spacing = delay.current()
        seen = start + rng.uniform(0.001, 0.01)
        allowed = velocity.check(seen, user="artist", client="app") is None
        clock.now = seen + rng.uniform(0.001, 0.01)
        if allowed:
            delay.on_success()
            ok += 1
            turn = start + spacing
        else:
            delay.on_rate_limited(server_said=False)
            limited += 1
            turn = clock.now + delay.cool_off()
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

    @pytest.mark.parametrize(("limit", "window_s"), [(30, 60.0), (6, 10.0)])
    def test_five_minutes_of_jittered_steps_cost_the_burst_and_one_probe(
        self, limit: int, window_s: float
    ) -> None:
        """30 timings of real steps, 5 minutes each: at most two 429s and >= 90% of N / W."""
        runs = {seed: replay_jittered(limit, window_s, 300.0, seed) for seed in range(30)}
        assert {seed: n for seed, (_, n) in runs.items() if n > 2} == {}
        assert min(ok for ok, _ in runs.values()) / 300.0 >= 0.9 * limit / window_s

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


def probe_fits(window_s: float) -> bool:
    """Whether W / 30 lies in the bracket after a burst, a window and a probe that trips.

    W lies between two steps of the model's grid of windows, and this sequence
    rules out each step taken alone (one by a success, the other by the trip).
    """
    model = WindowModel()
    velocity = VelocityFilter(user_limit=30, user_window_s=window_s, client_limit=None)
    limit_s = window_s / 30
    at = 0.0
    for spacing, count in ((0.515 * limit_s, 100), (1.015 * limit_s, 30), (0.965 * limit_s, 100)):
        for _ in range(count):
            if velocity.check(at, user="artist", client="app") is not None:
                model.trip(at)
                at += 16 * limit_s
                break
            model.success(at)
            at += spacing
    bracket = model.bracket()
    return model.trips == 2 and bracket is not None and bracket[0] <= limit_s <= bracket[1]


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

    def test_a_probe_that_trips_just_under_the_limit_still_fits(self) -> None:
        """30 per W, W from 50 to 70 s: after a probe trips just under W / 30, it still fits."""
        misfits = [w for w in (50.0 + 0.5 * i for i in range(41)) if not probe_fits(w)]
        assert misfits == []

    def test_no_bracket_before_a_trip(self) -> None:
        """Successes alone bound nothing from above: no spacing is known safe."""
        model = WindowModel()
        for t in range(20):
            model.success(float(t))
        assert model.bracket() is None
