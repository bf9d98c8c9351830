"""DeviantArt's real failure modes at the worker, the collectors and the reconciler.

The sandbox plays each one (edge403, gone=PATH, throttle400); the client's shared
waits live in the test database, as bootstrap wires them.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine

from photomanager.domain.models import (
    PENALTY_EDGE,
    PENALTY_GONE,
    PENALTY_POST,
    Penalty,
    QueueStatus,
    Source,
    WorkerControl,
)
from photomanager.sandbox import ActionThrottle, EdgeBlock, VelocityFilter
from photomanager.sandbox.faults.spec import demo_faults
from photomanager.services.collecting.collector import FAILED
from photomanager.services.posting.outcomes import StepOutcome
from photomanager.services.posting.reconcile import GRACE, READ_BACK_PATH, RECHECK
from photomanager.services.posting.throttle_burst import THROTTLE_RETURNED
from photomanager.storage.penalty_store import SqlPenaltyStore
from protect.protect_support import enqueue, me, publish, row
from services.service_harness import Harness, build_harness
from services.worker_loop_support import loop_worker


def ready(h: Harness, n: int) -> list[str]:
    """A template, `n` queued deviations by distinct authors, the worker started."""
    h.add_template()
    h.settings.update_settings(author_cooldown_days=0, max_consecutive_failures=10)
    ids = publish(h, n)
    enqueue(h, ids)
    h.control.start()
    return ids


def penalty(h: Harness, scope: str) -> Penalty | None:
    with h.uow_factory() as uow:
        return uow.penalties.get_many([scope]).get(scope)


class TestEdgeBlockAtTheWorker:
    def test_a_post_met_by_the_cdn_goes_back_to_pending_and_pauses(self, harness: Harness) -> None:
        """Not delivered: the row is pending with no attempt spent, the worker pauses 5 min."""
        [deviationid] = ready(harness, 1)
        harness.sandbox.faults.edge_block = EdgeBlock(duration_s=120)
        result = harness.worker.run_once()
        item = row(harness, deviationid)
        assert result.outcome is StepOutcome.PAUSED
        assert result.pause_until is not None
        assert result.pause_until - harness.clock.now() > timedelta(minutes=4)
        assert "refused this machine" in (result.error or "")
        assert "next try at" in (result.error or "")
        assert (item.status, item.attempts) == (QueueStatus.PENDING, 0)
        assert harness.sandbox.ledger.all_comments() == []

    def test_no_request_leaves_during_the_pause(self, harness: Harness) -> None:
        """Inside the pause the next step sends nothing at all; after it, the row is posted."""
        [deviationid] = ready(harness, 1)
        harness.sandbox.faults.edge_block = EdgeBlock(duration_s=120)
        first = harness.worker.run_once()
        sent = len(harness.sandbox.ledger.requests())
        again = harness.worker.run_once()
        assert again.outcome is StepOutcome.PAUSED
        assert len(harness.sandbox.ledger.requests()) == sent
        assert first.pause_until is not None
        harness.clock.set(first.pause_until)
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert row(harness, deviationid).status is QueueStatus.COMMENTED
        edge = penalty(harness, PENALTY_EDGE)
        assert edge is not None
        assert edge.streak == 0  # a success ends the doubling

    def test_the_loop_reports_the_pause_in_plain_words(self, harness: Harness) -> None:
        """Status says DeviantArt's network refused this machine, and until when."""
        ready(harness, 1)
        harness.sandbox.faults.edge_block = EdgeBlock(duration_s=120)
        harness.worker.run_once()
        control = loop_once_more(harness)
        assert control.state == "paused"
        assert "refused this machine" in (control.reason or "")
        assert control.waiting_until is not None


class TestActionThrottle:
    def test_three_refusals_in_a_row_requeue_the_rows_and_pause(self, harness: Harness) -> None:
        """Same 400 on three deviations: all three pending, no attempt spent, paused 15 min."""
        ids = ready(harness, 3)
        throttle = ActionThrottle(after_posts=100, duration_s=600)
        harness.sandbox.faults.action_throttle = throttle
        throttle.engage(harness.clock.now().timestamp())
        outcomes = [harness.worker.run_once().outcome for _ in range(3)]
        paused = penalty(harness, PENALTY_POST)
        assert outcomes == [StepOutcome.FAILED, StepOutcome.FAILED, StepOutcome.PAUSED]
        assert {(row(harness, d).status, row(harness, d).attempts) for d in ids} == {
            (QueueStatus.PENDING, 0)
        }
        assert all((row(harness, d).last_error or "").startswith(THROTTLE_RETURNED) for d in ids)
        assert paused is not None
        assert paused.not_before == harness.clock.now() + timedelta(minutes=15)
        assert "throttled comment posting" in paused.reason
        assert harness.control.status().consecutive_failures == 0

    def test_after_the_pause_the_rows_are_posted(self, harness: Harness) -> None:
        """Once the throttle has passed, the rows given back are commented, once each."""
        ids = ready(harness, 3)
        throttle = ActionThrottle(after_posts=100, duration_s=600)
        harness.sandbox.faults.action_throttle = throttle
        throttle.engage(harness.clock.now().timestamp())
        for _ in range(3):
            harness.worker.run_once()
        harness.clock.advance(timedelta(minutes=15).total_seconds())
        outcomes = [harness.worker.run_once().outcome for _ in range(3)]
        assert outcomes == [StepOutcome.SENT] * 3
        assert {row(harness, d).status for d in ids} == {QueueStatus.COMMENTED}
        assert harness.sandbox.ledger.duplicates() == []

    def test_a_row_refused_the_same_way_on_its_own_fails(self, harness: Harness) -> None:
        """Given back once, refused again after the pause: it fails as any refused row."""
        ids = ready(harness, 3)
        throttle = ActionThrottle(after_posts=100, duration_s=7200)
        harness.sandbox.faults.action_throttle = throttle
        throttle.engage(harness.clock.now().timestamp())
        for _ in range(3):
            harness.worker.run_once()
        harness.clock.advance(timedelta(minutes=15).total_seconds())
        result = harness.worker.run_once()
        assert result.outcome is StepOutcome.FAILED
        assert row(harness, result.deviationid or "").status is QueueStatus.FAILED
        assert sum(row(harness, d).status is QueueStatus.FAILED for d in ids) == 1

    def test_different_errors_are_not_a_burst(self, harness: Harness) -> None:
        """Deleted, comments off, blocked: three different refusals fail three rows."""
        first, second, third = ready(harness, 3)
        harness.sandbox.delete_deviation(first)
        harness.sandbox.set_allows_comments(second, False)
        harness.sandbox.block_artist(harness.sandbox.deviation(third)["author"]["userid"])
        outcomes = [harness.worker.run_once().outcome for _ in range(3)]
        assert outcomes == [StepOutcome.FAILED] * 3
        assert penalty(harness, PENALTY_POST) is None


class TestEndpointGoneAtTheCollector:
    def test_a_collect_of_a_removed_feed_says_so(self, harness: Harness) -> None:
        """The run fails with "DeviantArt no longer offers browse/home"."""
        harness.sandbox.faults.gone_paths = frozenset({"browse/home"})
        result = harness.collect(Source.GLOBAL_FEED)
        assert result.state == FAILED
        assert result.error == "DeviantArt no longer offers browse/home"


class TestEdgeBlockAtTheCollector:
    def test_a_collect_fails_in_plain_words_and_the_next_sends_nothing(
        self, harness: Harness
    ) -> None:
        """The run names the block and the next try; a run inside the pause sends nothing."""
        harness.sandbox.faults.edge_block = EdgeBlock(duration_s=60)
        first = harness.collect(Source.WATCH_FEED)
        sent = len(harness.sandbox.ledger.requests())
        second = harness.collect(Source.WATCH_FEED)
        assert first.state == FAILED
        assert "refused this machine" in (first.error or "")
        assert "next try at" in (first.error or "")
        assert second.error == first.error
        assert len(harness.sandbox.ledger.requests()) == sent


class TestReadBackGone:
    def lost_post(self, h: Harness) -> str:
        """One row whose POST landed but whose answer was lost: `unknown`."""
        [deviationid] = ready(h, 1)
        h.sandbox.faults.drop_next_posts = 1
        h.sandbox.faults.gone_paths = frozenset({READ_BACK_PATH})
        assert h.worker.run_once().outcome is StepOutcome.UNKNOWN
        return deviationid

    def test_the_row_stays_unknown_with_how_to_settle_it(self, harness: Harness) -> None:
        """Never pending, never failed: unknown, saying it cannot be verified and how to settle."""
        deviationid = self.lost_post(harness)
        harness.clock.advance((GRACE + RECHECK * 3).total_seconds())
        harness.worker.reconciler.reconcile(deviationid, me(harness), harness.stop)
        item = row(harness, deviationid)
        assert item.status is QueueStatus.UNKNOWN
        assert "cannot verify" in (item.last_error or "")
        assert "DeviantArt no longer offers comments/deviation" in (item.last_error or "")
        assert "queue resolve" in (item.last_error or "")
        assert len(harness.sandbox.ledger.comments_for(deviationid)) == 1

    def test_a_gone_read_back_is_not_asked_again_within_the_hour(self, harness: Harness) -> None:
        """The reconciler remembers the endpoint is gone: no read-back for an hour."""
        self.lost_post(harness)
        reads = len(harness.sandbox.ledger.requests("unknown"))
        gone = penalty(harness, PENALTY_GONE + READ_BACK_PATH)
        for _ in range(5):
            harness.clock.advance((GRACE + RECHECK).total_seconds())
            harness.worker.reconciler.reconcile_all(me(harness), harness.stop)
        assert gone is not None
        assert gone.not_before is not None
        assert len(harness.sandbox.ledger.requests("unknown")) == reads
        harness.clock.set(gone.not_before + timedelta(seconds=1))
        harness.worker.reconciler.reconcile_all(me(harness), harness.stop)
        assert len(harness.sandbox.ledger.requests("unknown")) == reads + 1


def run_until_drained(h: Harness, at_most: timedelta) -> None:
    """Run the worker loop on the fake clock until no row is left to post (or `at_most`)."""
    end = h.clock.now() + at_most

    def sleep(stop: threading.Event, seconds: float) -> bool:
        h.clock.advance(max(seconds, 0.001))
        stats = h.queue.stats()
        if h.clock.now() >= end or stats[QueueStatus.PENDING] + stats[QueueStatus.SENDING] == 0:
            stop.set()
        return stop.is_set()

    h.control.start()
    loop_worker(h, sleep, max_wait_chunk=24 * 3600).run(h.stop)


def many_by_one_author(h: Harness, n: int) -> list[str]:
    """`n` deviations a comment succeeds on, by one author who does not block the artist."""
    for user in h.sandbox.users:
        probe = h.sandbox.publish(1, author=user)[0]
        if probe in h.sandbox.deviation_ids(commentable=True):
            return [probe, *h.sandbox.publish(n - 1, author=user)]
    raise AssertionError("no user lets the artist comment")


def loop_once_more(h: Harness) -> WorkerControl:
    """Run the loop until its first wait; the control row as it stood then."""
    seen: list[WorkerControl] = []

    def sleep(stop: threading.Event, seconds: float) -> bool:
        seen.append(h.control.status())
        stop.set()
        return True

    loop_worker(h, sleep, max_wait_chunk=5).run(threading.Event())
    return seen[0]


class TestWaitsOutliveTheProcess:
    def test_a_restarted_worker_obeys_its_predecessors_retry_after(
        self, harness: Harness, engine: Engine
    ) -> None:
        """Killed right after a 429 with Retry-After: its successor sends nothing inside it."""
        ready(harness, 3)
        harness.sandbox.faults.rate_limit = VelocityFilter(
            user_limit=1, user_window_s=600, send_retry_after=True
        )
        assert harness.worker.run_once().outcome is StepOutcome.SENT
        assert harness.worker.run_once().outcome is StepOutcome.RETRY  # 429, Retry-After 600
        successor = build_harness(
            harness.sandbox, harness.clock, harness.uow_factory, penalties=SqlPenaltyStore(engine)
        )
        try:
            result = successor.worker.run_once()
        finally:
            successor.http.close()
        assert result.outcome is StepOutcome.PAUSED
        assert harness.sandbox.ledger.inside_declared_penalty() == []
        assert len(harness.sandbox.ledger.requests("post_comment")) == 2

    def test_the_status_names_every_wait_in_force(self, harness: Harness) -> None:
        """Status lists the edge pause in plain words, with its next try."""
        ready(harness, 1)
        harness.sandbox.faults.edge_block = EdgeBlock(duration_s=120)
        harness.worker.run_once()
        waits = harness.status.status().waits
        assert [w.scope for w in waits] == [PENALTY_EDGE]
        assert "refused this machine" in waits[0].reason
        assert "next try at" in waits[0].reason


class TestDrainUnderEveryFault:
    def test_a_few_hundred_rows_drain_with_no_duplicate_and_no_request_inside_a_penalty(
        self, harness: Harness
    ) -> None:
        """The demo's faults at once: every row commented once, nothing sent into a wait."""
        harness.sandbox.faults = demo_faults("edge403,gone=comments/deviation,throttle400")
        harness.sandbox.faults.rate_limit = VelocityFilter(send_retry_after=True)
        harness.add_template()
        harness.settings.update_settings(
            min_interval_s=1,
            max_interval_s=2,
            max_per_hour=1000,
            max_per_day=1000,
            author_cooldown_days=0,
            max_per_author=None,
            max_consecutive_failures=50,
        )
        ids = many_by_one_author(harness, 200)
        enqueue(harness, ids)
        run_until_drained(harness, timedelta(hours=12))
        statuses = {row(harness, d).status for d in ids}
        edge_403s = [r for r in harness.sandbox.ledger.requests() if r.status == 403]
        throttled = [r for r in harness.sandbox.ledger.requests() if r.status == 400]
        assert statuses == {QueueStatus.COMMENTED}
        assert harness.sandbox.ledger.duplicates() == []
        assert harness.sandbox.ledger.inside_declared_penalty() == []
        assert edge_403s
        assert throttled
        assert not [r for r in edge_403s if r.inside_penalty]  # one 403 per block, no more
