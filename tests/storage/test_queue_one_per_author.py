"""Claims with `one_per_author`: never two rows of one author in flight at once."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import Claim, NewQueueItem
from photomanager.storage.unit_of_work import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]


def by(author: str | None, items: list[NewQueueItem]) -> list[NewQueueItem]:
    return [dataclasses.replace(item, author=author) for item in items]


class TestOnePerAuthor:
    def test_an_author_with_a_row_in_flight_is_passed_over(self, uow: SqlUnitOfWork) -> None:
        """While ann's newest row is being sent, the next claim takes bob's, not ann's."""
        ann_new, ann_old, bob = new_items(3, NOW)
        uow.queue.add_many([*by("ann", [ann_new, ann_old]), *by("bob", [bob])], NOW)

        first = uow.queue.claim_one_pending(NOW, one_per_author=True)
        second = uow.queue.claim_one_pending(NOW, one_per_author=True)
        third = uow.queue.claim_one_pending(NOW, one_per_author=True)

        assert first is not None
        assert first.deviationid == ann_new.deviationid
        assert second is not None
        assert second.deviationid == bob.deviationid
        assert third is None

    def test_the_author_is_free_again_once_the_row_settles(self, uow: SqlUnitOfWork) -> None:
        """A commented row no longer blocks its author (the cooldown check decides then)."""
        newest, older = by("ann", new_items(2, NOW))
        uow.queue.add_many([newest, older], NOW)
        claim = uow.queue.claim_one_pending(NOW, one_per_author=True)
        assert claim is not None
        uow.queue.mark_commented(
            claim, commentid="c1", message_id=None, body_hash="h", body="b", now=NOW
        )

        following = uow.queue.claim_one_pending(NOW, one_per_author=True)

        assert following is not None
        assert following.deviationid == older.deviationid

    def test_an_unknown_row_blocks_its_author_too(self, uow: SqlUnitOfWork) -> None:
        """A post that may have landed counts as in flight until it is reconciled."""
        newest, older = by("ann", new_items(2, NOW))
        uow.queue.add_many([newest, older], NOW)
        claim = uow.queue.claim_one_pending(NOW, one_per_author=True)
        assert claim is not None
        assert uow.queue.mark_unknown(claim, "timeout", NOW)

        assert uow.queue.claim_one_pending(NOW, one_per_author=True) is None

    def test_rows_without_an_author_are_not_held_back(self, uow: SqlUnitOfWork) -> None:
        """An unknown author is nobody in particular: such rows are claimed one after another."""
        uow.queue.add_many(by(None, new_items(2, NOW)), NOW)

        claims = [uow.queue.claim_one_pending(NOW, one_per_author=True) for _ in range(2)]

        assert all(claims)

    def test_without_the_flag_an_author_may_have_several_rows_in_flight(
        self, uow: SqlUnitOfWork
    ) -> None:
        """The default claim is unchanged: newest first, whoever the author."""
        uow.queue.add_many(by("ann", new_items(2, NOW)), NOW)

        assert all(uow.queue.claim_one_pending(NOW) for _ in range(2))


class TestConcurrentClaims:
    def test_workers_claiming_at_once_take_one_row_per_author(
        self, uow_factory: UowFactory
    ) -> None:
        """Six workers, two authors: at most one row of each author is claimed."""
        with uow_factory() as uow:
            items = new_items(12, NOW)
            uow.queue.add_many([*by("ann", items[:6]), *by("bob", items[6:])], NOW)
            uow.commit()
        start = threading.Barrier(6)
        claims: list[Claim] = []
        lock = threading.Lock()

        def claim_once() -> None:
            start.wait()
            with uow_factory() as uow:
                claim = uow.queue.claim_one_pending(NOW, one_per_author=True)
                uow.commit()
            if claim is not None:
                with lock:
                    claims.append(claim)

        threads = [threading.Thread(target=claim_once) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        authors = sorted(claim.item.author or "" for claim in claims)
        assert authors == ["ann", "bob"]
