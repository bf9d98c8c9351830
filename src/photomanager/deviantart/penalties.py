"""The waits every process obeys: the client's port to "the shared not-before times".

DeviantArt limits the account, not a process: a `Retry-After`, the cool-off
after a 429 that had none, the learned spacing and the CDN's block must hold
for every worker and collector, and for a process restarted right after the
429 (before this, a restarted worker posted inside its predecessor's
Retry-After). The client reads the rows of its scopes before each request
(one short read, never inside an HTTP call) and writes one when a wait is
imposed; `bootstrap` wires a database-backed store, tests without one get
`InMemoryPenalties`.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from photomanager.domain.models import Penalty


class PenaltyStore(Protocol):
    """Where the shared waits live (a table keyed by scope, or memory)."""

    def get_many(self, scopes: Collection[str]) -> dict[str, Penalty]:
        """The rows of `scopes` that exist."""
        ...

    def impose(
        self,
        scope: str,
        not_before: datetime,
        reason: str,
        now: datetime,
        *,
        streak: int | None = None,
    ) -> Penalty:
        """Wait until at least `not_before` (an existing later wait is kept)."""
        ...

    def reserve(self, scope: str, until: datetime, reason: str, now: datetime) -> datetime | None:
        """Take the turn: if no wait of `scope` runs at `now`, make one run until `until`
        and return None; else return when the running one ends (nothing changed).

        Atomic, so two processes never both take the same turn.
        """
        ...

    def record_spacing(self, scope: str, spacing_s: float, now: datetime) -> None:
        """Remember the learned spacing (a restarted process starts from it)."""
        ...

    def clear(self, scope: str, now: datetime) -> None:
        """The wait is over and its streak too (a request of the scope succeeded)."""
        ...


class InMemoryPenalties:
    """A `PenaltyStore` for one process (tests, and clients built without a database)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, Penalty] = {}

    def get_many(self, scopes: Collection[str]) -> dict[str, Penalty]:
        with self._lock:
            return {s: self._rows[s] for s in scopes if s in self._rows}

    def impose(
        self,
        scope: str,
        not_before: datetime,
        reason: str,
        now: datetime,
        *,
        streak: int | None = None,
    ) -> Penalty:
        with self._lock:
            base = self._rows.get(scope) or Penalty(scope=scope)
            row = base.extended(not_before, reason, now, streak)
            self._rows[scope] = row
            return row

    def reserve(self, scope: str, until: datetime, reason: str, now: datetime) -> datetime | None:
        with self._lock:
            base = self._rows.get(scope) or Penalty(scope=scope)
            if base.active(now):
                return base.not_before
            self._rows[scope] = base.extended(until, reason, now)
            return None

    def record_spacing(self, scope: str, spacing_s: float, now: datetime) -> None:
        with self._lock:
            base = self._rows.get(scope) or Penalty(scope=scope)
            self._rows[scope] = replace(base, spacing_s=spacing_s, updated_at=now)

    def clear(self, scope: str, now: datetime) -> None:
        with self._lock:
            if scope in self._rows:
                self._rows[scope] = replace(
                    self._rows[scope], not_before=None, streak=0, updated_at=now
                )
