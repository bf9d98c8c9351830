"""The DeviantArt client's `PenaltyStore`, kept in the database for every process.

Each call is one short transaction of its own: the client calls it before and
after a request, never while one is in flight.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine

from photomanager.domain.models import Penalty
from photomanager.storage.engine import READ_ONLY_OPTION
from photomanager.storage.repositories.penalties import PenaltyRepository


class SqlPenaltyStore:
    """`photomanager.deviantart.penalties.PenaltyStore` over `pacing_penalties`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, scopes: Collection[str]) -> dict[str, Penalty]:
        with self._engine.connect() as conn:
            conn = conn.execution_options(**{READ_ONLY_OPTION: True})
            with conn.begin():
                return PenaltyRepository(conn).get_many(scopes)

    def impose(
        self,
        scope: str,
        not_before: datetime,
        reason: str,
        now: datetime,
        *,
        streak: int | None = None,
    ) -> Penalty:
        with self._engine.begin() as conn:
            return PenaltyRepository(conn).impose(scope, not_before, reason, now, streak=streak)

    def reserve(self, scope: str, until: datetime, reason: str, now: datetime) -> datetime | None:
        with self._engine.begin() as conn:
            return PenaltyRepository(conn).reserve(scope, until, reason, now)

    def record_spacing(self, scope: str, spacing_s: float, now: datetime) -> None:
        with self._engine.begin() as conn:
            PenaltyRepository(conn).record_spacing(scope, spacing_s, now)

    def clear(self, scope: str, now: datetime) -> None:
        with self._engine.begin() as conn:
            PenaltyRepository(conn).clear(scope, now)
