"""Switchable faults: what can go wrong on the real site, on demand.

Every field can be changed at runtime (`sandbox.faults.delay_s = 0.01`); the
sandbox reads them under its lock on each request. Endpoint names used by the
`*_endpoints` filters: "placebo", "whoami", "deviantsyouwatch", "home", "tags",
"metadata", "post_comment", "list_comments", and for the OAuth side
"authorize", "token", "revoke". `None` means every API endpoint (never the
OAuth ones).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, fields

API_ENDPOINTS = frozenset(
    {
        "placebo",
        "whoami",
        "deviantsyouwatch",
        "home",
        "tags",
        "metadata",
        "post_comment",
        "list_comments",
    }
)


def applies(endpoints: frozenset[str] | None, endpoint: str) -> bool:
    """Whether a fault filtered by `endpoints` touches `endpoint`."""
    if endpoints is None:
        return endpoint in API_ENDPOINTS
    return endpoint in endpoints


@dataclass(slots=True)
class RateLimit:
    """A token bucket with a tarpit.

    Each request takes one token; an empty bucket answers 429 with `Retry-After`
    (the time until a token is back). A request made inside that window is
    punished: the window is lengthened by `tarpit_factor` (capped at
    `max_penalty_s`). A request that gets through resets the penalty.
    """

    capacity: float = 10.0
    refill_per_s: float = 1.0
    tarpit_factor: float = 2.0
    max_penalty_s: float = 3600.0
    endpoints: frozenset[str] | None = None
    tokens: float = field(default=-1.0, repr=False)
    blocked_until: float = field(default=0.0, repr=False)
    penalty_s: float = field(default=0.0, repr=False)
    last_refill: float | None = field(default=None, repr=False)

    def take(self, now: float) -> float | None:
        """Consume a token; None if allowed, else the Retry-After in seconds."""
        if self.tokens < 0:
            self.tokens = self.capacity
        if self.last_refill is not None:
            elapsed = max(0.0, now - self.last_refill)
            self.tokens = min(self.capacity, self.tokens + elapsed * self.refill_per_s)
        self.last_refill = now
        if now < self.blocked_until:
            # Called again while told to wait: the tarpit grows.
            self.penalty_s = min(self.max_penalty_s, max(self.penalty_s, 1.0) * self.tarpit_factor)
            self.blocked_until = now + self.penalty_s
            return self._retry_after(now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            self.penalty_s = 0.0
            return None
        wait = (1.0 - self.tokens) / self.refill_per_s if self.refill_per_s > 0 else 60.0
        self.penalty_s = min(self.max_penalty_s, wait)
        self.blocked_until = now + self.penalty_s
        return self._retry_after(now)

    def _retry_after(self, now: float) -> float:
        return max(1.0, math.ceil(self.blocked_until - now))


@dataclass(slots=True)
class Faults:
    """What the fake DeviantArt does wrong right now. All off by default."""

    rate_limit: RateLimit | None = None
    # Random 5xx with a probability, drawn from the seeded `rng`.
    server_error_probability: float = 0.0
    server_error_status: int = 500
    server_error_endpoints: frozenset[str] | None = None
    # A 5xx on a comment POST that still stored the comment (an ambiguous outcome).
    server_error_after_store: bool = False
    # 503 on every API endpoint, with Retry-After.
    maintenance: bool = False
    maintenance_retry_after_s: int = 120
    # Real sleep before answering (keep it tiny in tests).
    delay_s: float = 0.0
    delay_endpoints: frozenset[str] | None = None
    # The comment is stored, then the client sees no response at all.
    drop_probability: float = 0.0
    drop_next_posts: int = 0
    # After this many more authenticated API requests, every access token dies.
    revoke_after_requests: int | None = None
    revoke_refresh_tokens: bool = False
    # Posting answers 403: the account is restricted for spam.
    account_restricted: bool = False
    # The (simulated) artist clicks "deny" on the authorize page.
    deny_authorization: bool = False
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)

    def reseed(self, seed: int) -> None:
        """Restart the random draws (5xx, drops) from `seed`."""
        self.rng = random.Random(seed)

    def clear(self) -> None:
        """Switch every fault off (the rng keeps its state)."""
        rng = self.rng
        fresh = Faults()
        for spec in fields(Faults):
            setattr(self, spec.name, getattr(fresh, spec.name))
        self.rng = rng
