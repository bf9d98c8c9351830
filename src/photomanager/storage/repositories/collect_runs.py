"""Collect runs of every process (`collect_runs`): progress, heartbeat, result."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update
from sqlalchemy.engine import RowMapping

from photomanager.domain.models import CollectProgress, Source
from photomanager.storage.sql_helpers import dialect_insert
from photomanager.storage.tables import COLLECT_RUNNING, collect_runs


class CollectRunRepository:
    """Writes only touch `running` rows: a run another process ended stays ended."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_running(self, run: CollectProgress) -> bool:
        """Insert a new running run; False when its source already has one running.

        ON CONFLICT DO NOTHING rather than catching the IntegrityError: on
        PostgreSQL an error would abort the caller's whole transaction. RETURNING
        says whether a row went in (psycopg reports no rowcount for this insert).
        """
        stmt = (
            dialect_insert(self._conn, collect_runs)
            .values(
                run_id=run.run_id,
                source=run.source.value,
                started_at=run.started_at,
                **_progress_values(run),
            )
            .on_conflict_do_nothing()
            .returning(collect_runs.c.run_id)
        )
        return self._conn.execute(stmt).scalar_one_or_none() is not None

    def save_progress(self, run: CollectProgress) -> bool:
        """Write the progress (and heartbeat) of a running run; False when it is not running."""
        return self._update_running(run.run_id, _progress_values(run)) == 1

    def touch(self, run_id: str, now: datetime) -> bool:
        """Refresh a running run's heartbeat; False when it is not running (any more)."""
        return self._update_running(run_id, {"heartbeat_at": now}) == 1

    def interrupt_stale(
        self,
        source: Source,
        *,
        heartbeat_before: datetime,
        keep: Collection[str],
        state: str,
        error: str,
    ) -> int:
        """End the running runs of `source` whose heartbeat is older than `heartbeat_before`.

        They ended at their last heartbeat. Runs in `keep` are left alone (the
        caller knows they are alive).
        """
        stmt = (
            update(collect_runs)
            .where(
                collect_runs.c.source == source.value,
                collect_runs.c.state == COLLECT_RUNNING,
                collect_runs.c.heartbeat_at < heartbeat_before,
            )
            .values(state=state, error=error, finished_at=collect_runs.c.heartbeat_at)
        )
        if keep:
            stmt = stmt.where(collect_runs.c.run_id.not_in(list(keep)))
        return self._conn.execute(stmt).rowcount

    def get(self, run_id: str) -> CollectProgress | None:
        row = (
            self._conn.execute(select(collect_runs).where(collect_runs.c.run_id == run_id))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _record(row)

    def list_running(self) -> list[CollectProgress]:
        """Every running run (at most one per source), newest first."""
        rows = self._conn.execute(
            select(collect_runs)
            .where(collect_runs.c.state == COLLECT_RUNNING)
            .order_by(collect_runs.c.started_at.desc(), collect_runs.c.run_id.desc())
        ).mappings()
        return [_record(row) for row in rows]

    def list_recent(self, limit: int) -> list[CollectProgress]:
        """The newest `limit` runs of every source and state, newest first."""
        rows = self._conn.execute(
            select(collect_runs)
            .order_by(collect_runs.c.started_at.desc(), collect_runs.c.run_id.desc())
            .limit(limit)
        ).mappings()
        return [_record(row) for row in rows]

    def prune(self, source: Source, keep: int) -> int:
        """Delete the ended runs of `source` older than its newest `keep` runs."""
        first_dropped = self._conn.execute(
            select(collect_runs.c.started_at, collect_runs.c.run_id)
            .where(collect_runs.c.source == source.value)
            .order_by(collect_runs.c.started_at.desc(), collect_runs.c.run_id.desc())
            .offset(keep)
            .limit(1)
        ).one_or_none()
        if first_dropped is None:
            return 0
        started_at, run_id = first_dropped
        stmt = delete(collect_runs).where(
            collect_runs.c.source == source.value,
            collect_runs.c.state != COLLECT_RUNNING,
            or_(
                collect_runs.c.started_at < started_at,
                and_(collect_runs.c.started_at == started_at, collect_runs.c.run_id <= run_id),
            ),
        )
        return self._conn.execute(stmt).rowcount

    def _update_running(self, run_id: str, values: dict[str, Any]) -> int:
        stmt = (
            update(collect_runs)
            .where(collect_runs.c.run_id == run_id, collect_runs.c.state == COLLECT_RUNNING)
            .values(**values)
        )
        return self._conn.execute(stmt).rowcount


def _progress_values(run: CollectProgress) -> dict[str, Any]:
    return {
        "state": run.state,
        "pages_requested": run.pages_requested,
        "pages_done": run.pages_done,
        "found": run.found,
        "new": run.new,
        "filtered": json.dumps(run.filtered, sort_keys=True),
        "stopped_because": run.stopped_because,
        "error": run.error,
        "finished_at": run.finished_at,
        # A run not yet heard of since it started was alive when it started.
        "heartbeat_at": run.heartbeat_at or run.started_at,
    }


def _record(row: RowMapping) -> CollectProgress:
    filtered = json.loads(row["filtered"])
    return CollectProgress(
        run_id=row["run_id"],
        source=Source(row["source"]),
        state=row["state"],
        pages_requested=row["pages_requested"],
        started_at=row["started_at"],
        heartbeat_at=row["heartbeat_at"],
        pages_done=row["pages_done"],
        found=row["found"],
        new=row["new"],
        filtered={str(k): int(v) for k, v in filtered.items()},
        stopped_because=row["stopped_because"],
        error=row["error"],
        finished_at=row["finished_at"],
    )
