"""The status report counts skipped rows by the kind of their reason."""

from __future__ import annotations

from photomanager.domain.models import Source
from photomanager.services.reporting.skip_reasons import count_by_key, skip_kind_key
from photomanager.services.upkeep.review import ReviewService
from protect.protect_support import configure, enqueue, publish
from services.service_harness import Harness


class TestStatusCounts:
    def test_nothing_skipped_counts_nothing(self, harness: Harness) -> None:
        """With no skipped row the report has no reason at all."""
        assert harness.status.status().skipped_by_reason == {}

    def test_dry_run_rows_count_as_dry_run(self, harness: Harness) -> None:
        """Rows set aside by a dry run are counted under dry_run."""
        configure(harness, dry_run=True)
        harness.add_template()
        enqueue(harness, publish(harness, 2))
        harness.worker.run_once()
        harness.worker.run_once()
        assert harness.status.status().skipped_by_reason == {"dry_run": 2}

    def test_author_cooldown_and_review_skips_are_apart(self, harness: Harness) -> None:
        """A cooldown skip and a skip in review are two kinds, one row each."""
        harness.add_template()
        author = harness.sandbox.users[0]
        first, second = harness.sandbox.publish(2, author=author)
        enqueue(harness, [first, second])
        harness.worker.run_once()  # posted
        harness.worker.run_once()  # same author: cooldown
        [parked] = harness.sandbox.publish(1, author=harness.sandbox.users[1])
        enqueue(harness, [parked], Source.GLOBAL_FEED)
        harness.worker.run_once()  # awaiting review
        ReviewService(uow_factory=harness.uow_factory, clock=harness.clock).skip(parked)
        assert harness.status.status().skipped_by_reason == {
            "author_cooldown": 1,
            "skipped_in_review": 1,
        }

    def test_author_limit_rows_count_as_author_limit(self, harness: Harness) -> None:
        """Rows past max_per_author are counted under author_limit, whatever the author."""
        configure(harness, author_cooldown_days=0, max_per_author=1)
        harness.add_template()
        author = harness.sandbox.users[0]
        ids = harness.sandbox.publish(3, author=author)
        enqueue(harness, ids)
        for _ in ids:
            harness.worker.run_once()
        assert harness.status.status().skipped_by_reason == {"author_limit": 2}


class TestKeys:
    def test_unknown_kinds_become_snake_case(self) -> None:
        """A kind without a known name is its own text in snake case; empty is other."""
        assert skip_kind_key("Excluded Author: x") == "excluded_author"
        assert skip_kind_key("") == "other"
        assert skip_kind_key(None) == "other"

    def test_kinds_sharing_a_key_are_added(self) -> None:
        """Counts of kinds that map to one key are summed."""
        assert count_by_key({"dry run": 2, " dry run": 1, "": 4}) == {"dry_run": 3, "other": 4}
