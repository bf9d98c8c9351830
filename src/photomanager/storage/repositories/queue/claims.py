"""Claiming rows: the newest due `pending` row for a POST, an `unknown` row for
reconciliation, and the expiry of claims a crashed worker left `sending`.

A claim gets a fresh token; every transition out of it matches that token
(see `transitions`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from photomanager.domain.models import Claim, QueueItem, Source, SourceKind
from photomanager.storage.repositories.queue.rows import (
    PENDING,
    SENDING,
    UNKNOWN,
    QueuePart,
    to_claim,
    to_item,
)
from photomanager.storage.sql_helpers import is_postgresql
from photomanager.storage.tables import commented_deviations, queue

EXPIRED_CLAIM_ERROR = "claim expired: the worker stopped before recording an outcome"

# Serialises claims on PostgreSQL when one author may have one row in flight
# (any constant unlike the database's other advisory locks).
CLAIM_LOCK_KEY = 7_301_500_418


class QueueClaims(QueuePart):
    """Takes rows for a worker or the reconciler; never two holders of one claim."""

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
        return None if row is None else to_claim(row)

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
        item = to_item(row)
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
