"""Retry policy, backoff and the adaptive recommended delay of the DeviantArt client."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


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
    # get_recommended_delay(): x growth after a 429, x decay after a success.
    delay_floor_s: float = 1.0
    delay_max_s: float = 300.0
    delay_growth: float = 2.0
    delay_decay: float = 0.8

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """The wait before retry `retry_number` (0-based) when the server gave no hint."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * self.backoff_factor**retry_number)
        return max(self.min_wait_s, rng.uniform(0.0, ceiling))

    def after_retry_after(self, retry_after: float, rng: random.Random) -> float:
        """The wait that honours a server's Retry-After: never less, jitter on top."""
        jitter = rng.uniform(0.0, self.retry_after_jitter_s) if self.retry_after_jitter_s else 0.0
        return max(self.min_wait_s, retry_after) + jitter


class AdaptiveDelay:
    """A delay between requests that doubles after a 429 and decays after successes.

    The model is gallery-dl's: start small, back off hard when DeviantArt
    complains, come back slowly. Thread-safe: the worker and the collectors
    share one client.
    """

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._lock = threading.Lock()
        self._delay = policy.delay_floor_s

    def current(self) -> float:
        """The delay in seconds to leave before the next request."""
        with self._lock:
            return self._delay

    def on_rate_limited(self) -> None:
        """A 429: grow (from at least one second, so a zero floor still grows)."""
        p = self._policy
        with self._lock:
            grown = max(self._delay, p.delay_floor_s, 1.0) * p.delay_growth
            self._delay = min(p.delay_max_s, grown)

    def on_success(self) -> None:
        """A success: decay towards the floor, snapping to it once close."""
        p = self._policy
        with self._lock:
            decayed = self._delay * p.delay_decay
            self._delay = p.delay_floor_s if decayed - p.delay_floor_s < 0.01 else decayed
