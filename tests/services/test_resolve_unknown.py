"""Settling by hand a row whose outcome reconciliation cannot verify."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import add_unknown_row, new_items
from photomanager.domain.errors import Conflict, NotFound
from photomanager.domain.models import LogStatus, QueueStatus
from photomanager.sandbox import ManualClock
from photomanager.services.upkeep.queue import RESOLVED_NOT_POSTED, RESOLVED_POSTED, QueueService
from photomanager.storage.unit_of_work import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]


@pytest.fixture
def service(uow_factory: UowFactory) -> QueueService:
    return QueueService(uow_factory=uow_factory, clock=ManualClock(NOW))


def log_rows(uow_factory: UowFactory) -> list[tuple[LogStatus, str | None]]:
    with uow_factory() as uow:
        entries, _ = uow.logs.list_page(status=None, since=None, limit=50, cursor=None)
    return [(e.status, e.error_message) for e in entries]


class TestResolveUnknown:
    def test_posted_makes_it_commented_and_recorded(
        self, service: QueueService, uow_factory: UowFactory
    ) -> None:
        """Seen on DeviantArt: commented, in the ledger (never queued again), one sent row."""
        deviationid = add_unknown_row(uow_factory, "UNK-S", NOW)

        item = service.resolve_unknown(deviationid=deviationid, posted=True)

        assert item.status is QueueStatus.COMMENTED
        with uow_factory() as uow:
            assert uow.ledger.contains(deviationid)
        assert log_rows(uow_factory) == [(LogStatus.SENT, RESOLVED_POSTED)]

    def test_not_posted_queues_it_again(
        self, service: QueueService, uow_factory: UowFactory
    ) -> None:
        """Not there: back to pending (it will be posted), not in the ledger, logged as such."""
        deviationid = add_unknown_row(uow_factory, "UNK-S", NOW)

        item = service.resolve_unknown(deviationid=deviationid, posted=False)

        assert item.status is QueueStatus.PENDING
        with uow_factory() as uow:
            assert not uow.ledger.contains(deviationid)
        assert log_rows(uow_factory) == [(LogStatus.FAILED, RESOLVED_NOT_POSTED)]

    def test_only_unknown_rows_can_be_settled(
        self, service: QueueService, uow_factory: UowFactory
    ) -> None:
        """A pending row is a conflict and stays as it is; an unknown id is not found."""
        [item] = new_items(1, NOW, prefix="other")
        with uow_factory() as uow:
            uow.queue.add_many([item], NOW)
            uow.commit()

        with pytest.raises(Conflict):
            service.resolve_unknown(deviationid=item.deviationid, posted=True)
        with pytest.raises(NotFound):
            service.resolve_unknown(deviationid="nope", posted=True)
        with uow_factory() as uow:
            stored = uow.queue.get(item.deviationid)
            assert stored is not None
            assert stored.status is QueueStatus.PENDING
            assert not uow.ledger.contains(item.deviationid)
