"""Filling the queue: upserts that never undo progress and never re-queue the ledger."""

from __future__ import annotations

from datetime import timedelta

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import NewQueueItem, QueueStatus, Source
from photomanager.storage.unit_of_work import SqlUnitOfWork


def _item(deviationid: str, **kw: object) -> NewQueueItem:
    return NewQueueItem(deviationid=deviationid, source=Source.WATCH_FEED, ts=NOW, **kw)  # type: ignore[arg-type]


class TestAddDeviation:
    def test_new_row_is_pending_with_its_fields(self, uow: SqlUnitOfWork) -> None:
        """A new deviation is stored pending, with what the collector saw."""
        added = uow.queue.add_deviation(
            _item("A", author="ann", title="Sunset", url="https://x/a"), NOW
        )

        item = uow.queue.get("A")
        assert added is True
        assert item is not None
        assert (item.status, item.attempts, item.author, item.title, item.url) == (
            QueueStatus.PENDING,
            0,
            "ann",
            "Sunset",
            "https://x/a",
        )
        assert item.ts == NOW
        assert item.updated_at == NOW

    def test_thumbnails_are_kept_per_row_in_a_batch(self, uow: SqlUnitOfWork) -> None:
        """add_many stores each row's thumbnail URL (or none) alongside its other fields."""
        url = "https://images-wixmp-ed30a86b8c4ca887773594c2.wixmp.com/f/a/150.jpg"
        uow.queue.add_many([_item("A", thumbnail_url=url), _item("B")], NOW)

        shown = {d: uow.queue.get(d) for d in ("A", "B")}
        assert {d: i.thumbnail_url for d, i in shown.items() if i is not None} == {
            "A": url,
            "B": None,
        }

    def test_known_row_is_not_new(self, uow: SqlUnitOfWork) -> None:
        """Adding an id twice reports it as new only the first time."""
        uow.queue.add_deviation(_item("A"), NOW)

        assert uow.queue.add_deviation(_item("A"), NOW) is False

    def test_commented_row_stays_commented(self, uow: SqlUnitOfWork) -> None:
        """Re-adding a commented deviation leaves it commented."""
        uow.queue.add_deviation(_item("A"), NOW)
        claim = uow.queue.claim_one_pending(NOW)
        assert claim is not None
        uow.queue.mark_commented(
            claim, commentid="c1", message_id=None, body_hash="h", body="b", now=NOW
        )
        uow.queue.clear(QueueStatus.COMMENTED)

        assert uow.queue.add_deviation(_item("A"), NOW) is False
        assert uow.queue.get("A") is None

    def test_sending_and_unknown_rows_are_not_reset(self, uow: SqlUnitOfWork) -> None:
        """A row being sent or of unknown outcome keeps its state when re-added."""
        uow.queue.add_many([_item("A"), _item("B")], NOW)
        first = uow.queue.claim_one_pending(NOW)
        second = uow.queue.claim_one_pending(NOW)
        assert first is not None
        assert second is not None
        uow.queue.mark_unknown(second, "read timeout", NOW)

        uow.queue.add_many([_item("A"), _item("B")], NOW + timedelta(minutes=1))

        assert uow.queue.get(first.deviationid).status is QueueStatus.SENDING  # type: ignore[union-attr]
        assert uow.queue.get(second.deviationid).status is QueueStatus.UNKNOWN  # type: ignore[union-attr]

    def test_ledger_id_is_never_queued(self, uow: SqlUnitOfWork) -> None:
        """An id in commented_deviations is skipped even after the queue was pruned."""
        uow.ledger.add("A", NOW)

        assert uow.queue.add_deviation(_item("A"), NOW) is False
        assert uow.queue.get("A") is None


class TestAddMany:
    def test_counts_only_really_new_rows(self, uow: SqlUnitOfWork) -> None:
        """`add_many` returns how many rows were inserted, not how many were given."""
        uow.queue.add_many(new_items(3, NOW), NOW)
        uow.ledger.add("dev-000004", NOW)

        added = uow.queue.add_many(new_items(6, NOW), NOW)

        assert added == 2
        assert sum(uow.queue.get_stats().values()) == 5

    def test_duplicates_inside_one_batch_count_once(self, uow: SqlUnitOfWork) -> None:
        """The same id twice in one call is inserted once."""
        added = uow.queue.add_many([_item("A"), _item("A", title="again")], NOW)

        assert added == 1
        assert uow.queue.get("A").title is None  # type: ignore[union-attr]

    def test_streams_more_than_one_batch(self, uow: SqlUnitOfWork) -> None:
        """A generator longer than one internal batch is fully consumed."""
        count = 12_345
        added = uow.queue.add_many(iter(new_items(count, NOW)), NOW)

        assert added == count
        assert uow.queue.get_stats()[QueueStatus.PENDING] == count

    def test_empty_input_adds_nothing(self, uow: SqlUnitOfWork) -> None:
        """An empty iterable is a no-op."""
        assert uow.queue.add_many([], NOW) == 0
