"""The waits every process obeys (`pacing_penalties`), one row per scope."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from photomanager.domain.models import Penalty
from photomanager.storage.sql_helpers import dialect_insert
from photomanager.storage.tables import pacing_penalties as table


class PenaltyRepository:
    """Read and extend shared waits; every write is a locked read-modify-write."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get_many(self, scopes: Collection[str]) -> dict[str, Penalty]:
        """The rows of `scopes` that exist (primary-key reads)."""
        if not scopes:
            return {}
        rows = self._conn.execute(select(table).where(table.c.scope.in_(list(scopes)))).mappings()
        return {row["scope"]: _penalty(row) for row in rows}

    def list_all(self) -> list[Penalty]:
        """Every row, by scope."""
        rows = self._conn.execute(select(table).order_by(table.c.scope)).mappings()
        return [_penalty(row) for row in rows]

    def impose(
        self,
        scope: str,
        not_before: datetime,
        reason: str,
        now: datetime,
        *,
        streak: int | None = None,
    ) -> Penalty:
        """Wait until at least `not_before`; a later wait already there is kept."""
        row = self._locked(scope).extended(not_before, reason, now, streak)
        self._save(row)
        return row

    def reserve(self, scope: str, until: datetime, reason: str, now: datetime) -> datetime | None:
        """Wait until `until` unless a wait runs at `now`; then return when it ends instead."""
        row = self._locked(scope)
        if row.active(now):
            return row.not_before
        self._save(row.extended(until, reason, now))
        return None

    def record_spacing(self, scope: str, spacing_s: float, now: datetime) -> None:
        """Remember the learned spacing of `scope`."""
        self._save(replace(self._locked(scope), spacing_s=spacing_s, updated_at=now))

    def clear(self, scope: str, now: datetime) -> None:
        """End the wait and its streak (nothing happens when there is no row)."""
        self._conn.execute(
            update(table)
            .where(table.c.scope == scope)
            .values(not_before=None, streak=0, updated_at=now)
        )

    def _locked(self, scope: str) -> Penalty:
        """The row of `scope`, created if missing, locked until the transaction ends."""
        self._conn.execute(
            dialect_insert(self._conn, table)
            .values(scope=scope, reason="", streak=0)
            .on_conflict_do_nothing(index_elements=[table.c.scope])
        )
        row = (
            self._conn.execute(select(table).where(table.c.scope == scope).with_for_update())
            .mappings()
            .one()
        )
        return _penalty(row)

    def _save(self, penalty: Penalty) -> None:
        self._conn.execute(
            update(table)
            .where(table.c.scope == penalty.scope)
            .values(
                not_before=penalty.not_before,
                reason=penalty.reason,
                spacing_s=penalty.spacing_s,
                streak=penalty.streak,
                updated_at=penalty.updated_at,
            )
        )


def _penalty(row: Any) -> Penalty:
    return Penalty(
        scope=row["scope"],
        not_before=row["not_before"],
        reason=row["reason"],
        spacing_s=row["spacing_s"],
        streak=row["streak"],
        updated_at=row["updated_at"],
    )
