"""The comment worker, one step at a time: posting, outcomes, reconciliation, accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fixtures.database import METADATA_READ
from photomanager.domain.body_hash import body_hash
from photomanager.domain.models import (
    LogStatus,
    NewQueueItem,
    QueueItem,
    QueueStatus,
    Source,
    WorkerDesired,
)
from photomanager.domain.templates import enumerate_variants
from photomanager.sandbox import RateLimit
from photomanager.services.account.identity import Me, lookup_me
from photomanager.services.posting.error_outcomes import REASON_RECONNECT
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.posting.reconcile import CLAIM_LEASE, GRACE, RECHECK
from photomanager.services.posting.worker import REASON_NO_TEMPLATES
from services.service_harness import TEMPLATE, Harness


def row(h: Harness, deviationid: str) -> QueueItem:
    with h.uow_factory() as uow:
        item = uow.queue.get(deviationid)
    assert item is not None
    return item


def enqueue(h: Harness, *deviationids: str) -> None:
    """Queue the given sandbox deviations directly (newest first by publication)."""
    with h.uow_factory() as uow:
        for i, deviationid in enumerate(deviationids):
            shown = h.sandbox.deviation(deviationid)
            uow.queue.add_deviation(
                NewQueueItem(
                    deviationid=deviationid,
                    source=Source.WATCH_FEED,
                    ts=h.clock.now() - timedelta(seconds=i),
                    author=shown["author"]["username"],
                    title=shown["title"],
                    enriched_at=METADATA_READ,
                ),
                h.clock.now(),
            )
        uow.commit()


def posts(h: Harness) -> int:
    return len(h.sandbox.ledger.requests("post_comment"))


def log_statuses(h: Harness) -> list[LogStatus]:
    entries, _ = h.logs.list_logs(limit=500)
    return [e.status for e in reversed(entries)]


@pytest.fixture
def one(harness: Harness) -> str:
    """One fresh, commentable deviation in the queue and one active template."""
    harness.add_template()
    deviationid = harness.sandbox.publish(1, watched=True)[0]
    enqueue(harness, deviationid)
    return deviationid


class TestWorkerPosts:
    def test_a_pending_row_is_commented_through_the_api(self, harness: Harness, one: str) -> None:
        """run_once posts one comment and records it on the row, in the ledger and the log."""
        result = harness.worker.run_once()
        [comment] = harness.sandbox.ledger.comments_for(one)
        item = row(harness, one)
        assert result.outcome is StepOutcome.SENT
        assert item.status is QueueStatus.COMMENTED
        assert item.commentid == comment.commentid == result.commentid
        assert item.body == comment.body
        assert item.body_hash == body_hash(comment.body)
        with harness.uow_factory() as uow:
            assert uow.ledger.contains(one)
        [entry], _ = harness.logs.list_logs()
        assert (entry.status, entry.commentid, entry.body) == (
            LogStatus.SENT,
            comment.commentid,
            comment.body,
        )

    def test_the_body_is_a_rendering_of_an_active_template(
        self, harness: Harness, one: str
    ) -> None:
        """The posted text is one of the template's variants, with the author filled in."""
        harness.worker.run_once()
        author = harness.sandbox.deviation(one)["author"]["username"]
        variants = enumerate_variants(TEMPLATE, variables={"author": author})
        assert harness.sandbox.ledger.comments_for(one)[0].body in variants

    def test_inactive_templates_are_never_used(self, harness: Harness, one: str) -> None:
        """Only active templates are rendered."""
        harness.add_template("inactive text that must not appear", active=False)
        for _ in range(5):
            fresh = harness.sandbox.publish(1, watched=True)[0]
            enqueue(harness, fresh)
            harness.worker.run_once()
        bodies = {c.body for c in harness.sandbox.ledger.all_comments()}
        assert "inactive text that must not appear" not in bodies

    def test_the_newest_row_is_claimed_first(self, harness: Harness) -> None:
        """With two pending rows, the newer one is commented first."""
        harness.add_template()
        older, newer = harness.sandbox.publish(2, watched=True)
        enqueue(harness, newer, older)
        result = harness.worker.run_once()
        assert result.deviationid == newer

    def test_an_empty_queue_is_idle(self, harness: Harness) -> None:
        """With nothing pending, run_once reports idle and posts nothing."""
        harness.add_template()
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        assert posts(harness) == 0

    def test_without_active_templates_the_worker_stops_and_touches_nothing(
        self, harness: Harness
    ) -> None:
        """No active template: stop with that reason; the row stays pending, attempts 0."""
        deviationid = harness.sandbox.publish(1, watched=True)[0]
        enqueue(harness, deviationid)
        harness.control.start()
        result = harness.worker.run_once()
        control = harness.control.status()
        assert result.outcome is StepOutcome.NO_TEMPLATES
        assert (control.desired, control.reason) == (WorkerDesired.STOPPED, REASON_NO_TEMPLATES)
        assert (row(harness, deviationid).status, row(harness, deviationid).attempts) == (
            QueueStatus.PENDING,
            0,
        )
        assert posts(harness) == 0


class TestAntiRepeat:
    def test_recollecting_after_a_full_run_posts_nothing_new(self, harness: Harness) -> None:
        """Collect both feeds, comment all, collect again: nothing new is queued or posted."""
        harness.add_template()
        harness.collect(Source.WATCH_FEED, pages=1)
        harness.collect(Source.GLOBAL_FEED, pages=1)
        while harness.worker.run_once().outcome is not StepOutcome.IDLE:
            pass
        commented = posts(harness)
        # The watch feed is ordered by time: a deeper page holds older, known work. The home
        # feed is a recommendation order, where a deeper page may hold unseen deviations.
        again = [
            harness.collect(Source.WATCH_FEED, pages=2),
            harness.collect(Source.GLOBAL_FEED, pages=1),
        ]
        assert [r.new for r in again] == [0, 0]
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        assert posts(harness) == commented > 0
        assert harness.sandbox.ledger.duplicates() == []

    def test_a_commented_deviation_cleared_from_the_queue_is_not_queued_again(
        self, harness: Harness, one: str
    ) -> None:
        """The ledger outlives the queue: clearing it does not forget what was commented."""
        harness.worker.run_once()
        harness.queue.clear()
        harness.collect(Source.WATCH_FEED, pages=1)
        assert one not in {i.deviationid for i in harness.queue.list_queue(limit=500)[0]}


class TestFailuresByKind:
    def test_a_deleted_deviation_fails_at_once(self, harness: Harness, one: str) -> None:
        """A 400 (deleted) marks the row failed with one log entry; no retry."""
        harness.sandbox.delete_deviation(one)
        result = harness.worker.run_once()
        item = row(harness, one)
        assert result.outcome is StepOutcome.FAILED
        assert item.status is QueueStatus.FAILED
        assert item.last_error is not None
        assert log_statuses(harness) == [LogStatus.FAILED]

    def test_comments_disabled_fails_at_once(self, harness: Harness, one: str) -> None:
        """Comments switched off after collecting: the row fails for good."""
        harness.sandbox.set_allows_comments(one, False)
        assert harness.worker.run_once().outcome is StepOutcome.FAILED
        assert row(harness, one).status is QueueStatus.FAILED

    def test_maintenance_sends_the_row_back_with_a_backoff(
        self, harness: Harness, one: str
    ) -> None:
        """503 after the client's retries: attempts+1, pending, due later; logged."""
        harness.sandbox.faults.maintenance = True
        harness.sandbox.faults.maintenance_retry_after_s = 2
        result = harness.worker.run_once()
        item = row(harness, one)
        assert result.outcome is StepOutcome.RETRY
        assert (item.status, item.attempts) == (QueueStatus.PENDING, 1)
        assert item.next_attempt_at is not None
        assert item.next_attempt_at > harness.clock.now()
        assert log_statuses(harness) == [LogStatus.FAILED]
        assert harness.sandbox.ledger.comments_for(one) == []

    def test_a_row_not_due_yet_is_not_claimed(self, harness: Harness, one: str) -> None:
        """A row backing off is skipped until its next_attempt_at."""
        harness.sandbox.faults.maintenance = True
        harness.worker.run_once()
        harness.sandbox.faults.maintenance = False
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        harness.clock.advance(3600)
        assert harness.worker.run_once().outcome is StepOutcome.SENT

    def test_the_last_attempt_fails_the_row(self, harness: Harness, one: str) -> None:
        """At max_attempts a surely-not-delivered failure marks the row failed."""
        harness.settings.update_settings(max_attempts=2)
        harness.sandbox.faults.maintenance = True
        harness.worker.run_once()
        harness.clock.advance(3600)
        result = harness.worker.run_once()
        item = row(harness, one)
        assert result.outcome is StepOutcome.FAILED
        assert (item.status, item.attempts) == (QueueStatus.FAILED, 2)


class TestUnknownOutcomes:
    def test_a_dropped_response_is_reconciled_without_a_second_post(
        self, harness: Harness, one: str
    ) -> None:
        """The comment was stored but the answer lost: one POST, row commented with its id."""
        harness.sandbox.faults.drop_next_posts = 1
        result = harness.worker.run_once()
        [comment] = harness.sandbox.ledger.comments_for(one)
        item = row(harness, one)
        assert result.outcome is StepOutcome.SENT
        assert (item.status, item.commentid) == (QueueStatus.COMMENTED, comment.commentid)
        assert posts(harness) == 1
        assert log_statuses(harness) == [LogStatus.UNKNOWN, LogStatus.SENT]

    def test_a_5xx_after_storing_is_reconciled_too(self, harness: Harness, one: str) -> None:
        """A 500 on the POST that still stored the comment ends commented, not re-posted."""
        faults = harness.sandbox.faults
        faults.server_error_probability = 1.0
        faults.server_error_after_store = True
        faults.server_error_endpoints = frozenset({"post_comment"})
        harness.worker.run_once()
        faults.clear()
        harness.clock.advance(3600)
        harness.worker.run_once()
        assert row(harness, one).status is QueueStatus.COMMENTED
        assert len(harness.sandbox.ledger.comments_for(one)) == 1

    def test_a_post_that_did_not_land_stays_unknown_during_the_grace_period(
        self, harness: Harness, one: str
    ) -> None:
        """A 502 before storing: unknown, pending after the grace and two reads, posted once."""
        faults = harness.sandbox.faults
        faults.server_error_probability = 1.0
        faults.server_error_status = 502
        faults.server_error_endpoints = frozenset({"post_comment"})
        assert harness.worker.run_once().outcome is StepOutcome.UNKNOWN
        assert row(harness, one).status is QueueStatus.UNKNOWN
        faults.clear()
        harness.clock.advance(GRACE.total_seconds() + 1)
        [first] = harness.worker.reconciler.reconcile_all(_me(harness), harness.stop)
        assert first.outcome is StepOutcome.UNKNOWN
        harness.clock.advance(RECHECK.total_seconds())
        [settled] = harness.worker.reconciler.reconcile_all(_me(harness), harness.stop)
        assert settled.outcome is StepOutcome.RETRY
        assert (row(harness, one).status, row(harness, one).attempts) == (QueueStatus.PENDING, 0)
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert len(harness.sandbox.ledger.comments_for(one)) == 1

    def test_a_worker_that_died_after_posting_is_settled_by_the_lease(
        self, harness: Harness, one: str
    ) -> None:
        """Claim, body, POST, crash: the expired claim is reconciled to commented."""
        comment = _crash_after_post(harness)
        harness.clock.advance(CLAIM_LEASE.total_seconds() + 1)
        assert harness.worker.reconciler.expire_claims() == 1
        harness.worker.reconciler.reconcile_all(_me(harness), harness.stop)
        item = row(harness, one)
        assert (item.status, item.commentid) == (QueueStatus.COMMENTED, comment)
        assert harness.worker.run_once().outcome is StepOutcome.IDLE
        assert len(harness.sandbox.ledger.comments_for(one)) == 1

    def test_a_worker_that_died_before_posting_is_sent_back_to_pending(
        self, harness: Harness, one: str
    ) -> None:
        """Claim, crash: the expired claim finds no comment and the row is posted later, once."""
        with harness.uow_factory() as uow:
            assert uow.queue.claim_one_pending(harness.clock.now()) is not None
            uow.commit()
        harness.clock.advance(CLAIM_LEASE.total_seconds() + 1)
        harness.worker.reconciler.expire_claims()
        harness.worker.reconciler.reconcile_all(_me(harness), harness.stop)
        assert row(harness, one).status is QueueStatus.PENDING
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert len(harness.sandbox.ledger.comments_for(one)) == 1


def _me(h: Harness) -> Me:
    return lookup_me(h.uow_factory, h.api, required=True)


def _crash_after_post(h: Harness) -> str:
    """Do what a worker does up to the POST, then 'die'; returns the comment id."""
    now = h.clock.now()
    with h.uow_factory() as uow:
        claim = uow.queue.claim_one_pending(now)
        assert claim is not None
        uow.queue.mark_sending_body(
            claim, message_id=None, body_hash=body_hash("Nice work!"), body="Nice work!", now=now
        )
        uow.commit()
    return h.api.post_comment(claim.deviationid, "Nice work!").commentid


class TestAccountProblems:
    def test_a_revoked_token_is_refreshed_once_and_costs_no_attempt(
        self, harness: Harness, one: str
    ) -> None:
        """Tokens die mid-run: one refresh, the POST is replayed, the row is commented."""
        harness.api.whoami()  # the user token is in use before it dies
        harness.sandbox.faults.revoke_after_requests = 0
        result = harness.worker.run_once()
        item = row(harness, one)
        assert result.outcome is StepOutcome.SENT
        assert harness.tokens.refreshes == 1
        assert (item.status, item.attempts) == (QueueStatus.COMMENTED, 0)

    def test_a_failed_refresh_pauses_the_worker_without_spending_attempts(
        self, harness: Harness, one: str
    ) -> None:
        """Refresh refused: pause with "reconnect your account"; the row is pending, attempts 0."""
        harness.control.start()
        harness.api.whoami()
        harness.tokens.refresh_fails = True
        harness.sandbox.faults.revoke_after_requests = 0
        result = harness.worker.run_once()
        control = harness.control.status()
        item = row(harness, one)
        assert result.outcome is StepOutcome.PAUSED
        assert (control.desired, control.state) == (WorkerDesired.STOPPED, "paused")
        assert control.reason is not None
        assert REASON_RECONNECT in control.reason
        assert (item.status, item.attempts) == (QueueStatus.PENDING, 0)

    def test_a_restricted_account_stops_everything_at_once(
        self, harness: Harness, one: str
    ) -> None:
        """A 403 about the account: blocked, desired stopped, said plainly; the row untouched."""
        harness.control.start()
        harness.sandbox.faults.account_restricted = True
        result = harness.worker.run_once()
        control = harness.control.status()
        item = row(harness, one)
        assert result.outcome is StepOutcome.BLOCKED
        assert (control.desired, control.state) == (WorkerDesired.STOPPED, "blocked")
        assert control.reason is not None
        assert "restricted" in control.reason
        assert (item.status, item.attempts) == (QueueStatus.PENDING, 0)

    def test_stopping_a_blocked_worker_keeps_the_explanation(
        self, harness: Harness, one: str
    ) -> None:
        """stop() after a block leaves the blocked state and reason visible."""
        harness.sandbox.faults.account_restricted = True
        harness.worker.run_once()
        control = harness.control.stop()
        assert control.state == "blocked"

    def test_a_long_retry_after_holds_for_the_next_steps(self, harness: Harness) -> None:
        """Inside a Retry-After the worker was given, no POST is sent and no attempt spent."""
        harness.control.start()
        harness.add_template()
        ids = harness.sandbox.publish(3, watched=True)
        enqueue(harness, *ids)
        harness.sandbox.faults.rate_limit = RateLimit(
            capacity=0, refill_per_s=0.0001, endpoints=frozenset({"post_comment"})
        )
        results = [harness.worker.run_once() for _ in range(3)]
        assert [r.outcome for r in results] == [
            StepOutcome.RETRY,
            StepOutcome.PAUSED,
            StepOutcome.PAUSED,
        ]
        assert results[2].pause_until is not None
        assert results[2].pause_until > harness.clock.now()
        assert len(harness.sandbox.ledger.requests("post_comment")) == 1
        assert sorted(row(harness, i).attempts for i in ids) == [0, 0, 1]
        assert harness.sandbox.ledger.inside_declared_penalty() == []


class TestConsecutiveFailures:
    def test_the_worker_stops_after_too_many_failures_in_a_row(self, harness: Harness) -> None:
        """max_consecutive_failures failures in a row stop the worker with that reason."""
        harness.add_template()
        harness.settings.update_settings(max_consecutive_failures=2)
        ids = harness.sandbox.publish(3, watched=True)
        enqueue(harness, *ids)
        for deviationid in ids:
            harness.sandbox.delete_deviation(deviationid)
        harness.control.start()
        harness.worker.run_once()
        assert harness.control.status().desired is WorkerDesired.RUNNING
        harness.worker.run_once()
        control = harness.control.status()
        assert control.desired is WorkerDesired.STOPPED
        assert control.reason == "stopped after 2 failures in a row"

    def test_a_success_resets_the_count(self, harness: Harness) -> None:
        """fail, succeed, fail: the count is 1, the worker keeps running."""
        harness.add_template()
        harness.settings.update_settings(max_consecutive_failures=2)
        a, b, c = harness.sandbox.publish(3, watched=True)
        enqueue(harness, a, b, c)
        harness.sandbox.delete_deviation(a)
        harness.sandbox.delete_deviation(c)
        harness.control.start()
        for _ in range(3):
            harness.worker.run_once()
        control = harness.control.status()
        assert control.consecutive_failures == 1
        assert control.desired is WorkerDesired.RUNNING
