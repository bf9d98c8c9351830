"""Per-source feed cursors (`feed_state`)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from photomanager.domain.models import FeedState, Source
from photomanager.storage.sql_helpers import dialect_insert
from photomanager.storage.tables import feed_state


class FeedStateRepository:
    """Where each collector stopped: the newest deviation seen and a backfill offset."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, source: Source) -> FeedState:
        """The stored state, or a blank one for a source never collected."""
        row = (
            self._conn.execute(select(feed_state).where(feed_state.c.source == source.value))
            .mappings()
            .one_or_none()
        )
        if row is None:
            return FeedState(source=source)
        return FeedState(
            source=Source(row["source"]),
            path=row["path"],
            newest_deviationid=row["newest_deviationid"],
            newest_ts=row["newest_ts"],
            backfill_offset=row["backfill_offset"],
            updated_at=row["updated_at"],
        )

    def save(self, state: FeedState) -> None:
        values = {
            "path": state.path,
            "newest_deviationid": state.newest_deviationid,
            "newest_ts": state.newest_ts,
            "backfill_offset": state.backfill_offset,
            "updated_at": state.updated_at,
        }
        stmt = dialect_insert(self._conn, feed_state).values(source=state.source.value, **values)
        self._conn.execute(
            stmt.on_conflict_do_update(index_elements=[feed_state.c.source], set_=values)
        )
