"""`outcome_counts`: comments and outcomes per day, template and source.

Kept by the writes themselves, in their transaction: a `sent` log entry adds a
comment, a credit adds an outcome to the bucket of the comment that earned it.
The outcome figures then read a few rows per day, whatever the size of the log
and the inbox (a GROUP BY over a million credits joined to a million log rows
would grow with them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from photomanager.domain.outcomes import OutcomeBucket, OutcomeCounts
from photomanager.storage.sql_helpers import is_postgresql
from photomanager.storage.tables import outcome_counts as table

NO_TEMPLATE = 0
NO_SOURCE = ""
COUNTERS = ("comments", "replies", "watch_backs", "fave_backs", "comment_backs")


def day_of(moment: datetime) -> str:
    """The UTC day of `moment`, as the buckets are keyed."""
    return moment.astimezone(UTC).date().isoformat()


def bump(
    conn: Connection, sent_at: datetime, message_id: int | None, source: str | None, column: str
) -> None:
    """Add one to `column` of the bucket of a comment sent at `sent_at`."""
    bump_many(conn, [(sent_at, message_id, source, column)])


def bump_many(
    conn: Connection, bumps: Iterable[tuple[datetime, int | None, str | None, str]]
) -> None:
    """Add one to a counter per (sent_at, template, source, column) in `bumps`.

    Summed per bucket first, then one upsert per bucket in one executemany: a page
    of credits costs one statement, and no bucket is touched twice by it (PostgreSQL
    refuses an upsert that would update one row twice).
    """
    sums: dict[tuple[str, int, str], dict[str, int]] = {}
    for sent_at, message_id, source, column in bumps:
        if column not in COUNTERS:
            raise ValueError(f"not a counter: {column}")
        key = (day_of(sent_at), message_id or NO_TEMPLATE, source or NO_SOURCE)
        counts = sums.setdefault(key, dict.fromkeys(COUNTERS, 0))
        counts[column] += 1
    if not sums:
        return
    # In key order: two writers lock the buckets they share in the same order.
    rows = [
        {"day": day, "template_key": template_key, "source": source, **counts}
        for (day, template_key, source), counts in sorted(sums.items())
    ]
    conn.execute(_upsert(is_postgresql(conn)), rows)


@cache
def _upsert(postgres: bool) -> Any:
    """The bucket upsert, built once per database kind (building it costs more than running
    it for a page)."""
    stmt = postgresql.insert(table) if postgres else sqlite.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.day, table.c.template_key, table.c.source],
        set_={name: table.c[name] + stmt.excluded[name] for name in COUNTERS},
    )


def count_comment(
    conn: Connection, sent_at: datetime, message_id: int | None, source: str | None
) -> None:
    """One more comment sent (called with the `sent` log entry)."""
    bump(conn, sent_at, message_id, source, "comments")


class OutcomeCountsRepository:
    """Reads the buckets (the writes happen with the log entry and the credit)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def list_buckets(
        self, since: datetime | None, until: datetime | None, *, by: str = "day"
    ) -> list[OutcomeBucket]:
        """The buckets of comments sent on the UTC days from `since` to `until` (inclusive),
        summed per `by`: "day", "template" or "source" (the other keys left empty)."""
        keys = {"day": table.c.day, "template": table.c.template_key, "source": table.c.source}
        if by not in keys:
            raise ValueError(f"cannot group by {by}")
        key = keys[by]
        sums = [func.sum(table.c[name]) for name in COUNTERS]
        stmt = select(key, *sums).group_by(key).order_by(key)
        if since is not None:
            stmt = stmt.where(table.c.day >= day_of(since))
        if until is not None:
            stmt = stmt.where(table.c.day <= day_of(until))
        buckets = []
        for value, *counts in self._conn.execute(stmt):
            numbers = OutcomeCounts(*(int(v or 0) for v in counts))
            buckets.append(
                OutcomeBucket(
                    day=value if by == "day" else "",
                    message_id=(value or None) if by == "template" else None,
                    source=(value or None) if by == "source" else None,
                    counts=numbers,
                )
            )
        return buckets
