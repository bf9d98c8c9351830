"""Claiming rows and recording outcomes: the queue state machine and its token guards."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import Claim, NewQueueItem, QueueStatus, Source
from photomanager.storage.unit_of_work import SqlUnitOfWork


def _claim(uow: SqlUnitOfWork) -> Claim:
    claim = uow.queue.claim_one_pending(NOW)
    assert claim is not None
    return claim


def _status(uow: SqlUnitOfWork, deviationid: str) -> QueueStatus:
    item = uow.queue.get(deviationid)
    assert item is not None
    return item.status


class TestClaimOnePending:
    def test_claims_newest_ts_first(self, uow: SqlUnitOfWork) -> None:
        """Rows are claimed newest `ts` first, whatever the insertion order."""
        items = new_items(3, NOW)
        uow.queue.add_many(reversed(items), NOW)

        claimed = [_claim(uow).deviationid for _ in range(3)]

        assert claimed == [i.deviationid for i in items]

    def test_claim_marks_row_sending_with_fresh_token(self, uow: SqlUnitOfWork) -> None:
        """A claim sets status sending, claimed_at and a token unique to this claim."""
        uow.queue.add_many(new_items(2, NOW), NOW)

        first, second = _claim(uow), _claim(uow)

        row = uow.queue.get(first.deviationid)
        assert row is not None
        assert row.status is QueueStatus.SENDING
        assert row.claimed_at == NOW
        assert row.claim_token == first.claim_token
        assert first.claim_token != second.claim_token
        assert first.item.status is QueueStatus.SENDING

    def test_not_yet_due_rows_are_skipped(self, uow: SqlUnitOfWork) -> None:
        """A retried row waits until its next_attempt_at, even if it is the newest."""
        newest, older = new_items(2, NOW)
        uow.queue.add_many([newest, older], NOW)
        claim = _claim(uow)
        uow.queue.mark_retry(claim, "429", NOW + timedelta(minutes=5), NOW)

        assert uow.queue.claim_one_pending(NOW).deviationid == older.deviationid  # type: ignore[union-attr]
        assert uow.queue.claim_one_pending(NOW) is None
        due = uow.queue.claim_one_pending(NOW + timedelta(minutes=5))
        assert due is not None
        assert due.deviationid == newest.deviationid

    def test_only_pending_rows_are_claimed(self, uow: SqlUnitOfWork) -> None:
        """Failed, unknown and commented rows are never claimed."""
        uow.queue.add_many(new_items(3, NOW), NOW)
        uow.queue.mark_failed(_claim(uow), "gone", NOW)
        uow.queue.mark_unknown(_claim(uow), "timeout", NOW)
        last = _claim(uow)
        uow.queue.mark_commented(
            last, commentid="c", message_id=None, body_hash="h", body="b", now=NOW
        )

        assert uow.queue.claim_one_pending(NOW) is None

    def test_empty_queue_gives_none(self, uow: SqlUnitOfWork) -> None:
        """Nothing to claim gives None."""
        assert uow.queue.claim_one_pending(NOW) is None


class TestClaimTokenGuards:
    @pytest.mark.parametrize(
        "mark",
        [
            lambda q, c: q.mark_commented(
                c, commentid="c", message_id=None, body_hash="h", body="b", now=NOW
            ),
            lambda q, c: q.mark_failed(c, "e", NOW),
            lambda q, c: q.mark_retry(c, "e", NOW, NOW),
            lambda q, c: q.release(c, NOW),
            lambda q, c: q.mark_unknown(c, "e", NOW),
            lambda q, c: q.mark_sending_body(c, message_id=None, body_hash="h", body="b", now=NOW),
            lambda q, c: q.mark_awaiting_review(
                c, message_id=None, body_hash="h", body="b", now=NOW
            ),
            lambda q, c: q.mark_skipped(c, "r", NOW),
        ],
        ids=[
            "commented",
            "failed",
            "retry",
            "release",
            "unknown",
            "sending_body",
            "awaiting_review",
            "skipped",
        ],
    )
    def test_stale_token_changes_nothing(self, uow: SqlUnitOfWork, mark: object) -> None:
        """Every mark_* with a stale token returns False and leaves the row as it was."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)
        stale = dataclasses.replace(claim, claim_token="not-the-token")
        before = uow.queue.get(claim.deviationid)

        changed = mark(uow.queue, stale)  # type: ignore[operator]

        assert changed is False
        assert uow.queue.get(claim.deviationid) == before
        assert uow.ledger.contains(claim.deviationid) is False

    def test_expired_claim_cannot_be_completed(self, uow: SqlUnitOfWork) -> None:
        """After its claim expired, a slow worker cannot mark the row commented."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)
        uow.queue.expire_claims(NOW + timedelta(seconds=1), NOW)

        done = uow.queue.mark_commented(
            claim, commentid="c", message_id=None, body_hash="h", body="b", now=NOW
        )

        assert done is False
        assert _status(uow, claim.deviationid) is QueueStatus.UNKNOWN

    def test_a_claim_is_used_once(self, uow: SqlUnitOfWork) -> None:
        """A token is spent by the first outcome; a second one changes nothing."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)

        assert uow.queue.mark_failed(claim, "first", NOW) is True
        assert uow.queue.mark_retry(claim, "second", NOW, NOW) is False
        assert _status(uow, claim.deviationid) is QueueStatus.FAILED


class TestOutcomes:
    def test_commented_writes_the_ledger(self, uow: SqlUnitOfWork) -> None:
        """mark_commented stores the comment and adds the id (and author) to the ledger."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)

        done = uow.queue.mark_commented(
            claim, commentid="c1", message_id=None, body_hash="h1", body="Nice!", now=NOW
        )

        row = uow.queue.get(claim.deviationid)
        assert done is True
        assert row is not None
        assert (row.status, row.commentid, row.body_hash, row.body, row.claim_token) == (
            QueueStatus.COMMENTED,
            "c1",
            "h1",
            "Nice!",
            None,
        )
        assert uow.ledger.contains(claim.deviationid)
        assert uow.ledger.count_author_since(claim.item.author or "", None) == 1

    def test_retry_spends_an_attempt_and_schedules(self, uow: SqlUnitOfWork) -> None:
        """mark_retry: pending again, attempts + 1, due at next_attempt_at, error kept."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)
        later = NOW + timedelta(minutes=2)

        uow.queue.mark_retry(claim, "503", later, NOW)

        row = uow.queue.get(claim.deviationid)
        assert row is not None
        assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == (
            QueueStatus.PENDING,
            1,
            later,
            "503",
        )

    def test_failed_spends_an_attempt(self, uow: SqlUnitOfWork) -> None:
        """mark_failed: failed, attempts + 1, error kept."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)

        uow.queue.mark_failed(claim, "comments disabled", NOW)

        row = uow.queue.get(claim.deviationid)
        assert row is not None
        assert (row.status, row.attempts, row.last_error) == (
            QueueStatus.FAILED,
            1,
            "comments disabled",
        )

    def test_release_spends_no_attempt(self, uow: SqlUnitOfWork) -> None:
        """release: pending again with the same attempts, claimable at once."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)

        assert uow.queue.release(claim, NOW) is True

        row = uow.queue.get(claim.deviationid)
        assert row is not None
        assert (row.status, row.attempts, row.claim_token) == (QueueStatus.PENDING, 0, None)
        assert uow.queue.claim_one_pending(NOW) is not None

    def test_sending_body_keeps_the_claim(self, uow: SqlUnitOfWork) -> None:
        """mark_sending_body records the body; the same claim can still finish the row."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)

        uow.queue.mark_sending_body(claim, message_id=None, body_hash="h", body="Hi", now=NOW)

        row = uow.queue.get(claim.deviationid)
        assert row is not None
        assert (row.status, row.body, row.body_hash) == (QueueStatus.SENDING, "Hi", "h")
        assert uow.queue.mark_failed(claim, "e", NOW) is True

    def test_review_then_approve_queues_the_approved_body(self, uow: SqlUnitOfWork) -> None:
        """awaiting_review -> approve -> pending with the approved body."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        claim = _claim(uow)
        uow.queue.mark_awaiting_review(claim, message_id=None, body_hash="h", body="Hi", now=NOW)
        assert uow.queue.claim_one_pending(NOW) is None

        assert uow.queue.approve(claim.deviationid, "Hi there", "h2", NOW) is True

        again = uow.queue.claim_one_pending(NOW)
        assert again is not None
        assert (again.item.body, again.item.body_hash) == ("Hi there", "h2")

    def test_skip_review(self, uow: SqlUnitOfWork) -> None:
        """skip_review moves an awaiting row to skipped; other rows are refused."""
        uow.queue.add_many(new_items(2, NOW), NOW)
        claim = _claim(uow)
        uow.queue.mark_awaiting_review(claim, message_id=None, body_hash="h", body="Hi", now=NOW)

        assert uow.queue.skip_review(claim.deviationid, "not my style", NOW) is True
        assert uow.queue.skip_review("dev-000001", "pending row", NOW) is False
        assert _status(uow, claim.deviationid) is QueueStatus.SKIPPED


class TestUnknownRows:
    def test_expire_claims_turns_old_sending_rows_unknown(self, uow: SqlUnitOfWork) -> None:
        """Only sending rows claimed before the cutoff become unknown, token cleared."""
        uow.queue.add_many(new_items(2, NOW), NOW)
        old = uow.queue.claim_one_pending(NOW - timedelta(minutes=10))
        fresh = _claim(uow)
        assert old is not None

        expired = uow.queue.expire_claims(NOW - timedelta(minutes=5), NOW)

        old_row = uow.queue.get(old.deviationid)
        assert expired == 1
        assert old_row is not None
        assert (old_row.status, old_row.claim_token) == (QueueStatus.UNKNOWN, None)
        assert _status(uow, fresh.deviationid) is QueueStatus.SENDING

    def test_reconcile_unknown_to_commented(self, uow: SqlUnitOfWork) -> None:
        """claim_unknown gives a fresh token with which the row can be marked commented."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        uow.queue.mark_unknown(_claim(uow), "timeout", NOW)
        [unknown] = uow.queue.list_unknown(10)

        claim = uow.queue.claim_unknown(unknown.deviationid, NOW)

        assert claim is not None
        assert claim.item.status is QueueStatus.UNKNOWN
        assert uow.queue.mark_commented(
            claim, commentid="c", message_id=None, body_hash="h", body="b", now=NOW
        )
        assert uow.ledger.contains(unknown.deviationid)

    def test_reconcile_unknown_to_pending(self, uow: SqlUnitOfWork) -> None:
        """resolve_unknown_pending puts the row back in the queue."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        uow.queue.mark_unknown(_claim(uow), "timeout", NOW)
        claim = uow.queue.claim_unknown("dev-000000", NOW)
        assert claim is not None

        assert uow.queue.resolve_unknown_pending(claim, NOW) is True
        assert uow.queue.claim_one_pending(NOW) is not None

    def test_claim_unknown_refuses_other_statuses(self, uow: SqlUnitOfWork) -> None:
        """claim_unknown on a pending or missing row gives None."""
        uow.queue.add_many(new_items(1, NOW), NOW)

        assert uow.queue.claim_unknown("dev-000000", NOW) is None
        assert uow.queue.claim_unknown("missing", NOW) is None

    def test_a_newer_reconciliation_claim_wins(self, uow: SqlUnitOfWork) -> None:
        """Claiming an unknown row twice makes the first claim stale."""
        uow.queue.add_many(new_items(1, NOW), NOW)
        uow.queue.mark_unknown(_claim(uow), "timeout", NOW)
        first = uow.queue.claim_unknown("dev-000000", NOW)
        second = uow.queue.claim_unknown("dev-000000", NOW)
        assert first is not None
        assert second is not None

        assert uow.queue.resolve_unknown_pending(first, NOW) is False
        assert uow.queue.resolve_unknown_pending(second, NOW) is True


class TestSourceRoundTrip:
    def test_source_is_kept(self, uow: SqlUnitOfWork) -> None:
        """The feed a row came from is read back as a Source."""
        uow.queue.add_deviation(NewQueueItem("G", Source.GLOBAL_FEED, NOW), NOW)

        assert uow.queue.get("G").source is Source.GLOBAL_FEED  # type: ignore[union-attr]
