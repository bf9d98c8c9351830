"""Queue fencing for "never post twice": ledger-aware claims, compare-and-set reconciliation.

Runs on both backends (SQLite and PostgreSQL) through the `uow` fixture.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import Claim, QueueStatus
from photomanager.storage.unit_of_work import SqlUnitOfWork

LATER = NOW + timedelta(minutes=3)


def _unknown(uow: SqlUnitOfWork, at: datetime = NOW) -> Claim:
    """One row claimed at NOW and made `unknown` at `at`."""
    uow.queue.add_many(new_items(1, NOW), NOW)
    claim = uow.queue.claim_one_pending(NOW)
    assert claim is not None
    assert uow.queue.mark_unknown(claim, "read timeout", at)
    return claim


class TestClaimHonoursTheLedger:
    def test_a_pending_row_in_the_ledger_is_not_claimed(self, uow: SqlUnitOfWork) -> None:
        """claim_one_pending skips ids already in commented_deviations."""
        uow.queue.add_many(new_items(2, NOW), NOW)
        newest = uow.queue.list_page(None, 1, None)[0][0].deviationid
        uow.ledger.add(newest, NOW)
        claim = uow.queue.claim_one_pending(NOW)
        assert claim is not None
        assert claim.deviationid != newest
        assert uow.queue.claim_one_pending(NOW) is None


class TestClaimUnknownIsACompareAndSet:
    def test_a_stale_snapshot_claims_nothing(self, uow: SqlUnitOfWork) -> None:
        """Once another reconciler touched the row, a claim on the old snapshot gives None."""
        claim = _unknown(uow)
        seen = uow.queue.get(claim.deviationid)
        assert seen is not None
        assert uow.queue.claim_unknown(claim.deviationid, LATER, seen=seen) is not None
        assert uow.queue.claim_unknown(claim.deviationid, LATER, seen=seen) is None

    def test_claimed_at_is_kept(self, uow: SqlUnitOfWork) -> None:
        """Reconciling never rewrites claimed_at, the time of the POST being checked."""
        claim = _unknown(uow)
        seen = uow.queue.get(claim.deviationid)
        assert seen is not None
        taken = uow.queue.claim_unknown(claim.deviationid, LATER, seen=seen)
        assert taken is not None
        assert uow.queue.get(claim.deviationid).claimed_at == NOW  # type: ignore[union-attr]


class TestUnknownSince:
    def test_mark_unknown_records_when(self, uow: SqlUnitOfWork) -> None:
        """mark_unknown stamps unknown_since with the end of the uncertain attempt."""
        claim = _unknown(uow, at=LATER)
        item = uow.queue.get(claim.deviationid)
        assert item is not None
        assert (item.unknown_since, item.reconcile_checked_at) == (LATER, None)

    def test_expired_claims_start_their_grace_at_expiry(self, uow: SqlUnitOfWork) -> None:
        """expire_claims stamps unknown_since with the expiry time (after claimed_at + lease)."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = uow.queue.claim_one_pending(NOW)
        assert claim is not None
        assert uow.queue.expire_claims(LATER, LATER) == 1
        assert uow.queue.get(claim.deviationid).unknown_since == LATER  # type: ignore[union-attr]


class TestForceCommented:
    def test_any_state_but_commented_becomes_commented_with_the_ledger(
        self, uow: SqlUnitOfWork
    ) -> None:
        """A pending row (stale claim's success) becomes commented and enters the ledger."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        [item] = uow.queue.list_page(None, 1, None)[0]
        assert uow.queue.force_commented(
            item.deviationid, commentid="c1", message_id=None, body_hash="h", body="b", now=LATER
        )
        after = uow.queue.get(item.deviationid)
        assert after is not None
        assert (after.status, after.commentid) == (QueueStatus.COMMENTED, "c1")
        assert uow.ledger.contains(item.deviationid)

    def test_a_commented_row_is_left_alone(self, uow: SqlUnitOfWork) -> None:
        """force_commented on a commented row changes nothing and says so."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        [item] = uow.queue.list_page(None, 1, None)[0]
        kw = {"message_id": None, "body_hash": "h", "body": "b", "now": LATER}
        assert uow.queue.force_commented(item.deviationid, commentid="c1", **kw)  # type: ignore[arg-type]
        assert not uow.queue.force_commented(item.deviationid, commentid="c2", **kw)  # type: ignore[arg-type]
        assert uow.queue.get(item.deviationid).commentid == "c1"  # type: ignore[union-attr]


class TestApproval:
    def test_only_approve_sets_approved_at(self, uow: SqlUnitOfWork) -> None:
        """A parked row has no approved_at; approve stamps it."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = uow.queue.claim_one_pending(NOW)
        assert claim is not None
        uow.queue.mark_awaiting_review(claim, message_id=None, body_hash="h", body="b", now=NOW)
        assert uow.queue.get(claim.deviationid).approved_at is None  # type: ignore[union-attr]
        assert uow.queue.approve(claim.deviationid, "b", "h", LATER)
        assert uow.queue.get(claim.deviationid).approved_at == LATER  # type: ignore[union-attr]


class TestUnknownRowsAreNeverDeleted:
    def test_remove_and_clear_keep_unknown_rows(self, uow: SqlUnitOfWork) -> None:
        """Neither remove nor clear deletes an `unknown` row."""
        claim = _unknown(uow)
        assert uow.queue.remove([claim.deviationid]) == 0
        assert uow.queue.clear() == 0
        assert uow.queue.clear(QueueStatus.UNKNOWN) == 0
        assert uow.queue.get(claim.deviationid) is not None
