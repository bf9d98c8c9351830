"""Reading and managing the queue: stats, keyset pages, reset, remove, clear."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.errors import InvalidInput
from photomanager.domain.models import NewQueueItem, QueueStatus, Source
from photomanager.storage.unit_of_work import SqlUnitOfWork


def _fill_mixed(uow: SqlUnitOfWork) -> dict[str, QueueStatus]:
    """Five rows: one each sending, failed, unknown, commented, pending."""
    uow.queue.add_many(new_items(5, NOW), NOW)
    claims = [uow.queue.claim_one_pending(NOW) for _ in range(4)]
    assert None not in claims
    sending, failed, unknown, commented = claims  # type: ignore[misc]
    uow.queue.mark_failed(failed, "gone", NOW)
    uow.queue.mark_unknown(unknown, "timeout", NOW)
    uow.queue.mark_commented(
        commented, commentid="c", message_id=None, body_hash="h", body="b", now=NOW
    )
    return {
        sending.deviationid: QueueStatus.SENDING,
        failed.deviationid: QueueStatus.FAILED,
        unknown.deviationid: QueueStatus.UNKNOWN,
        commented.deviationid: QueueStatus.COMMENTED,
        "dev-000004": QueueStatus.PENDING,
    }


class TestStats:
    def test_counts_per_status(self, uow: SqlUnitOfWork) -> None:
        """Every status is reported, with zero for the empty ones."""
        _fill_mixed(uow)

        stats = uow.queue.get_stats()

        assert stats == {
            QueueStatus.PENDING: 1,
            QueueStatus.SENDING: 1,
            QueueStatus.UNKNOWN: 1,
            QueueStatus.COMMENTED: 1,
            QueueStatus.FAILED: 1,
            QueueStatus.AWAITING_REVIEW: 0,
            QueueStatus.SKIPPED: 0,
        }


class TestListPage:
    def test_pages_cover_every_row_once_newest_first(self, uow: SqlUnitOfWork) -> None:
        """Walking the cursor yields every row exactly once, in (ts, id) descending order."""
        items = new_items(23, NOW)
        uow.queue.add_many(items, NOW)
        seen: list[str] = []
        cursor: str | None = None
        while True:
            page, cursor = uow.queue.list_page(None, 5, cursor)
            seen.extend(i.deviationid for i in page)
            if cursor is None:
                break

        assert seen == [i.deviationid for i in items]

    def test_no_dupes_or_gaps_while_rows_are_inserted(self, uow: SqlUnitOfWork) -> None:
        """Rows added between pages (newer, older, same ts) never shift what is seen."""
        uow.queue.add_many(new_items(20, NOW), NOW)
        original = {f"dev-{i:06d}" for i in range(20)}
        seen: list[str] = []
        cursor: str | None = None
        batch = 0
        while True:
            page, cursor = uow.queue.list_page(None, 4, cursor)
            seen.extend(i.deviationid for i in page)
            if cursor is None:
                break
            batch += 1
            at = page[-1].ts
            uow.queue.add_many(
                [
                    NewQueueItem(f"new-{batch}", Source.WATCH_FEED, NOW + timedelta(hours=1)),
                    NewQueueItem(f"aaa-{batch}", Source.WATCH_FEED, at),  # same ts, smaller id
                ],
                NOW,
            )

        assert len(seen) == len(set(seen))
        assert original <= set(seen)
        assert not any(s.startswith("new-") for s in seen)

    def test_same_ts_is_broken_by_id(self, uow: SqlUnitOfWork) -> None:
        """Rows sharing one ts are paged by deviationid without loss."""
        uow.queue.add_many(
            [NewQueueItem(f"id-{i:02d}", Source.WATCH_FEED, NOW) for i in range(7)], NOW
        )
        first, cursor = uow.queue.list_page(None, 3, None)
        second, cursor = uow.queue.list_page(None, 3, cursor)
        third, cursor = uow.queue.list_page(None, 3, cursor)

        ids = [i.deviationid for i in first + second + third]
        assert ids == [f"id-{i:02d}" for i in reversed(range(7))]
        assert cursor is None

    def test_filter_by_status(self, uow: SqlUnitOfWork) -> None:
        """A status filter lists only rows in that status."""
        statuses = _fill_mixed(uow)

        page, cursor = uow.queue.list_page(QueueStatus.FAILED, 10, None)

        assert [i.deviationid for i in page] == [
            d for d, s in statuses.items() if s is QueueStatus.FAILED
        ]
        assert cursor is None

    def test_exact_fit_has_no_next_cursor(self, uow: SqlUnitOfWork) -> None:
        """A page that ends at the last row gives no cursor."""
        uow.queue.add_many(new_items(4, NOW), NOW)

        page, cursor = uow.queue.list_page(None, 4, None)

        assert len(page) == 4
        assert cursor is None

    @pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4IiwxXQ"])
    def test_bad_cursor_is_invalid_input(self, uow: SqlUnitOfWork, cursor: str) -> None:
        """A cursor we did not issue is refused as invalid input."""
        with pytest.raises(InvalidInput):
            uow.queue.list_page(None, 5, cursor)


class TestResetFailed:
    def test_failed_rows_become_pending_with_attempts_reset(self, uow: SqlUnitOfWork) -> None:
        """reset_failed_to_pending touches only failed rows and zeroes their attempts."""
        statuses = _fill_mixed(uow)
        failed_id = next(d for d, s in statuses.items() if s is QueueStatus.FAILED)

        reset = uow.queue.reset_failed_to_pending(NOW)

        row = uow.queue.get(failed_id)
        assert reset == 1
        assert row is not None
        assert (row.status, row.attempts, row.next_attempt_at) == (QueueStatus.PENDING, 0, None)
        assert uow.queue.get_stats()[QueueStatus.PENDING] == 2


class TestRemoveAndClear:
    def test_remove_skips_sending_and_unknown_rows(self, uow: SqlUnitOfWork) -> None:
        """remove deletes the given rows except sending/unknown ones, and counts them."""
        statuses = _fill_mixed(uow)

        removed = uow.queue.remove([*statuses, "missing"])

        kept = {QueueStatus.SENDING, QueueStatus.UNKNOWN}
        assert removed == 3
        remaining = {d for d in statuses if uow.queue.get(d) is not None}
        assert remaining == {d for d, s in statuses.items() if s in kept}

    def test_clear_everything_but_sending_and_unknown(self, uow: SqlUnitOfWork) -> None:
        """clear() without a status empties the queue except sending and unknown rows."""
        _fill_mixed(uow)

        assert uow.queue.clear() == 3
        assert uow.queue.get_stats()[QueueStatus.SENDING] == 1
        assert uow.queue.get_stats()[QueueStatus.UNKNOWN] == 1

    def test_clear_one_status(self, uow: SqlUnitOfWork) -> None:
        """clear(status) deletes only rows of that status."""
        _fill_mixed(uow)

        assert uow.queue.clear(QueueStatus.FAILED) == 1
        assert uow.queue.get_stats()[QueueStatus.FAILED] == 0
        assert sum(uow.queue.get_stats().values()) == 4

    def test_clear_sending_clears_nothing(self, uow: SqlUnitOfWork) -> None:
        """clear(sending) never deletes a row being sent."""
        _fill_mixed(uow)

        assert uow.queue.clear(QueueStatus.SENDING) == 0
        assert uow.queue.get_stats()[QueueStatus.SENDING] == 1

    def test_clearing_commented_keeps_the_ledger(self, uow: SqlUnitOfWork) -> None:
        """Pruning commented rows does not forget them: they are never re-queued."""
        statuses = _fill_mixed(uow)
        commented = next(d for d, s in statuses.items() if s is QueueStatus.COMMENTED)
        uow.queue.clear(QueueStatus.COMMENTED)

        assert uow.queue.add_many(new_items(5, NOW), NOW) == 0
        assert uow.queue.get(commented) is None
