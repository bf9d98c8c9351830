"""A worker frozen past `Reconciler.post_deadline` between claim and POST does not post."""

from __future__ import annotations

import pytest

from photomanager.domain.models import QueueStatus
from photomanager.services import crashpoints
from photomanager.services.posting.outcomes import StepOutcome
from protect.protect_support import enqueue, posts, publish, row
from services.service_harness import Harness


@pytest.fixture
def frozen_before_post(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the BEFORE_POST moment the fake clock jumps past the post deadline (a freeze)."""
    deadline = harness.worker.reconciler.post_deadline.total_seconds()
    real = crashpoints.crashpoint

    def freeze(label: str) -> None:
        if label == crashpoints.BEFORE_POST:
            harness.clock.advance(deadline + 1)
        real(label)

    monkeypatch.setattr(crashpoints, "crashpoint", freeze)


class TestPostDeadline:
    def test_a_frozen_worker_does_not_post(
        self, harness: Harness, frozen_before_post: None
    ) -> None:
        """Past the deadline: no POST; the claim is still ours, so the row goes back to pending."""
        harness.add_template()
        [deviationid] = publish(harness, 1)
        enqueue(harness, [deviationid])
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.RELEASED
        assert posts(harness) == 0
        assert (row(harness, deviationid).status, row(harness, deviationid).attempts) == (
            QueueStatus.PENDING,
            0,
        )

    def test_the_row_is_settled_and_posted_once_later(
        self, harness: Harness, frozen_before_post: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Released past the deadline, the row is posted by the next step, exactly once."""
        harness.add_template()
        [deviationid] = publish(harness, 1)
        enqueue(harness, [deviationid])
        harness.worker.run_once()
        monkeypatch.undo()
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert harness.worker.reconciler.expire_claims() == 0
        assert posts(harness) == 1
