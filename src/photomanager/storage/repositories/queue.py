"""The comment queue (`deviation_comment_queue`) and its state machine.

Every transition out of a claim matches deviationid AND claim_token AND the
expected statuses, so a worker whose claim went stale changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
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
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Dialect

from photomanager.domain.models import (
    Claim,
    NewQueueItem,
    QueueItem,
    QueueStatus,
    Source,
    SourceKind,
)
from photomanager.storage.repositories.ledger import CommentedDeviationsRepository
from photomanager.storage.repositories.messages import template_reference
from photomanager.storage.sql_helpers import (
    IN_CHUNK,
    chunked,
    decode_cursor,
    encode_cursor,
    is_postgresql,
    join_tags,
    split_tags,
    unique,
)
from photomanager.storage.tables import commented_deviations, queue, queue_counts
from photomanager.storage.types import UtcDateTime

# Rows per batch in add_many: large enough to amortise statements and ledger
# look-ups, small enough that memory stays flat however long the iterable is.
ADD_BATCH = 5000
EXPIRED_CLAIM_ERROR = "claim expired: the worker stopped before recording an outcome"

PENDING = QueueStatus.PENDING.value
SENDING = QueueStatus.SENDING.value
UNKNOWN = QueueStatus.UNKNOWN.value
AWAITING_REVIEW = QueueStatus.AWAITING_REVIEW.value
_STATUS_VALUES = frozenset(s.value for s in QueueStatus)
# Never deleted by remove/clear: a `sending` or `unknown` row may already have its
# comment on DeviantArt, and deleting it would let a collector queue it again.
_KEPT = (SENDING, UNKNOWN)
# Settled rows that housekeeping removes after the artist's `finished_ttl_days`.
EXPIRING_SETTLED = frozenset({QueueStatus.COMMENTED, QueueStatus.FAILED, QueueStatus.SKIPPED})

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


# Serialises claims on PostgreSQL when one author may have one row in flight
# (any constant unlike the database's other advisory locks).
CLAIM_LOCK_KEY = 7_301_500_418


class DeviationCommentQueueRepository:
    """Deviations waiting for a comment, and what happened to them."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- filling -----------------------------------------------------------

    def add_deviation(self, item: NewQueueItem, now: datetime) -> bool:
        """Upsert one row; True when it was really new."""
        return self.add_many((item,), now) == 1

    def add_many(self, items: Iterable[NewQueueItem], now: datetime) -> int:
        """Insert the ids not yet queued nor commented; existing rows stay untouched.

        Streams `items` in batches; returns how many rows were really new.
        """
        dialect = self._conn.dialect
        to_db = _timestamp_processor(dialect)
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

    # -- reading -----------------------------------------------------------

    def get(self, deviationid: str) -> QueueItem | None:
        row = (
            self._conn.execute(select(queue).where(queue.c.deviationid == deviationid))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _to_item(row)

    def get_stats(self) -> dict[QueueStatus, int]:
        """Rows per status (every status present, zero when empty).

        Reads the trigger-maintained counters: a few rows, whatever the queue size.
        """
        stats = dict.fromkeys(QueueStatus, 0)
        rows = self._conn.execute(select(queue_counts.c.status, queue_counts.c.n))
        for status, count in rows:
            if status in _STATUS_VALUES:
                stats[QueueStatus(status)] = int(count)
        return stats

    def count_skipped_by_reason(self) -> dict[str, int]:
        """Skipped rows per reason kind (the text before the first colon), one grouped count."""
        # Grouping on the prefix in SQL keeps the answer small: full reasons name
        # authors and durations, so there would be one group per row.
        reason = func.coalesce(queue.c.last_error, "")
        if is_postgresql(self._conn):
            kind: ColumnElement[Any] = func.split_part(reason, ":", 1)
        else:
            colon = func.instr(reason, ":")
            kind = case((colon > 0, func.substr(reason, 1, colon - 1)), else_=reason)
        stmt = (
            select(kind, func.count())
            .where(queue.c.status == QueueStatus.SKIPPED.value)  # the (status, ts) index
            .group_by(kind)
        )
        return {str(name): int(count) for name, count in self._conn.execute(stmt)}

    def list_page(
        self, status: QueueStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[QueueItem], str | None]:
        """Keyset pagination, newest first. Returns (items, next cursor or None)."""
        conditions: list[ColumnElement[bool]] = []
        if status is not None:
            conditions.append(queue.c.status == status.value)
        if cursor is not None:
            ts, deviationid = decode_cursor(cursor, str)
            # A row-value comparison, not `ts < x OR (ts = x AND id < y)`: PostgreSQL
            # seeks the index with it, where the OR form scanned every newer row
            # (quadratic when paging through a million rows).
            conditions.append(tuple_(queue.c.ts, queue.c.deviationid) < (ts, deviationid))
        rows = (
            self._conn.execute(
                select(queue)
                .where(*conditions)
                .order_by(queue.c.ts.desc(), queue.c.deviationid.desc())
                .limit(limit + 1)
            )
            .mappings()
            .all()
        )
        items = [_to_item(row) for row in rows[:limit]]
        if len(rows) <= limit or not items:
            return items, None
        last = items[-1]
        return items, encode_cursor(last.ts, last.deviationid)

    def list_unknown(self, limit: int) -> list[QueueItem]:
        """`unknown` rows, least recently touched first, for reconciliation."""
        rows = self._conn.execute(
            select(queue)
            .where(queue.c.status == UNKNOWN)
            .order_by(queue.c.updated_at, queue.c.deviationid)
            .limit(limit)
        ).mappings()
        return [_to_item(row) for row in rows]

    # -- claiming ----------------------------------------------------------

    def claim_one_pending(
        self,
        now: datetime,
        *,
        hold_unapproved: Collection[SourceKind] = (),
        one_per_author: bool = False,
    ) -> Claim | None:
        """Claim the newest due pending row in one atomic statement.

        A row whose id is already in the ledger is never claimed, whatever its
        status says: the ledger is the last word on "commented". Rows from a
        `hold_unapproved` source are skipped unless the artist approved them
        (the worker holds them while enough texts already await review).
        `one_per_author`: skip authors with a row in flight (`sending` or
        `unknown`), so that two workers never comment one author at once, which
        would slip past the per-author cooldown checked after the claim.
        """
        conditions = list(_not_held(hold_unapproved))
        if one_per_author:
            if is_postgresql(self._conn):
                # Claims wait for each other (for the length of a claim), so the next one
                # sees the previous one's author in flight: READ COMMITTED would not.
                self._conn.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK_KEY)))
            conditions.append(~_author_in_flight())
        in_ledger = (
            select(commented_deviations.c.deviationid)
            .where(commented_deviations.c.deviationid == queue.c.deviationid)  # its PK
            .exists()
        )
        newest_due = (
            select(queue.c.deviationid)
            .where(
                queue.c.status == PENDING,
                or_(queue.c.next_attempt_at.is_(None), queue.c.next_attempt_at <= now),
                ~in_ledger,
                *conditions,
            )
            .order_by(queue.c.ts.desc(), queue.c.deviationid.desc())
            .limit(1)
            # PostgreSQL: concurrent workers skip each other's row instead of waiting.
            # SQLite renders nothing: BEGIN IMMEDIATE already serialises writers.
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        token = _fresh_token()
        row = (
            self._conn.execute(
                update(queue)
                .where(queue.c.deviationid == newest_due, queue.c.status == PENDING)
                .values(status=SENDING, claim_token=token, claimed_at=now, updated_at=now)
                .returning(*queue.c)
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else _to_claim(row)

    def claim_unknown(
        self, deviationid: str, now: datetime, *, seen: QueueItem | None = None
    ) -> Claim | None:
        """Take an `unknown` row for reconciliation (fresh token, status unchanged).

        With `seen` (the snapshot the reconciler decided on) it is a
        compare-and-set: None if the row changed since. `claimed_at` is kept:
        it belongs to the POST being reconciled.
        """
        conditions = [queue.c.deviationid == deviationid, queue.c.status == UNKNOWN]
        if seen is not None:
            conditions += [
                queue.c.updated_at == seen.updated_at,
                # `IS NOT DISTINCT FROM` on PostgreSQL, `IS` on SQLite: NULL-safe.
                queue.c.claim_token.is_not_distinct_from(seen.claim_token),
            ]
        row = (
            self._conn.execute(
                update(queue)
                .where(*conditions)
                .values(claim_token=_fresh_token(), updated_at=now)
                .returning(*queue.c)
            )
            .mappings()
            .one_or_none()
        )
        if row is None:
            return None
        item = _to_item(row)
        assert item.claim_token is not None
        # Rows expired by an old version may lack claimed_at; the claim needs a time.
        return Claim(
            deviationid=item.deviationid,
            claim_token=item.claim_token,
            claimed_at=item.claimed_at or now,
            item=item,
        )

    def expire_claims(self, older_than: datetime, now: datetime) -> int:
        """`sending` rows claimed before `older_than` become `unknown` (crashed worker)."""
        result = self._conn.execute(
            update(queue)
            .where(queue.c.status == SENDING, queue.c.claimed_at < older_than)
            .values(
                status=UNKNOWN,
                claim_token=None,
                last_error=EXPIRED_CLAIM_ERROR,
                # now >= claimed_at + lease: no POST of that claim can still be in flight.
                unknown_since=now,
                reconcile_checked_at=None,
                updated_at=now,
            )
        )
        return int(result.rowcount)

    # -- outcomes of a claim -------------------------------------------------

    def mark_commented(
        self,
        claim: Claim,
        *,
        commentid: str | None,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """Commented, and recorded in the ledger in the same transaction."""
        return self._commented(
            claim.deviationid,
            _claimed(claim, SENDING, UNKNOWN),
            commentid=commentid,
            message_id=message_id,
            body_hash=body_hash,
            body=body,
            now=now,
        )

    def mark_failed(self, claim: Claim, error: str, now: datetime) -> bool:
        """Failed for good; from `sending`, or from `unknown` when the read-back is refused."""
        return self._transition(
            claim,
            (SENDING, UNKNOWN),
            status=QueueStatus.FAILED.value,
            attempts=queue.c.attempts + 1,
            last_error=error,
            claim_token=None,
            updated_at=now,
        )

    def mark_retry(
        self, claim: Claim, error: str, next_attempt_at: datetime, now: datetime
    ) -> bool:
        """Back to pending, due again at `next_attempt_at`, one attempt spent."""
        return self._transition(
            claim,
            (SENDING,),
            status=PENDING,
            attempts=queue.c.attempts + 1,
            next_attempt_at=next_attempt_at,
            last_error=error,
            claim_token=None,
            updated_at=now,
        )

    def release(
        self,
        claim: Claim,
        now: datetime,
        *,
        not_before: datetime | None = None,
        reason: str | None = None,
    ) -> bool:
        """Back to pending without spending an attempt (account problems, stop, pauses).

        `not_before`: not claimed again before then; `reason`, when given, becomes
        the row's `last_error` (what the artist reads).
        """
        values: dict[str, Any] = {"status": PENDING, "claim_token": None, "updated_at": now}
        if not_before is not None:
            values["next_attempt_at"] = not_before
        if reason is not None:
            values["last_error"] = reason
        return self._transition(claim, (SENDING,), **values)

    def save_metadata(
        self, claim: Claim, *, tags: Sequence[str], language: str | None, now: datetime
    ) -> bool:
        """The metadata the worker read for its claim (tags, language, when)."""
        return self._transition(
            claim, (SENDING,), tags=join_tags(tags), language=language, enriched_at=now
        )

    def unfail(self, deviationid: str, reason: str, now: datetime) -> bool:
        """A row failed by mistake goes back to pending, the attempt it spent given back."""
        result = self._conn.execute(
            update(queue)
            .where(
                queue.c.deviationid == deviationid,
                queue.c.status == QueueStatus.FAILED.value,
            )
            .values(
                status=PENDING,
                attempts=case((queue.c.attempts > 0, queue.c.attempts - 1), else_=0),
                last_error=reason,
                claim_token=None,
                updated_at=now,
            )
        )
        return int(result.rowcount) == 1

    def note_unverifiable(self, claim: Claim, reason: str, now: datetime) -> bool:
        """An `unknown` row whose read-back cannot say anything: it stays, with `reason`."""
        return self._transition(claim, (UNKNOWN,), last_error=reason, updated_at=now)

    def mark_unknown(self, claim: Claim, error: str, now: datetime) -> bool:
        """The POST may have landed; `now` (its end) starts reconciliation's grace."""
        return self._transition(
            claim,
            (SENDING,),
            status=UNKNOWN,
            last_error=error,
            claim_token=None,
            unknown_since=now,
            reconcile_checked_at=None,
            updated_at=now,
        )

    def mark_sending_body(
        self, claim: Claim, *, message_id: int | None, body_hash: str, body: str, now: datetime
    ) -> bool:
        """Record the rendered body on the claimed row, committed before the POST."""
        return self._transition(
            claim,
            (SENDING,),
            message_id=template_reference(message_id),
            body_hash=body_hash,
            body=body,
            updated_at=now,
        )

    def mark_awaiting_review(
        self, claim: Claim, *, message_id: int | None, body_hash: str, body: str, now: datetime
    ) -> bool:
        return self._transition(
            claim,
            (SENDING,),
            status=AWAITING_REVIEW,
            message_id=template_reference(message_id),
            body_hash=body_hash,
            body=body,
            approved_at=None,
            claim_token=None,
            updated_at=now,
        )

    def mark_skipped(self, claim: Claim, reason: str, now: datetime) -> bool:
        return self._transition(
            claim,
            (SENDING,),
            status=QueueStatus.SKIPPED.value,
            last_error=reason,
            claim_token=None,
            updated_at=now,
        )

    def resolve_unknown_pending(self, claim: Claim, now: datetime) -> bool:
        """Reconciliation found no comment of ours: the row may be posted again."""
        return self._transition(
            claim,
            (UNKNOWN,),
            status=PENDING,
            claim_token=None,
            unknown_since=None,
            reconcile_checked_at=None,
            updated_at=now,
        )

    def note_not_found(self, claim: Claim, now: datetime) -> bool:
        """Record the first read-back (after the grace) that did not find our comment."""
        return self._transition(
            claim, (UNKNOWN,), reconcile_checked_at=now, claim_token=None, updated_at=now
        )

    def force_commented(
        self,
        deviationid: str,
        *,
        commentid: str,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """A comment of ours exists: `commented` from any state but `commented`, + ledger.

        For a POST that succeeded after its claim went stale; no token needed,
        because a comment that exists must win over whatever the row says.
        """
        return self._commented(
            deviationid,
            [queue.c.deviationid == deviationid, queue.c.status != QueueStatus.COMMENTED.value],
            commentid=commentid,
            message_id=message_id,
            body_hash=body_hash,
            body=body,
            now=now,
        )

    def _commented(
        self,
        deviationid: str,
        where: list[ColumnElement[bool]],
        *,
        commentid: str | None,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """The row matching `where` becomes `commented`, and the ledger records it."""
        row = (
            self._conn.execute(
                update(queue)
                .where(*where)
                .values(
                    status=QueueStatus.COMMENTED.value,
                    commentid=commentid,
                    message_id=template_reference(message_id),
                    body_hash=body_hash,
                    body=body,
                    last_error=None,
                    claim_token=None,
                    updated_at=now,
                )
                .returning(queue.c.author)
            )
            .mappings()
            .one_or_none()
        )
        if row is None:
            return False
        CommentedDeviationsRepository(self._conn).add(deviationid, now, row["author"])
        return True

    # -- commands from the artist ---------------------------------------------

    def approve(self, deviationid: str, body: str, body_hash: str, now: datetime) -> bool:
        """awaiting_review -> pending with an approved body that will be posted as is."""
        result = self._conn.execute(
            update(queue)
            .where(queue.c.deviationid == deviationid, queue.c.status == AWAITING_REVIEW)
            .values(status=PENDING, body=body, body_hash=body_hash, approved_at=now, updated_at=now)
        )
        return result.rowcount == 1

    def approve_parked(self, deviationids: Sequence[str], now: datetime) -> list[str]:
        """Approve the listed rows awaiting review, with their parked text, in ONE statement.

        One statement, not one per row: on PostgreSQL the queue-count trigger
        takes its lock at the end of each statement, so a second statement of
        the same transaction could wait for a row held by someone who waits for
        that lock (a deadlock, the artist's click would fail).
        """
        wanted = unique(deviationids)
        if not wanted:
            return []
        if len(wanted) > IN_CHUNK:
            raise ValueError(f"approve at most {IN_CHUNK} rows at once")
        rows = self._conn.execute(
            update(queue)
            .where(
                queue.c.deviationid.in_(wanted),
                queue.c.status == AWAITING_REVIEW,
                queue.c.body.is_not(None),
                queue.c.body != "",
                queue.c.body_hash.is_not(None),
            )
            .values(status=PENDING, approved_at=now, updated_at=now)
            .returning(queue.c.deviationid)
        ).scalars()
        return list(rows)

    def lock_row(self, deviationid: str) -> None:
        """Lock the row until the unit of work ends (SQLite: BEGIN IMMEDIATE already did)."""
        self._conn.execute(
            select(queue.c.deviationid).where(queue.c.deviationid == deviationid).with_for_update()
        )

    def awaiting_review_body_hashes(self) -> set[str]:
        """Hashes of the texts parked for review (few: the worker caps the backlog)."""
        stmt = (
            select(queue.c.body_hash)
            .distinct()
            .where(queue.c.status == AWAITING_REVIEW, queue.c.body_hash.is_not(None))
        )
        return set(self._conn.execute(stmt).scalars())

    def skip_review(self, deviationid: str, reason: str, now: datetime) -> bool:
        result = self._conn.execute(
            update(queue)
            .where(queue.c.deviationid == deviationid, queue.c.status == AWAITING_REVIEW)
            .values(status=QueueStatus.SKIPPED.value, last_error=reason, updated_at=now)
        )
        return result.rowcount == 1

    def requeue_skipped(self, reason: str, now: datetime) -> int:
        """Rows skipped with exactly `reason` (e.g. by a dry run) go back to pending."""
        result = self._conn.execute(
            update(queue)
            .where(queue.c.status == QueueStatus.SKIPPED.value, queue.c.last_error == reason)
            .values(status=PENDING, last_error=None, claim_token=None, updated_at=now)
        )
        return int(result.rowcount)

    def reset_failed_to_pending(self, now: datetime) -> int:
        """Every failed row back to pending with its attempts reset."""
        result = self._conn.execute(
            update(queue)
            .where(queue.c.status == QueueStatus.FAILED.value)
            .values(
                status=PENDING,
                attempts=0,
                next_attempt_at=None,
                last_error=None,
                claim_token=None,
                updated_at=now,
            )
        )
        return int(result.rowcount)

    def remove(self, deviationids: Sequence[str]) -> int:
        """Delete the given rows except `sending`/`unknown` ones; returns how many went."""
        removed = 0
        for chunk in chunked(unique(deviationids), IN_CHUNK):
            result = self._conn.execute(
                delete(queue).where(queue.c.deviationid.in_(chunk), queue.c.status.not_in(_KEPT))
            )
            removed += result.rowcount
        return removed

    def clear(self, status: QueueStatus | None = None) -> int:
        """Delete every row (of `status`), never a `sending` or `unknown` one."""
        stmt = delete(queue).where(queue.c.status.not_in(_KEPT))
        if status is not None:
            stmt = stmt.where(queue.c.status == status.value)
        return int(self._conn.execute(stmt).rowcount)

    # -- housekeeping ------------------------------------------------------------

    def list_expired(self, status: QueueStatus, before: datetime, limit: int) -> list[QueueItem]:
        """Up to `limit` rows of `status` that expired before `before`, oldest first."""
        when, conditions = _expired(status, before)
        rows = self._conn.execute(
            select(queue).where(*conditions).order_by(when, queue.c.deviationid).limit(limit)
        ).mappings()
        return [_to_item(row) for row in rows]

    def count_expired(self, status: QueueStatus, before: datetime) -> int:
        """How many rows of `status` expired before `before` (served by a status index)."""
        _when, conditions = _expired(status, before)
        stmt = select(func.count()).select_from(queue).where(*conditions)
        return int(self._conn.execute(stmt).scalar_one())

    def delete_expired(self, status: QueueStatus, before: datetime, limit: int) -> int:
        """Delete up to `limit` expired rows of `status`, oldest first; how many went.

        One statement: the victims are chosen and deleted with their conditions
        checked again, so a row claimed or settled meanwhile stays. On PostgreSQL
        rows another transaction holds are skipped (never waited for); the
        counting trigger runs once for the batch and keeps the counters exact.
        """
        when, conditions = _expired(status, before)
        victims = (
            select(queue.c.deviationid)
            .where(*conditions)
            .order_by(when, queue.c.deviationid)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        result = self._conn.execute(
            delete(queue).where(queue.c.deviationid.in_(victims), *conditions)
        )
        return int(result.rowcount)

    def _transition(self, claim: Claim, from_statuses: tuple[str, ...], **values: Any) -> bool:
        result = self._conn.execute(
            update(queue).where(*_claimed(claim, *from_statuses)).values(**values)
        )
        return result.rowcount == 1


def _claimed(claim: Claim, *statuses: str) -> list[ColumnElement[bool]]:
    return [
        queue.c.deviationid == claim.deviationid,
        queue.c.claim_token == claim.claim_token,
        queue.c.status.in_(statuses),
    ]


def _expired(
    status: QueueStatus, before: datetime
) -> tuple[ColumnElement[Any], list[ColumnElement[bool]]]:
    """The time a row of `status` expires by, and the conditions of an expired row.

    Pending rows expire by when the deviation was published (`ts`), unless the
    artist approved their text in review; settled rows by when they settled
    (`updated_at`). Rows in review, `sending` and `unknown` never expire.
    """
    if status is QueueStatus.PENDING:
        return queue.c.ts, [
            queue.c.status == PENDING,
            queue.c.ts < before,
            queue.c.approved_at.is_(None),
        ]
    if status in EXPIRING_SETTLED:
        return queue.c.updated_at, [
            queue.c.status == status.value,
            queue.c.updated_at < before,
        ]
    raise ValueError(f"{status.value} rows never expire")


def _author_in_flight() -> ColumnElement[bool]:
    other = queue.alias("in_flight")
    return (
        select(other.c.deviationid)
        .where(other.c.status.in_((SENDING, UNKNOWN)), other.c.author == queue.c.author)
        .exists()
    )


def _not_held(kinds: Collection[SourceKind]) -> list[ColumnElement[bool]]:
    if not kinds:
        return []
    fixed = [kind.value for kind in kinds if kind is not SourceKind.TAGS]
    sources: list[ColumnElement[bool]] = [queue.c.source.in_(fixed)] if fixed else []
    if SourceKind.TAGS in kinds:
        sources.append(queue.c.source.startswith(Source.TAG_PREFIX, autoescape=True))
    held = and_(or_(*sources), queue.c.approved_at.is_(None))
    return [~held]


def _fresh_token() -> str:
    return uuid.uuid4().hex


def _timestamp_processor(dialect: Dialect) -> Any:
    """The bind processing of a UtcDateTime column, for hand-written SQL."""
    process = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return lambda value: value
    return process


def _to_item(row: RowMapping) -> QueueItem:
    return QueueItem(
        deviationid=row["deviationid"],
        source=Source(row["source"]),
        ts=row["ts"],
        status=QueueStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        author=row["author"],
        title=row["title"],
        url=row["url"],
        claimed_at=row["claimed_at"],
        claim_token=row["claim_token"],
        commentid=row["commentid"],
        message_id=row["message_id"],
        body_hash=row["body_hash"],
        body=row["body"],
        updated_at=row["updated_at"],
        approved_at=row["approved_at"],
        unknown_since=row["unknown_since"],
        reconcile_checked_at=row["reconcile_checked_at"],
        tags=split_tags(row["tags"]),
        language=row["language"],
        enriched_at=row["enriched_at"],
        thumbnail_url=row["thumbnail_url"],
    )


def _to_claim(row: RowMapping) -> Claim:
    item = _to_item(row)
    assert item.claim_token is not None
    assert item.claimed_at is not None
    return Claim(
        deviationid=item.deviationid,
        claim_token=item.claim_token,
        claimed_at=item.claimed_at,
        item=item,
    )
