"""Per-author limits: one comment per author within the cooldown, at most M ever."""

from __future__ import annotations

from datetime import timedelta

from photomanager.domain.models import DeviantArtUser, LogStatus, QueueStatus
from photomanager.services.posting.outcomes import StepOutcome
from protect.protect_support import configure, enqueue, logs, posts, row
from services.service_harness import Harness

DAY = timedelta(days=1).total_seconds()


def someone(h: Harness) -> DeviantArtUser:
    return h.sandbox.users[0]


class TestCooldown:
    def test_two_deviations_by_one_author_get_one_comment(self, harness: Harness) -> None:
        """The second row of the same author is skipped with the reason, and logged."""
        harness.add_template()
        first, second = harness.sandbox.publish(2, author=someone(harness))
        enqueue(harness, [first, second])
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.SKIPPED
        assert posts(harness) == 1
        item = row(harness, second)
        assert item.status is QueueStatus.SKIPPED
        assert item.last_error is not None
        assert item.last_error.startswith("author cooldown: commented less than an hour ago")
        [entry] = logs(harness, LogStatus.SKIPPED)
        assert entry.deviationid == second

    def test_the_reason_says_how_long_ago(self, harness: Harness) -> None:
        """Three days after a comment, the skip says "commented 3 days ago"."""
        harness.add_template()
        [first] = harness.sandbox.publish(1, author=someone(harness))
        enqueue(harness, [first])
        harness.worker.run_once()
        harness.clock.advance(3 * DAY + 60)
        [later] = harness.sandbox.publish(1, author=someone(harness))
        enqueue(harness, [later])
        harness.worker.run_once()
        assert (row(harness, later).last_error or "").startswith(
            "author cooldown: commented 3 days ago"
        )

    def test_after_the_cooldown_the_author_may_be_commented_again(self, harness: Harness) -> None:
        """Past author_cooldown_days, a new deviation of the same author is commented."""
        configure(harness, author_cooldown_days=7)
        harness.add_template()
        [first] = harness.sandbox.publish(1, author=someone(harness))
        enqueue(harness, [first])
        harness.worker.run_once()
        harness.clock.advance(7 * DAY + 1)
        [later] = harness.sandbox.publish(1, author=someone(harness))
        enqueue(harness, [later])
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert posts(harness) == 2

    def test_zero_days_switches_the_cooldown_off(self, harness: Harness) -> None:
        """author_cooldown_days=0: both deviations of one author are commented."""
        configure(harness, author_cooldown_days=0)
        harness.add_template()
        ids = harness.sandbox.publish(2, author=someone(harness))
        enqueue(harness, ids)
        assert [harness.worker.run_once().outcome for _ in ids] == [StepOutcome.SENT] * 2


class TestLimitEver:
    def test_max_per_author_stops_for_good(self, harness: Harness) -> None:
        """max_per_author=1: after the cooldown the author is still skipped, by the limit."""
        configure(harness, author_cooldown_days=1, max_per_author=1)
        harness.add_template()
        [first] = harness.sandbox.publish(1, author=someone(harness))
        enqueue(harness, [first])
        harness.worker.run_once()
        harness.clock.advance(30 * DAY)
        [later] = harness.sandbox.publish(1, author=someone(harness))
        enqueue(harness, [later])
        assert harness.worker.run_once().outcome is StepOutcome.SKIPPED
        assert (row(harness, later).last_error or "").startswith("author limit reached")
        assert posts(harness) == 1
