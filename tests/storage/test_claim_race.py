"""Two worker processes claiming from one database never claim the same row."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

import pytest

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import claim_all, new_items
from photomanager.storage.unit_of_work import SqlUnitOfWork

ROWS = 300
WORKERS = 2


@pytest.mark.slow
class TestClaimRace:
    def test_no_row_is_claimed_twice(
        self, database_url: str, uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """Concurrent processes claim every row exactly once between them."""
        with uow_factory() as uow:
            uow.queue.add_many(new_items(ROWS, NOW), NOW)
            uow.commit()
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        workers = [
            context.Process(target=claim_all, args=(database_url, results)) for _ in range(WORKERS)
        ]
        for worker in workers:
            worker.start()

        claimed: list[str] = []
        finished = 0
        while finished < WORKERS:
            deviationid = results.get(timeout=120)
            if deviationid is None:
                finished += 1
            else:
                claimed.append(deviationid)
        for worker in workers:
            worker.join(timeout=60)

        assert [w.exitcode for w in workers] == [0] * WORKERS
        assert len(claimed) == len(set(claimed)) == ROWS
