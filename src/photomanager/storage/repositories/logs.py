"""The comment log (`deviation_comment_logs`): one row per attempt outcome."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    type_coerce,
)

from photomanager.domain.models import HourlyActivity, LogEntry, LogStatus, Source
from photomanager.storage.repositories.messages import template_reference
from photomanager.storage.repositories.outcome_counts import count_comment
from photomanager.storage.sql_helpers import decode_cursor, encode_cursor, is_postgresql
from photomanager.storage.tables import logs, outcome_credits, queue
from photomanager.storage.types import UtcDateTime

STREAM_BATCH = 1000


class DeviationCommentLogRepository:
    """Append-only history of what was posted, failed or left unknown."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def append(
        self,
        *,
        deviationid: str,
        status: LogStatus,
        now: datetime,
        message_id: int | None = None,
        commentid: str | None = None,
        body: str | None = None,
        error_message: str | None = None,
    ) -> LogEntry:
        """Write one entry and return it with its id."""
        row = (
            self._conn.execute(
                insert(logs)
                .values(
                    deviationid=deviationid,
                    status=status.value,
                    sent_at=now,
                    message_id=template_reference(message_id),
                    commentid=commentid,
                    body=body,
                    error_message=error_message,
                    # Where the deviation was found, from its queue row (kept while logged).
                    source=select(queue.c.source)
                    .where(queue.c.deviationid == deviationid)
                    .scalar_subquery(),
                    # Whose deviation it is: outcomes are credited by the deviant (0008).
                    author=select(queue.c.author)
                    .where(queue.c.deviationid == deviationid)
                    .scalar_subquery(),
                )
                .returning(*logs.c)
            )
            .mappings()
            .one()
        )
        entry = _to_entry(row)
        if status is LogStatus.SENT:
            count_comment(self._conn, entry.sent_at, entry.message_id, row["source"])
        return entry

    def list_page(
        self,
        *,
        status: LogStatus | None,
        since: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[LogEntry], str | None]:
        """Newest first, keyset-paginated on (sent_at, log_id), with the queue's
        title/author/url of each deviation when its row is still queued."""
        conditions = _filters(status, since)
        if cursor is not None:
            at, log_id = decode_cursor(cursor, int)
            conditions.append(
                or_(logs.c.sent_at < at, and_(logs.c.sent_at == at, logs.c.log_id < log_id))
            )
        # The queue row, while kept, says which deviation this was (title, author, link).
        with_deviation = logs.outerjoin(queue, queue.c.deviationid == logs.c.deviationid)
        rows = (
            self._conn.execute(
                select(
                    *[c for c in logs.c if c.name != "author"],
                    queue.c.title,
                    func.coalesce(logs.c.author, queue.c.author).label("author"),
                    queue.c.url,
                )
                .select_from(with_deviation)
                .where(*conditions)
                .order_by(logs.c.sent_at.desc(), logs.c.log_id.desc())
                .limit(limit + 1)
            )
            .mappings()
            .all()
        )
        entries = [_to_entry(row) for row in rows[:limit]]
        if len(rows) <= limit or not entries:
            return entries, None
        last = entries[-1]
        return entries, encode_cursor(last.sent_at, last.log_id)

    def iter_all(self, *, status: LogStatus | None, since: datetime | None) -> Iterator[LogEntry]:
        """Stream every matching entry, newest first, with a server-side cursor, with the
        outcomes each comment earned."""
        earned = (
            select(
                outcome_credits.c.log_id,
                *(
                    func.sum(case((outcome_credits.c.kind == kind, 1), else_=0)).label(name)
                    for kind, name in _OUTCOME_COLUMNS
                ),
            )
            .group_by(outcome_credits.c.log_id)
            .subquery()
        )
        stmt = (
            select(
                logs,
                *(func.coalesce(earned.c[name], 0).label(name) for _, name in _OUTCOME_COLUMNS),
            )
            .select_from(logs.outerjoin(earned, earned.c.log_id == logs.c.log_id))
            .where(*_filters(status, since))
            .order_by(logs.c.sent_at.desc(), logs.c.log_id.desc())
            .execution_options(yield_per=STREAM_BATCH)
        )
        for row in self._conn.execute(stmt).mappings():
            yield _to_entry(row)

    def count_since(self, status: LogStatus, since: datetime) -> int:
        stmt = (
            select(func.count())
            .select_from(logs)
            .where(logs.c.status == status.value, logs.c.sent_at >= since)
        )
        return int(self._conn.execute(stmt).scalar_one())

    def sent_times_since(self, since: datetime) -> list[datetime]:
        """When each comment since `since` was posted, oldest first (for the caps)."""
        stmt = (
            select(logs.c.sent_at)
            .where(logs.c.status == LogStatus.SENT.value, logs.c.sent_at >= since)
            .order_by(logs.c.sent_at)
        )
        return list(self._conn.execute(stmt).scalars())

    def nth_sent_time_since(self, since: datetime, n: int) -> datetime | None:
        """When the `n`-th (0-based, oldest first) comment sent at or after `since` went out.

        One seek on the sent_at index (OFFSET n LIMIT 1): the pacing caps ask it
        instead of reading every sent time of the day.
        """
        stmt = (
            select(logs.c.sent_at)
            .where(logs.c.status == LogStatus.SENT.value, logs.c.sent_at >= since)
            .order_by(logs.c.sent_at)
            .offset(max(0, n))
            .limit(1)
        )
        return self._conn.execute(stmt).scalar_one_or_none()

    def activity_per_hour(self, since: datetime) -> list[HourlyActivity]:
        """Sent and failed counts per UTC hour since `since`, oldest first.

        Only hours with activity are returned; the caller fills the gaps.
        """
        hour = type_coerce(self._hour_of(logs.c.sent_at), UtcDateTime).label("hour")
        stmt = (
            select(
                hour,
                func.sum(case((logs.c.status == LogStatus.SENT.value, 1), else_=0)),
                func.sum(case((logs.c.status == LogStatus.FAILED.value, 1), else_=0)),
            )
            .where(
                logs.c.sent_at >= since,
                logs.c.status.in_([LogStatus.SENT.value, LogStatus.FAILED.value]),
            )
            .group_by(hour)
            .order_by(hour)
        )
        return [
            HourlyActivity(hour=at, sent=int(sent), failed=int(failed))
            for at, sent, failed in self._conn.execute(stmt)
        ]

    def recent_body_hashes(self, since: datetime) -> set[str]:
        """Hashes of the bodies posted since `since`.

        The hash is the one the commenter stored on the queue row, so both
        sides agree on the function; a row pruned from the queue is forgotten.
        """
        stmt = (
            select(queue.c.body_hash)
            .distinct()
            .select_from(logs.join(queue, queue.c.deviationid == logs.c.deviationid))
            .where(
                logs.c.status == LogStatus.SENT.value,
                logs.c.sent_at >= since,
                queue.c.body_hash.is_not(None),
            )
        )
        return set(self._conn.execute(stmt).scalars())

    def recent_bodies(self, since: datetime) -> set[str]:
        """The texts posted since `since`, from the log alone.

        The repeated-text guard reads these: unlike `recent_body_hashes` they
        stay known when housekeeping has removed the deviation's queue row.
        """
        stmt = (
            select(logs.c.body)
            .distinct()
            .where(
                logs.c.status == LogStatus.SENT.value,
                logs.c.sent_at >= since,
                logs.c.body.is_not(None),
            )
        )
        return {str(body) for body in self._conn.execute(stmt).scalars()}

    # -- retention ---------------------------------------------------------------

    def oldest_sent_at(self) -> datetime | None:
        """When the oldest entry still kept was written (None for an empty log)."""
        stmt = select(logs.c.sent_at).order_by(logs.c.sent_at, logs.c.log_id).limit(1)
        return self._conn.execute(stmt).scalar_one_or_none()

    def count_before(self, before: datetime) -> int:
        """How many entries were written before `before`."""
        stmt = select(func.count()).select_from(logs).where(logs.c.sent_at < before)
        return int(self._conn.execute(stmt).scalar_one())

    def delete_before(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` of the oldest entries written before `before`; how many went."""
        victims = (
            select(logs.c.log_id)
            .where(logs.c.sent_at < before)
            .order_by(logs.c.sent_at, logs.c.log_id)
            .limit(limit)
        )
        result = self._conn.execute(
            delete(logs).where(logs.c.log_id.in_(victims), logs.c.sent_at < before)
        )
        return int(result.rowcount)

    def template_usage(self) -> dict[int, tuple[int, datetime]]:
        """Per template: how many comments were posted with it and when it was last used."""
        # max() loses the column type: coerce it back so SQLite text becomes a datetime.
        last = type_coerce(func.max(logs.c.sent_at), UtcDateTime)
        stmt = (
            select(logs.c.message_id, func.count(), last)
            .where(logs.c.status == LogStatus.SENT.value, logs.c.message_id.is_not(None))
            .group_by(logs.c.message_id)
        )
        return {
            int(message_id): (int(count), used_at)
            for message_id, count, used_at in self._conn.execute(stmt)
        }

    def top_renderings(self, message_id: int, limit: int) -> list[tuple[str, int]]:
        """The most posted texts of one template, with how often each was posted."""
        uses = func.count().label("uses")
        stmt = (
            select(logs.c.body, uses)
            .where(
                logs.c.status == LogStatus.SENT.value,
                logs.c.message_id == message_id,
                logs.c.body.is_not(None),
            )
            .group_by(logs.c.body)
            .order_by(uses.desc(), logs.c.body)
            .limit(limit)
        )
        return [(str(body), int(count)) for body, count in self._conn.execute(stmt)]

    def _hour_of(self, column: Any) -> ColumnElement[Any]:
        if is_postgresql(self._conn):
            return func.date_trunc("hour", func.timezone("UTC", column))
        # SQLite stores naive UTC text: cut it at the hour.
        return func.strftime("%Y-%m-%d %H:00:00", column)


_OUTCOME_COLUMNS = (
    ("reply", "replies"),
    ("watch_back", "watch_backs"),
    ("fave_back", "fave_backs"),
    ("comment_back", "comment_backs"),
)


def _filters(status: LogStatus | None, since: datetime | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(logs.c.status == status.value)
    if since is not None:
        conditions.append(logs.c.sent_at >= since)
    return conditions


def _to_entry(row: RowMapping) -> LogEntry:
    return LogEntry(
        log_id=row["log_id"],
        deviationid=row["deviationid"],
        status=LogStatus(row["status"]),
        sent_at=row["sent_at"],
        message_id=row["message_id"],
        commentid=row["commentid"],
        body=row["body"],
        error_message=row["error_message"],
        source=_source(row["source"]),
        title=row.get("title"),
        author=row.get("author"),
        url=row.get("url"),
        replies=int(row.get("replies") or 0),
        watch_backs=int(row.get("watch_backs") or 0),
        fave_backs=int(row.get("fave_backs") or 0),
        comment_backs=int(row.get("comment_backs") or 0),
    )


def _source(stored: str | None) -> Source | None:
    """The stored source, or None for entries logged before sources were (or unreadable)."""
    try:
        return Source(stored) if stored else None
    except ValueError:
        return None
