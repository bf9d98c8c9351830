"""Switchable faults: what can go wrong on the real site, on demand.

Every field can be changed at runtime (`sandbox.faults.delay_s = 0.01`); the
sandbox reads them under its lock on each request. Endpoint names used by the
`*_endpoints` filters: "placebo", "whoami", "deviantsyouwatch", "home", "tags",
"metadata", "post_comment", "list_comments", "messages_feed", "messages_stack",
"messages_feedback", and for the OAuth side
"authorize", "token", "revoke". `None` means every API endpoint (never the
OAuth ones).

Rate limiting comes in two models (docs/deviantart.md, "Rate limits"):
`VelocityFilter`, what DeviantArt does (sliding windows per user and per
client, 429 without Retry-After, requests while throttled lengthen the
penalty) - the default model, see `default_rate_limit()`; and `RateLimit`, a
token bucket that says Retry-After (kept as an option). Either answers
`check(now, user=..., client=...)` with a `Throttle` or None.
"""

from __future__ import annotations

import math
import random
from collections import deque
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
        "messages_feed",
        "messages_stack",
        "messages_feedback",
    }
)


def applies(endpoints: frozenset[str] | None, endpoint: str) -> bool:
    """Whether a fault filtered by `endpoints` touches `endpoint`."""
    if endpoints is None:
        return endpoint in API_ENDPOINTS
    return endpoint in endpoints


@dataclass(frozen=True, slots=True)
class Throttle:
    """A refused request: the 429 to answer, and what the sandbox knows of its penalty.

    `inside_penalty`: the request came while its scope was already throttled (it
    lengthened the penalty). `declared`: that penalty had been announced with a
    Retry-After, so a well-behaved client could not have been there.
    """

    error: str
    retry_after: float | None
    inside_penalty: bool = False
    declared: bool = False


@dataclass(slots=True)
class _Scope:
    """One velocity-filter scope (a user, or the client app): its window and penalty."""

    times: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0
    penalty_s: float = 0.0
    declared: bool = False


@dataclass(slots=True)
class VelocityFilter:
    """DeviantArt's rate limit as staff describe it: a velocity filter, no Retry-After.

    Sliding windows: at most `user_limit` requests in any `user_window_s`
    seconds per user token, and `client_limit` in `client_window_s` per client
    app (every token of the app, user or client). A request over a limit
    answers 429 `user_api_threshold` ("User request limit reached.";
    `application_api_threshold` for the app-wide limit) and throttles its
    scope until the window has room again (at least `min_penalty_s`). A
    request made while throttled is refused too and restarts the penalty from
    its own time, `tarpit_factor` times as long (1: the same length again).
    Refused requests do not count in the window. `send_retry_after` adds the
    header DeviantArt does not send (whole seconds, rounded up).
    """

    user_limit: int = 30
    user_window_s: float = 60.0
    client_limit: int | None = 600
    client_window_s: float = 60.0
    send_retry_after: bool = False
    min_penalty_s: float = 1.0
    tarpit_factor: float = 1.0
    max_penalty_s: float = 3600.0
    endpoints: frozenset[str] | None = None
    scopes: dict[str, _Scope] = field(default_factory=dict, repr=False)

    def check(self, now: float, *, user: str | None, client: str) -> Throttle | None:
        """Count the request against its scopes, or refuse it (see the class docstring)."""
        limits: list[tuple[_Scope, int, float, str]] = []
        if user is not None:
            state = self.scopes.setdefault(f"user:{user}", _Scope())
            limits.append((state, self.user_limit, self.user_window_s, USER_THRESHOLD))
        if self.client_limit is not None:
            state = self.scopes.setdefault(f"client:{client}", _Scope())
            limits.append((state, self.client_limit, self.client_window_s, APP_THRESHOLD))
        for state, _limit, _window, error in limits:
            if now < state.blocked_until:
                state.penalty_s = min(self.max_penalty_s, state.penalty_s * self.tarpit_factor)
                state.blocked_until = max(state.blocked_until, now + state.penalty_s)
                return Throttle(
                    error,
                    self._retry_after(state, now),
                    inside_penalty=True,
                    declared=state.declared,
                )
        for state, limit, window, error in limits:
            while state.times and state.times[0] <= now - window:
                state.times.popleft()
            if len(state.times) >= limit:
                room = state.times[0] + window - now if state.times else window
                state.penalty_s = min(self.max_penalty_s, max(self.min_penalty_s, room))
                state.blocked_until = now + state.penalty_s
                state.declared = self.send_retry_after
                return Throttle(error, self._retry_after(state, now))
        for state, *_ in limits:
            state.times.append(now)
        return None

    def penalized(self, now: float) -> bool:
        """Whether any scope is throttled at `now`."""
        return any(now < state.blocked_until for state in self.scopes.values())

    def _retry_after(self, state: _Scope, now: float) -> float | None:
        if not self.send_retry_after:
            return None
        return max(1.0, math.ceil(state.blocked_until - now))


USER_THRESHOLD = "user_api_threshold"
APP_THRESHOLD = "application_api_threshold"


def default_rate_limit() -> VelocityFilter:
    """The sandbox's default rate limit (demo, crash matrix): DeviantArt's model, no Retry-After."""
    return VelocityFilter()


@dataclass(slots=True)
class EdgeBlock:
    """The CDN in front of DeviantArt refuses the whole network: HTML 403s for a stretch.

    Blocked for `duration_s` from `first_after_s` after the first request the
    sandbox sees, then again every `every_s` (None: once). Every request is
    refused, OAuth included: the block sits before DeviantArt.
    """

    duration_s: float = 120.0
    first_after_s: float = 0.0
    every_s: float | None = None
    anchor: float | None = field(default=None, repr=False)
    refused_since: float | None = field(default=None, repr=False)

    def blocked(self, now: float) -> bool:
        """Whether a request at `now` meets the block."""
        if self.anchor is None:
            self.anchor = now
        elapsed = now - self.anchor - self.first_after_s
        if elapsed < 0:
            return False
        if self.every_s is None:
            return elapsed < self.duration_s
        return elapsed % self.every_s < self.duration_s


@dataclass(slots=True)
class ActionThrottle:
    """A per-action throttle: after `after_posts` stored comments, POSTs answer 400 for a while.

    Every comment POST inside the `duration_s` that follows answers 400
    `invalid_request` with one `error_code` ("too many ... in a short period of
    time", as DeviantArt answered for watching users, #264); then posting works
    again and the count starts over.
    """

    after_posts: int = 20
    duration_s: float = 600.0
    error_code: int = 2
    description: str = "You have posted too many comments in a short period of time."
    posts: int = field(default=0, repr=False)
    active_until: float = field(default=0.0, repr=False)

    def refuses(self, now: float) -> bool:
        """Whether a POST at `now` falls inside the throttle."""
        return now < self.active_until

    def engage(self, now: float) -> None:
        """Start a burst now (tests; the demo waits for `after_posts`)."""
        self.posts = 0
        self.active_until = now + self.duration_s

    def stored(self, now: float) -> None:
        """One more comment stored; engage the throttle once enough were."""
        self.posts += 1
        if self.posts >= max(1, self.after_posts):
            self.engage(now)


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

    def check(self, now: float, *, user: str | None, client: str) -> Throttle | None:
        """`take()` as a `Throttle`: one bucket for everyone, every penalty declared."""
        inside = now < self.blocked_until
        retry_after = self.take(now)
        if retry_after is None:
            return None
        return Throttle(USER_THRESHOLD, retry_after, inside_penalty=inside, declared=inside)


@dataclass(slots=True)
class Faults:
    """What the fake DeviantArt does wrong right now. All off by default."""

    rate_limit: RateLimit | VelocityFilter | None = None
    # The CDN's HTML 403 "Request blocked." for a stretch of time.
    edge_block: EdgeBlock | None = None
    # API paths such as "comments/deviation" that answer 404 "Api endpoint not found.".
    gone_paths: frozenset[str] = frozenset()
    # Bursts of 400s with one error code on every comment POST.
    action_throttle: ActionThrottle | None = None
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
    # How lively the deviants are: every reaction probability and the strangers'
    # rate times this (0: a silent inbox; see `sandbox.reactions` for the model).
    reaction_scale: float = 1.0
    # (low, high): deviants react low to high seconds after our comment, uniformly, instead
    # of the model's minutes (None: the model's own delays); a demo or test that cannot wait.
    reaction_delay_s: tuple[float, float] | None = None
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
