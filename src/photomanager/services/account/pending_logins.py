"""Logins that were started but not finished: one-time `state` values with a TTL.

Kept in memory on purpose: a `state` only has to survive the minute the artist
spends on DeviantArt's consent page, and a restart simply asks them to click
"Connect" again. Every entry is consumed by its first use, valid or not.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_STATE_TTL = timedelta(minutes=10)
# Bounds memory if someone keeps hitting /auth/login.
MAX_PENDING = 64


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """What the callback needs to finish one login. Never log or serialize it."""

    state: str = field(repr=False)
    code_verifier: str = field(repr=False)
    redirect_uri: str
    created_at: datetime
    browser_nonce: str | None = field(default=None, repr=False)


class PendingLogins:
    """Thread-safe map of state -> PendingLogin, each usable once."""

    def __init__(self, ttl: timedelta = DEFAULT_STATE_TTL) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, PendingLogin] = {}

    def add(self, login: PendingLogin) -> None:
        """Remember `login`, forgetting expired entries and the oldest beyond the cap."""
        with self._lock:
            self._prune(login.created_at)
            self._entries[login.state] = login
            while len(self._entries) > MAX_PENDING:
                oldest = min(self._entries.values(), key=lambda entry: entry.created_at)
                del self._entries[oldest.state]

    def take(self, state: str, now: datetime) -> PendingLogin | None:
        """Remove and return the login for `state` if it exists and is still fresh."""
        with self._lock:
            self._prune(now)
            # Compare in constant time: the state is the only secret of a pending login.
            for known in list(self._entries):
                if hmac.compare_digest(known.encode(), state.encode()):
                    return self._entries.pop(known)
            return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _prune(self, now: datetime) -> None:
        expired = [s for s, entry in self._entries.items() if now - entry.created_at > self._ttl]
        for state in expired:
            del self._entries[state]
