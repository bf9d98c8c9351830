"""Claims that hold a reviewed source's unapproved rows, and the hashes of parked texts."""

from __future__ import annotations

import dataclasses

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import Claim, Source
from photomanager.storage.unit_of_work import SqlUnitOfWork

HELD = (Source.GLOBAL_FEED,)


def queue_rows(uow: SqlUnitOfWork) -> tuple[str, str, str]:
    """Newest first: an unapproved global row, an approved global row, a watch row."""
    unapproved, approved, watch = new_items(3, NOW)
    uow.queue.add_many(
        [
            dataclasses.replace(unapproved, source=Source.GLOBAL_FEED),
            dataclasses.replace(approved, source=Source.GLOBAL_FEED),
            watch,
        ],
        NOW,
    )
    park(uow, approved.deviationid, "approved text")
    assert uow.queue.approve(approved.deviationid, "approved text", "hash-approved", NOW)
    return unapproved.deviationid, approved.deviationid, watch.deviationid


def park(uow: SqlUnitOfWork, deviationid: str, body: str) -> None:
    """Claim `deviationid` (and only it) and park it for review with `body`."""
    claims: list[Claim] = []
    while (claim := uow.queue.claim_one_pending(NOW)) is not None:
        claims.append(claim)
        if claim.deviationid == deviationid:
            break
    for claim in claims:
        if claim.deviationid == deviationid:
            ok = uow.queue.mark_awaiting_review(
                claim, message_id=None, body_hash=f"hash-{body}", body=body, now=NOW
            )
            assert ok
        else:
            assert uow.queue.release(claim, NOW)


class TestHoldUnapproved:
    def test_held_rows_are_passed_over_approved_and_other_rows_are_claimed(
        self, uow: SqlUnitOfWork
    ) -> None:
        """Global feed held: its approved row and the watch row are claimed, newest first."""
        unapproved, approved, watch = queue_rows(uow)

        first = uow.queue.claim_one_pending(NOW, hold_unapproved=HELD)
        second = uow.queue.claim_one_pending(NOW, hold_unapproved=HELD)
        third = uow.queue.claim_one_pending(NOW, hold_unapproved=HELD)

        assert [c.deviationid if c else None for c in (first, second, third)] == [
            approved,
            watch,
            None,
        ]
        assert uow.queue.claim_one_pending(NOW).deviationid == unapproved  # type: ignore[union-attr]

    def test_nothing_held_claims_the_newest_row(self, uow: SqlUnitOfWork) -> None:
        """Without holds the newest pending row comes first, approved or not."""
        unapproved, _, _ = queue_rows(uow)

        claim = uow.queue.claim_one_pending(NOW, hold_unapproved=())

        assert claim is not None
        assert claim.deviationid == unapproved


class TestAwaitingReviewHashes:
    def test_only_parked_texts_are_returned(self, uow: SqlUnitOfWork) -> None:
        """Hashes of rows awaiting review; approved and pending rows are not included."""
        rows = new_items(3, NOW)
        uow.queue.add_many(rows, NOW)
        park(uow, rows[0].deviationid, "first")
        park(uow, rows[1].deviationid, "second")
        assert uow.queue.approve(rows[1].deviationid, "second", "hash-second", NOW)

        assert uow.queue.awaiting_review_body_hashes() == {"hash-first"}


class TestApproveParked:
    def test_parked_rows_are_approved_in_one_go_others_left_alone(self, uow: SqlUnitOfWork) -> None:
        """Only rows awaiting review with a text become pending-approved; the ids say which."""
        rows = new_items(3, NOW)
        uow.queue.add_many(rows, NOW)
        park(uow, rows[0].deviationid, "first")
        park(uow, rows[1].deviationid, "second")

        approved = uow.queue.approve_parked(
            [rows[0].deviationid, rows[2].deviationid, rows[1].deviationid, "missing"], NOW
        )

        assert sorted(approved) == sorted([rows[0].deviationid, rows[1].deviationid])
        first = uow.queue.get(rows[0].deviationid)
        assert first is not None
        assert (first.status.value, first.body, first.approved_at) == ("pending", "first", NOW)
        untouched = uow.queue.get(rows[2].deviationid)
        assert untouched is not None
        assert untouched.approved_at is None
