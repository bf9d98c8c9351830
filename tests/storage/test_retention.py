"""What housekeeping may delete: expired queue rows, old log entries; the last pass recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import HousekeepingRun, LogStatus, QueueStatus
from photomanager.storage.tables import queue
from photomanager.storage.unit_of_work import SqlUnitOfWork

DAY = timedelta(days=1)
CUTOFF = NOW - 7 * DAY


def _settle(uow: SqlUnitOfWork, status: QueueStatus, prefix: str, when: datetime) -> str:
    """Queue one row published at `when` and leave it in `status`; returns its id."""
    (item,) = new_items(1, when, prefix=prefix)
    uow.queue.add_many([item], when)
    if status is QueueStatus.PENDING:
        return item.deviationid
    claim = uow.queue.claim_one_pending(when)
    assert claim is not None
    assert claim.deviationid == item.deviationid, "claimed another pending row"
    if status is QueueStatus.COMMENTED:
        uow.queue.mark_commented(
            claim, commentid="c", message_id=None, body_hash="h", body="b", now=when
        )
    elif status is QueueStatus.FAILED:
        uow.queue.mark_failed(claim, "gone", when)
    elif status is QueueStatus.SKIPPED:
        uow.queue.mark_skipped(claim, "cooldown: x", when)
    elif status is QueueStatus.UNKNOWN:
        uow.queue.mark_unknown(claim, "timeout", when)
    elif status is QueueStatus.AWAITING_REVIEW:
        uow.queue.mark_awaiting_review(claim, message_id=None, body_hash="h", body="b", now=when)
    return item.deviationid


def _real_counts(uow: SqlUnitOfWork) -> dict[QueueStatus, int]:
    rows = uow.connection.execute(select(queue.c.status, func.count()).group_by(queue.c.status))
    counts = dict.fromkeys(QueueStatus, 0)
    counts.update({QueueStatus(status): int(n) for status, n in rows})
    return counts


class TestPendingExpiry:
    def test_pending_published_before_the_cutoff_leave(self, uow: SqlUnitOfWork) -> None:
        """Pending rows published before the cutoff go; newer ones stay."""
        old = _settle(uow, QueueStatus.PENDING, "old", NOW - 8 * DAY)
        new = _settle(uow, QueueStatus.PENDING, "new", NOW - 6 * DAY)

        removed = uow.queue.delete_expired(QueueStatus.PENDING, CUTOFF, 100)

        assert removed == 1
        assert uow.queue.get(old) is None
        assert uow.queue.get(new) is not None

    def test_a_pending_row_approved_in_review_stays(self, uow: SqlUnitOfWork) -> None:
        """The artist's approved text is review work: its row never expires."""
        row = _settle(uow, QueueStatus.AWAITING_REVIEW, "rev", NOW - 9 * DAY)
        assert uow.queue.approve(row, "Nice!", "h", NOW - 9 * DAY)

        assert uow.queue.delete_expired(QueueStatus.PENDING, CUTOFF, 100) == 0
        assert uow.queue.get(row) is not None


class TestSettledExpiry:
    @pytest.mark.parametrize(
        "status", [QueueStatus.COMMENTED, QueueStatus.FAILED, QueueStatus.SKIPPED]
    )
    def test_settled_rows_leave_by_when_they_settled(
        self, uow: SqlUnitOfWork, status: QueueStatus
    ) -> None:
        """Commented, failed and skipped rows go when they settled before the cutoff."""
        old = _settle(uow, status, "old", NOW - 31 * DAY)
        recent = _settle(uow, status, "recent", NOW - 2 * DAY)

        removed = uow.queue.delete_expired(status, NOW - 30 * DAY, 100)

        assert removed == 1
        assert uow.queue.get(old) is None
        assert uow.queue.get(recent) is not None

    def test_the_ledger_keeps_a_removed_commented_row(self, uow: SqlUnitOfWork) -> None:
        """The anti-repeat ledger is untouched: the id is still known as commented."""
        row = _settle(uow, QueueStatus.COMMENTED, "c", NOW - 40 * DAY)

        uow.queue.delete_expired(QueueStatus.COMMENTED, NOW - 30 * DAY, 100)

        assert uow.ledger.contains(row)
        assert uow.queue.add_many(new_items(1, NOW, prefix="c"), NOW) == 0

    @pytest.mark.parametrize(
        "status", [QueueStatus.SENDING, QueueStatus.UNKNOWN, QueueStatus.AWAITING_REVIEW]
    )
    def test_rows_in_flight_or_in_review_never_expire(
        self, uow: SqlUnitOfWork, status: QueueStatus
    ) -> None:
        """Asking to expire sending, unknown or review rows is a programming error."""
        with pytest.raises(ValueError, match="never expire"):
            uow.queue.delete_expired(status, NOW, 100)


class TestBatches:
    def test_a_batch_takes_the_oldest_rows_first(self, uow: SqlUnitOfWork) -> None:
        """At most `limit` rows go per call, the oldest published first."""
        items = new_items(5, NOW - 10 * DAY)  # dev-000000 newest ... dev-000004 oldest
        uow.queue.add_many(items, NOW)

        assert uow.queue.delete_expired(QueueStatus.PENDING, CUTOFF, 2) == 2

        left = {i.deviationid for i in uow.queue.list_page(None, 10, None)[0]}
        assert left == {"dev-000000", "dev-000001", "dev-000002"}

    def test_counters_stay_exact_after_deletes(self, uow: SqlUnitOfWork) -> None:
        """The trigger-kept counts match a real count after expiring every kind of row."""
        for status in (QueueStatus.COMMENTED, QueueStatus.FAILED, QueueStatus.SKIPPED):
            _settle(uow, status, f"s-{status.value}", NOW - 40 * DAY)
        _settle(uow, QueueStatus.UNKNOWN, "u", NOW - 40 * DAY)
        uow.queue.add_many(new_items(7, NOW - 10 * DAY, prefix="p"), NOW)

        uow.queue.delete_expired(QueueStatus.PENDING, CUTOFF, 3)
        for status in (QueueStatus.COMMENTED, QueueStatus.FAILED, QueueStatus.SKIPPED):
            uow.queue.delete_expired(status, NOW - 30 * DAY, 100)

        assert uow.queue.get_stats() == _real_counts(uow)
        assert uow.queue.get_stats()[QueueStatus.PENDING] == 4

    def test_count_and_list_agree_with_the_delete(self, uow: SqlUnitOfWork) -> None:
        """The dry-run reads (count, oldest rows) name exactly what a delete removes."""
        uow.queue.add_many(new_items(4, NOW - 10 * DAY), NOW)
        uow.queue.add_many(new_items(2, NOW, prefix="fresh"), NOW)

        counted = uow.queue.count_expired(QueueStatus.PENDING, CUTOFF)
        listed = [i.deviationid for i in uow.queue.list_expired(QueueStatus.PENDING, CUTOFF, 10)]

        assert counted == 4
        assert listed == ["dev-000003", "dev-000002", "dev-000001", "dev-000000"]
        assert uow.queue.delete_expired(QueueStatus.PENDING, CUTOFF, 10) == counted


class TestLogRetention:
    def _log(self, uow: SqlUnitOfWork, days_ago: int, body: str = "b") -> None:
        uow.logs.append(
            deviationid=f"d{days_ago}", status=LogStatus.SENT, now=NOW - days_ago * DAY, body=body
        )

    def test_entries_before_the_cutoff_leave_in_batches(self, uow: SqlUnitOfWork) -> None:
        """Old entries go, at most `limit` per call, and the oldest kept one is reported."""
        for days in (400, 380, 370, 10):
            self._log(uow, days)

        first = uow.logs.delete_before(NOW - 365 * DAY, 2)
        second = uow.logs.delete_before(NOW - 365 * DAY, 2)

        assert (first, second) == (2, 1)
        assert uow.logs.count_before(NOW - 365 * DAY) == 0
        assert uow.logs.oldest_sent_at() == NOW - 10 * DAY

    def test_recent_bodies_come_from_the_log_alone(self, uow: SqlUnitOfWork) -> None:
        """The repeated-text guard's texts do not need the deviation's queue row."""
        self._log(uow, 3, body="Lovely work!")
        self._log(uow, 40, body="Old text")

        assert uow.logs.recent_bodies(NOW - 30 * DAY) == {"Lovely work!"}


class TestLastPass:
    def test_the_last_pass_is_kept_and_replaced(self, uow: SqlUnitOfWork) -> None:
        """One row: the newest pass replaces the one before, counts per status intact."""
        assert uow.housekeeping.get_last() is None
        first = HousekeepingRun(ran_at=NOW, removed={QueueStatus.PENDING: 3}, logs=1)
        second = HousekeepingRun(
            ran_at=NOW + DAY,
            removed={QueueStatus.COMMENTED: 2, QueueStatus.PENDING: 0},
            logs=0,
            complete=False,
            trigger="cli",
        )

        uow.housekeeping.save_last(first)
        uow.housekeeping.save_last(second)

        assert uow.housekeeping.get_last() == second
