"""Filling the queue: new deviations, in batches, never one already commented."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from photomanager.domain.models import NewQueueItem
from photomanager.storage.repositories.queue.rows import PENDING, QueuePart
from photomanager.storage.sql_helpers import chunked, join_tags, timestamp_processor
from photomanager.storage.tables import commented_deviations, queue

# Rows per batch in add_many: large enough to amortise statements and ledger
# look-ups, small enough that memory stays flat however long the iterable is.
ADD_BATCH = 5000

_ADD_COLUMNS = (
    "deviationid, source, ts, status, attempts, author, title, url, tags, language, enriched_at, "
    "thumbnail_url, updated_at"
)

# Hand-written so a big batch goes straight to the driver; only constants are
# interpolated, never data. Neither touches an existing row.
#
# SQLite: a plain INSERT per row through executemany (the ledger was checked
# per batch beforehand); the driver sums the rows really inserted.
_SQLITE_ADD = (
    f"INSERT INTO {queue.name} ({_ADD_COLUMNS}) "  # noqa: S608
    f"VALUES (?, ?, ?, '{PENDING}', 0, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (deviationid) DO NOTHING"
)
# PostgreSQL: one statement per batch (arrays unnested server-side), so the
# statement-level counting trigger runs once per batch, not once per row.
_POSTGRESQL_ADD = (
    f"INSERT INTO {queue.name} ({_ADD_COLUMNS}) "  # noqa: S608
    f"SELECT b.deviationid, b.source, b.ts, '{PENDING}', 0, b.author, b.title, b.url, b.tags, "
    "b.language, b.enriched_at, b.thumbnail_url, %s "
    "FROM unnest(%s::text[], %s::text[], %s::timestamptz[], %s::text[], %s::text[], %s::text[], "
    "%s::text[], %s::text[], %s::timestamptz[], %s::text[]) "
    "WITH ORDINALITY AS b(deviationid, source, ts, author, title, url, tags, language, "
    "enriched_at, thumbnail_url, position) "
    f"WHERE NOT EXISTS (SELECT 1 FROM {commented_deviations.name} l "
    "WHERE l.deviationid = b.deviationid) "
    "ORDER BY b.position "
    "ON CONFLICT (deviationid) DO NOTHING"
)


class QueueAdds(QueuePart):
    """Adds deviations not yet queued nor commented; existing rows stay untouched."""

    def add_deviation(self, item: NewQueueItem, now: datetime) -> bool:
        """Upsert one row; True when it was really new."""
        return self.add_many((item,), now) == 1

    def add_many(self, items: Iterable[NewQueueItem], now: datetime) -> int:
        """Insert the ids not yet queued nor commented; existing rows stay untouched.

        Streams `items` in batches; returns how many rows were really new.
        """
        dialect = self._conn.dialect
        to_db = timestamp_processor(dialect)
        stamp = to_db(now)
        added = 0
        for batch in chunked(items, ADD_BATCH):
            if dialect.name == "postgresql":
                added += self._add_batch_postgresql(batch, to_db, stamp)
            else:
                added += self._add_batch_sqlite(batch, to_db, stamp)
        return added

    def _add_batch_sqlite(self, batch: list[NewQueueItem], to_db: Any, stamp: Any) -> int:
        known = self._known_ids([i.deviationid for i in batch])
        params = [
            (
                i.deviationid,
                i.source.value,
                to_db(i.ts),
                i.author,
                i.title,
                i.url,
                join_tags(i.tags),
                i.language,
                to_db(i.enriched_at) if i.enriched_at else None,
                i.thumbnail_url,
                stamp,
            )
            for i in batch
            if i.deviationid not in known
        ]
        if not params:
            return 0
        return int(self._conn.exec_driver_sql(_SQLITE_ADD, params).rowcount)

    def _add_batch_postgresql(self, batch: list[NewQueueItem], to_db: Any, stamp: Any) -> int:
        columns = (
            stamp,
            [i.deviationid for i in batch],
            [i.source.value for i in batch],
            [to_db(i.ts) for i in batch],
            [i.author for i in batch],
            [i.title for i in batch],
            [i.url for i in batch],
            [join_tags(i.tags) for i in batch],
            [i.language for i in batch],
            [to_db(i.enriched_at) if i.enriched_at else None for i in batch],
            [i.thumbnail_url for i in batch],
        )
        return int(self._conn.exec_driver_sql(_POSTGRESQL_ADD, columns).rowcount)

    def _known_ids(self, deviationids: list[str]) -> set[str]:
        """The ids of one batch already in the ledger: one query per batch."""
        return set(
            self._conn.execute(
                select(commented_deviations.c.deviationid).where(
                    commented_deviations.c.deviationid.in_(deviationids)
                )
            ).scalars()
        )
