"""Recording a comment takes the queue row before the ledger, on every path.

The worker recording a late success and reconciliation confirming the same
comment both lock the row, then insert into the ledger. In that order they
queue up behind each other; in opposite orders they deadlock on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.storage.unit_of_work import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]


class TestRowThenLedger:
    def test_the_second_recorder_waits_for_the_row_and_finds_the_ledger_entry(
        self, uow_factory: UowFactory
    ) -> None:
        """Reconciliation holds the row; the worker waits, then sees the comment recorded."""
        [item] = new_items(1, NOW)
        with uow_factory() as uow:
            uow.queue.add_many([item], NOW)
            claim = uow.queue.claim_one_pending(NOW)
            assert claim is not None
            assert uow.queue.mark_unknown(claim, "timeout", NOW)
            uow.commit()
        worker_first: list[bool] = []

        def worker_records() -> None:
            with uow_factory() as uow:
                uow.queue.lock_row(item.deviationid)
                worker_first.append(uow.ledger.add(item.deviationid, NOW, author=item.author))
                uow.commit()

        with uow_factory() as reconciler:
            assert reconciler.queue.claim_unknown(item.deviationid, NOW) is not None
            worker = threading.Thread(target=worker_records, daemon=True)
            worker.start()
            worker.join(0.5)  # the worker now waits for the row (SQLite: for the write lock)
            reconciler_first = reconciler.ledger.add(item.deviationid, NOW, author=item.author)
            reconciler.commit()
        worker.join(10)

        assert not worker.is_alive()
        assert (reconciler_first, worker_first) == (True, [False])
