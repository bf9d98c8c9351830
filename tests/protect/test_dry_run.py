"""Dry run: everything is rendered and logged as `dry_run`; nothing is posted."""

from __future__ import annotations

from photomanager.domain.models import LogStatus, QueueStatus, Source
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.posting.rendering import DRY_RUN_REASON
from protect.protect_support import configure, enqueue, logs, posts, publish, row
from services.service_harness import Harness


def dry_run_all(h: Harness, count: int) -> None:
    for _ in range(count):
        assert h.worker.run_once().outcome is StepOutcome.DRY_RUN
    assert h.worker.run_once().outcome is StepOutcome.IDLE


class TestDryRun:
    def test_nothing_is_posted_and_every_rendering_is_logged(self, harness: Harness) -> None:
        """Dry run on both sources: zero comments on DeviantArt, one dry_run log per row."""
        configure(harness, dry_run=True)
        harness.add_template()
        watch, glob = publish(harness, 2)
        enqueue(harness, [watch], Source.WATCH_FEED)
        enqueue(harness, [glob], Source.GLOBAL_FEED)
        dry_run_all(harness, 2)
        assert posts(harness) == 0
        entries = logs(harness, LogStatus.DRY_RUN)
        assert {e.deviationid for e in entries} == {watch, glob}
        assert all(e.body and e.message_id is not None for e in entries)
        assert {row(harness, d).status for d in (watch, glob)} == {QueueStatus.SKIPPED}
        assert row(harness, watch).last_error == DRY_RUN_REASON

    def test_dry_run_rows_carry_no_body(self, harness: Harness) -> None:
        """The would-be text stays in the log only, so review still applies later."""
        configure(harness, dry_run=True)
        harness.add_template()
        [deviationid] = publish(harness, 1)
        enqueue(harness, [deviationid], Source.GLOBAL_FEED)
        dry_run_all(harness, 1)
        assert row(harness, deviationid).body is None

    def test_rows_set_aside_are_not_requeued_while_dry_run_is_on(self, harness: Harness) -> None:
        """requeue_dry_run does nothing while dry run is still on."""
        configure(harness, dry_run=True)
        harness.add_template()
        enqueue(harness, publish(harness, 1))
        dry_run_all(harness, 1)
        assert harness.worker.requeue_dry_run() == 0

    def test_a_later_real_run_comments_what_the_dry_run_rendered(self, harness: Harness) -> None:
        """Dry run off: the rows go back to pending and are posted once each."""
        configure(harness, dry_run=True)
        harness.add_template()
        ids = publish(harness, 2)
        enqueue(harness, ids)
        dry_run_all(harness, 2)
        configure(harness, dry_run=False)
        assert harness.worker.requeue_dry_run() == 2
        assert [harness.worker.run_once().outcome for _ in ids] == [StepOutcome.SENT] * 2
        assert posts(harness) == 2
        assert {row(harness, d).status for d in ids} == {QueueStatus.COMMENTED}
