"""The permanent anti-repeat ledger (`commented_deviations`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select, type_coerce

from photomanager.storage.sql_helpers import IN_CHUNK, chunked, dialect_insert, unique
from photomanager.storage.tables import commented_deviations as ledger
from photomanager.storage.types import UtcDateTime


class CommentedDeviationsRepository:
    """Every deviation ever commented, kept when the queue is pruned."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def contains(self, deviationid: str) -> bool:
        row = self._conn.execute(
            select(ledger.c.deviationid).where(ledger.c.deviationid == deviationid)
        ).first()
        return row is not None

    def filter_known(self, deviationids: Sequence[str]) -> set[str]:
        """The subset of `deviationids` already in the ledger."""
        known: set[str] = set()
        for chunk in chunked(unique(deviationids), IN_CHUNK):
            known.update(
                self._conn.execute(
                    select(ledger.c.deviationid).where(ledger.c.deviationid.in_(chunk))
                ).scalars()
            )
        return known

    def add(self, deviationid: str, now: datetime, author: str | None = None) -> bool:
        """Record a comment; False when it was recorded already (the first record stays).

        On PostgreSQL a concurrent insert of the same id waits for the first to
        commit and then inserts nothing: exactly one caller gets True.
        """
        stmt = dialect_insert(self._conn, ledger).values(
            deviationid=deviationid, commented_at=now, author=author
        )
        # RETURNING, not rowcount: psycopg reports no rowcount for this insert.
        inserted = self._conn.execute(
            stmt.on_conflict_do_nothing(index_elements=[ledger.c.deviationid]).returning(
                ledger.c.deviationid
            )
        ).first()
        return inserted is not None

    def count_all(self) -> int:
        """How many deviations were ever commented (the ledger is never pruned)."""
        return int(self._conn.execute(select(func.count()).select_from(ledger)).scalar_one())

    def count_author_since(self, author: str, since: datetime | None) -> int:
        """How many of `author`'s deviations we commented since `since` (ever when None)."""
        stmt = select(func.count()).select_from(ledger).where(ledger.c.author == author)
        if since is not None:
            stmt = stmt.where(ledger.c.commented_at >= since)
        return int(self._conn.execute(stmt).scalar_one())

    def last_commented_by(self, author: str) -> datetime | None:
        """When we last commented one of `author`'s deviations (None: never)."""
        # max() loses the column type: coerce it back so SQLite text becomes a datetime.
        last = type_coerce(func.max(ledger.c.commented_at), UtcDateTime)
        value: datetime | None = self._conn.execute(
            select(last).where(ledger.c.author == author)
        ).scalar_one()
        return value
