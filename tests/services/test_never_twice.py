"""Never post twice: the review findings on the worker, each pinned by a test.

Real storage (SQLite, and PostgreSQL when marked) and the sandbox DeviantArt;
a few thin wrappers around the real API stand in for a slow or lost POST.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from typing import Any

import pytest

from fixtures.database import METADATA_READ
from photomanager.domain.body_hash import body_hash
from photomanager.domain.errors import (
    Conflict,
    OutcomeUnknown,
    PostDeadlinePassed,
    RateLimited,
)
from photomanager.domain.models import (
    CommentPage,
    LogStatus,
    NewQueueItem,
    QueueStatus,
    Source,
)
from photomanager.domain.templates.sanitize import sanitize_variable
from photomanager.services import crashpoints
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.posting.reconcile import GRACE, RECHECK, Reconciler
from photomanager.services.posting.worker import CommentWorker
from photomanager.services.upkeep.review import ReviewService
from protect.protect_support import configure, enqueue, logs, me, posts, publish, row
from services.service_harness import Harness


class ApiWrapper:
    """The real API; subclasses change one call."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class LostAnswer(ApiWrapper):
    """The POST lands (or not), then the answer is lost after `seconds` (a read timeout)."""

    def __init__(self, inner: Any, clock: Any, *, lands: bool, seconds: float = 0) -> None:
        super().__init__(inner)
        self._clock, self._lands, self._seconds = clock, lands, seconds

    def post_comment(self, deviationid: str, body: str, **kw: Any) -> Any:
        if self._lands:
            self._inner.post_comment(deviationid, body, **kw)
        self._clock.advance(self._seconds)
        raise OutcomeUnknown("read timeout")


class StaleAfterPost(ApiWrapper):
    """The POST lands, then `meanwhile()` runs before the worker hears the answer."""

    def __init__(self, inner: Any, meanwhile: Any) -> None:
        super().__init__(inner)
        self._meanwhile = meanwhile

    def post_comment(self, deviationid: str, body: str, **kw: Any) -> Any:
        comment = self._inner.post_comment(deviationid, body, **kw)
        self._meanwhile()
        return comment


class RateLimitedReads(ApiWrapper):
    """Every comment read-back is rate limited."""

    def __init__(self, inner: Any) -> None:
        super().__init__(inner)
        self.reads = 0

    def list_comments(self, deviationid: str, **kw: Any) -> CommentPage:
        self.reads += 1
        raise RateLimited("slow down", retry_after=900)


class RateLimitedWhoami(ApiWrapper):
    def whoami(self) -> Any:
        raise RateLimited("slow down", retry_after=900)


@pytest.fixture
def one(harness: Harness) -> str:
    """One fresh watch-feed deviation queued, with an active template."""
    harness.add_template()
    [deviationid] = publish(harness, 1)
    enqueue(harness, [deviationid])
    return deviationid


def _make_unknown(h: Harness, *, lands: bool, seconds: float = 0) -> None:
    """Run one step whose POST answer is lost; the row ends `unknown`."""
    h.worker._api = LostAnswer(h.api, h.clock, lands=lands, seconds=seconds)  # type: ignore[assignment]
    try:
        result = h.worker.run_once()
        assert result.outcome is StepOutcome.UNKNOWN, result
    finally:
        h.worker._api = h.api


class TestRemoveNeverForgetsAnUnknownRow:
    def test_remove_selected_refuses_unknown_rows(self, harness: Harness, one: str) -> None:
        """An `unknown` row may already be commented: removing it is a Conflict saying why."""
        _make_unknown(harness, lands=False)
        with pytest.raises(Conflict, match="may already have their comment"):
            harness.queue.remove_selected(deviationids=[one])
        assert row(harness, one).status is QueueStatus.UNKNOWN

    def test_clear_keeps_unknown_rows_so_collectors_cannot_requeue_them(
        self, harness: Harness, one: str
    ) -> None:
        """clear() leaves the unknown row, so adding the id again changes nothing."""
        _make_unknown(harness, lands=False)
        harness.queue.clear()
        with harness.uow_factory() as uow:
            added = uow.queue.add_many(
                [
                    NewQueueItem(
                        deviationid=one,
                        source=Source.WATCH_FEED,
                        ts=harness.clock.now(),
                        enriched_at=METADATA_READ,
                    )
                ],
                harness.clock.now(),
            )
            uow.commit()
        assert added == 0
        assert row(harness, one).status is QueueStatus.UNKNOWN

    def test_clearing_the_unknown_status_is_refused(self, harness: Harness, one: str) -> None:
        """clear(unknown) is a Conflict."""
        _make_unknown(harness, lands=False)
        with pytest.raises(Conflict):
            harness.queue.clear(status=QueueStatus.UNKNOWN)


class TestPostDeadline:
    def test_the_client_refuses_an_attempt_that_could_outlive_the_deadline(
        self, harness: Harness, one: str
    ) -> None:
        """Deadline closer than one full attempt: PostDeadlinePassed and nothing sent."""
        with pytest.raises(PostDeadlinePassed):
            harness.api.post_comment(
                one, "hello", deadline=harness.clock.now() + timedelta(seconds=5)
            )
        assert posts(harness) == 0

    def test_a_late_worker_releases_the_row_instead_of_posting(
        self, harness: Harness, one: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Frozen 60 s before the POST: one attempt no longer fits; released, unsent, no attempt."""
        real = crashpoints.crashpoint

        def freeze(label: str) -> None:
            if label == crashpoints.BEFORE_POST:
                harness.clock.advance(60)
            real(label)

        monkeypatch.setattr(crashpoints, "crashpoint", freeze)
        result = harness.worker.run_once()
        assert (result.outcome, result.posted) == (StepOutcome.RELEASED, True)
        assert posts(harness) == 0
        assert (row(harness, one).status, row(harness, one).attempts) == (QueueStatus.PENDING, 0)

    def test_the_lease_must_cover_deadline_attempt_and_margin(self, harness: Harness) -> None:
        """A lease shorter than post deadline + one attempt + margin is refused."""
        with pytest.raises(ValueError, match="lease"):
            Reconciler(
                uow_factory=harness.uow_factory,
                api=harness.api,
                clock=harness.clock,
                lease=timedelta(seconds=150),
                post_deadline=timedelta(seconds=120),
            )


class TestGraceStartsWhenTheRowBecameUnknown:
    def test_a_slow_uncertain_post_gets_its_full_grace(self, harness: Harness, one: str) -> None:
        """Unknown 4 min after the claim: still unknown just before grace from that moment."""
        _make_unknown(harness, lands=False, seconds=240)
        unknown_since = row(harness, one).unknown_since
        assert unknown_since == harness.clock.now()
        harness.clock.advance(GRACE.total_seconds() - 1)
        harness.worker.reconciler.reconcile_all(me(harness), harness.stop)
        assert row(harness, one).status is QueueStatus.UNKNOWN

    def test_two_not_found_reads_a_minute_apart_are_needed(
        self, harness: Harness, one: str
    ) -> None:
        """After the grace: first miss noted, an early second read waits, a later one requeues."""
        _make_unknown(harness, lands=False)
        reconciler = harness.worker.reconciler
        harness.clock.advance(GRACE.total_seconds() + 1)
        [first] = reconciler.reconcile_all(me(harness), harness.stop)
        noted = row(harness, one)
        harness.clock.advance(RECHECK.total_seconds() / 2)
        assert reconciler.reconcile(one, me(harness), harness.stop).outcome is StepOutcome.UNKNOWN
        harness.clock.advance(RECHECK.total_seconds() / 2)
        [second] = reconciler.reconcile_all(me(harness), harness.stop)
        assert first.outcome is StepOutcome.UNKNOWN
        assert (noted.status, noted.reconcile_checked_at is not None) == (QueueStatus.UNKNOWN, True)
        assert second.outcome is StepOutcome.RETRY
        assert row(harness, one).status is QueueStatus.PENDING


class TestAnyCommentOfOursCounts:
    def test_a_comment_by_us_with_other_text_settles_the_row(
        self, harness: Harness, one: str
    ) -> None:
        """The artist's own comment (different text) means done: commented with its id."""
        _make_unknown(harness, lands=False)
        manual = harness.api.post_comment(one, "Written by hand, nothing like the template")
        result = harness.worker.reconciler.reconcile(one, me(harness), harness.stop)
        assert result.outcome is StepOutcome.SENT
        assert (row(harness, one).status, row(harness, one).commentid) == (
            QueueStatus.COMMENTED,
            manual.commentid,
        )

    def test_body_hash_strips_markup_that_came_back_escaped(self) -> None:
        """`&lt;b&gt;x&lt;/b&gt;` hashes like `<b>x</b>`."""
        assert body_hash("a &lt;b&gt;nice&lt;/b&gt; one") == body_hash("a <b>nice</b> one")


class TestStaleSuccessWins:
    def test_a_success_after_lease_expiry_marks_the_row_commented(
        self, harness: Harness, one: str
    ) -> None:
        """The POST lands, the lease expires before the answer: the row still ends commented."""
        reconciler = harness.worker.reconciler

        def expire() -> None:
            harness.clock.advance(reconciler.lease.total_seconds() + 1)
            reconciler.expire_claims()

        harness.worker._api = StaleAfterPost(harness.api, expire)  # type: ignore[assignment]
        result = harness.worker.run_once()
        [comment] = harness.sandbox.ledger.comments_for(one)
        assert (result.outcome, result.posted) == (StepOutcome.LOST_CLAIM, True)
        assert (row(harness, one).status, row(harness, one).commentid) == (
            QueueStatus.COMMENTED,
            comment.commentid,
        )

    def test_a_late_success_and_reconciliation_log_one_sent_row(
        self, harness: Harness, one: str
    ) -> None:
        """Reconciliation finds the comment first; the late answer adds no second `sent` row."""
        reconciler = harness.worker.reconciler

        def expire_and_reconcile() -> None:
            harness.clock.advance(reconciler.lease.total_seconds() + 1)
            reconciler.expire_claims()
            reconciler.reconcile(one, me(harness), threading.Event())

        harness.worker._api = StaleAfterPost(harness.api, expire_and_reconcile)  # type: ignore[assignment]
        harness.worker.run_once()
        assert len(logs(harness, LogStatus.SENT)) == 1
        assert row(harness, one).status is QueueStatus.COMMENTED

    def test_a_row_in_the_ledger_is_never_claimed(self, harness: Harness, one: str) -> None:
        """Pending in the queue but commented in the ledger: the worker leaves it alone."""
        with harness.uow_factory() as uow:
            uow.ledger.add(one, harness.clock.now())
            uow.commit()
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        assert posts(harness) == 0


class TestRateLimits:
    def test_a_rate_limited_whoami_carries_retry_after(self, harness: Harness, one: str) -> None:
        """lookup_me rate limited: IDLE with DeviantArt's Retry-After in the result."""
        with harness.uow_factory() as uow:
            uow.tokens.delete()
            uow.commit()
        harness.worker._api = RateLimitedWhoami(harness.api)  # type: ignore[assignment]
        result = harness.worker.run_once()
        assert (result.outcome, result.retry_after) == (StepOutcome.IDLE, 900)

    def test_the_loop_waits_out_retry_after_when_idle(self, harness: Harness, one: str) -> None:
        """Rate limited before any claim: the next whoami comes 900 s later, not after 10 s."""
        with harness.uow_factory() as uow:
            uow.tokens.delete()
            uow.commit()
        calls: list[Any] = []

        class Counting(RateLimitedWhoami):
            def whoami(self) -> Any:
                calls.append(harness.clock.now())
                if len(calls) >= 2:
                    harness.stop.set()
                return super().whoami()

        worker = CommentWorker(
            uow_factory=harness.uow_factory,
            api=Counting(harness.api),  # type: ignore[arg-type]
            clock=harness.clock,
            rng=random.Random(1),
            sleep=_advancing(harness),
        )
        harness.control.start()
        worker.run(harness.stop)
        assert len(calls) == 2
        assert calls[1] - calls[0] >= timedelta(seconds=900)

    def test_reconcile_all_stops_at_the_first_rate_limit(self, harness: Harness) -> None:
        """Two unknown rows, read-backs rate limited: one read, then the batch stops."""
        harness.add_template()
        ids = publish(harness, 2)
        enqueue(harness, ids)
        _make_unknown(harness, lands=False)
        _make_unknown(harness, lands=False)
        api = RateLimitedReads(harness.api)
        reconciler = Reconciler(uow_factory=harness.uow_factory, api=api, clock=harness.clock)
        results = reconciler.reconcile_all(me(harness), harness.stop)
        assert (api.reads, len(results), results[0].retry_after) == (1, 1, 900)


class TestReviewCannotBeBypassed:
    def test_a_body_rendered_before_review_was_switched_on_is_parked(
        self, harness: Harness, one: str
    ) -> None:
        """Rendered unreviewed, retried, then review on: parked, not posted; approval posts it."""
        configure(harness, review_sources=[])
        harness.sandbox.faults.maintenance = True
        assert harness.worker.run_once().outcome is StepOutcome.RETRY
        harness.sandbox.faults.clear()
        configure(harness, review_sources=[Source.WATCH_FEED.value])
        harness.clock.advance(3600)
        assert harness.worker.run_once().outcome is StepOutcome.REVIEW
        assert posts(harness) == 0
        ReviewService(uow_factory=harness.uow_factory, clock=harness.clock).approve(one)
        assert row(harness, one).approved_at is not None
        assert harness.worker.run_once().outcome is StepOutcome.SENT


class TestHostileText:
    def test_titles_and_names_are_sanitised_before_rendering(self, harness: Harness) -> None:
        """Control characters and angle brackets never reach the comment; long titles are cut."""
        harness.add_template("Love {{title}}!")
        configure(harness, review_sources=[])
        [deviationid] = publish(harness, 1)
        title = "<script>x</script>\x07\u202e" + "spam " * 100
        with harness.uow_factory() as uow:
            uow.queue.add_deviation(
                NewQueueItem(
                    deviationid=deviationid,
                    source=Source.WATCH_FEED,
                    ts=harness.clock.now(),
                    title=title,
                    enriched_at=METADATA_READ,
                ),
                harness.clock.now(),
            )
            uow.commit()
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        [comment] = harness.sandbox.ledger.comments_for(deviationid)
        assert comment.body == f"Love {sanitize_variable(title)}!"
        assert not set("<>\x07\u202e") & set(comment.body)
        assert len(comment.body) <= len("Love !") + 100

    def test_a_comment_over_the_maximum_length_fails_its_row(
        self, harness: Harness, one: str
    ) -> None:
        """Rendered text longer than DeviantArt takes: the row fails, nothing is posted."""
        worker = CommentWorker(
            uow_factory=harness.uow_factory,
            api=harness.api,
            clock=harness.clock,
            rng=random.Random(1),
            max_length=5,
        )
        assert worker.run_once().outcome is StepOutcome.FAILED
        assert posts(harness) == 0
        assert "at most 5" in (row(harness, one).last_error or "")


class TestUnreadableDeviation:
    def test_a_refused_read_back_fails_the_row(self, harness: Harness, one: str) -> None:
        """Deleted after an unknown POST: the read-back is refused and the row fails, unposted."""
        _make_unknown(harness, lands=False)
        harness.sandbox.delete_deviation(one)
        result = harness.worker.reconciler.reconcile(one, me(harness), harness.stop)
        assert result.outcome is StepOutcome.FAILED
        assert row(harness, one).status is QueueStatus.FAILED
        assert harness.worker.run_once().outcome is StepOutcome.IDLE


def _advancing(h: Harness) -> Any:
    def sleep(stop: threading.Event, seconds: float) -> bool:
        h.clock.advance(max(seconds, 0.001))
        return stop.is_set()

    return sleep
