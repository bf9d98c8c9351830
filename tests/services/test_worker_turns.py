"""The worker's turns on the clock: what happens between two posts, and after a restart.

Each test pins a cause found with the wall-clock benchmark (`benchmarks/wallclock.py`):
a step that sends nothing must neither pause nor take the next post's turn; an
approval is posted at the next turn, not at the next idle poll; the artist's interval
and DeviantArt's spacing both count from the start of a step, so the time a step takes
is not added to them; a restarted worker keeps the spacing of the request its
predecessor just sent.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from photomanager.deviantart import DeviantArtApiClient, DeviantArtHttpClient, RetryPolicy
from photomanager.domain.models import NewQueueItem, Source
from photomanager.sandbox.adapters import SandboxTransport
from photomanager.services.posting.worker import REVIEW_BACKLOG, CommentWorker
from photomanager.services.upkeep.review import ReviewService
from services.service_harness import FAST_POLICY, Harness, RecordingTransport, SandboxTokens
from services.worker_loop_support import loop_worker, run_loop_for

POST = "post_comment"


def queue(h: Harness, sources: Sequence[Source]) -> list[str]:
    """A template, and one queued row (metadata read) per source, newest first; the ids."""
    h.add_template()
    ids = h.sandbox.publish(len(sources), watched=True)
    now = h.clock.now()
    items = []
    for n, (deviationid, source) in enumerate(zip(ids, sources, strict=True)):
        deviation = h.sandbox.deviation(deviationid)
        items.append(
            NewQueueItem(
                deviationid=deviationid,
                source=source,
                ts=now - timedelta(seconds=n),
                author=deviation["author"]["username"],
                title=deviation["title"],
                url=deviation["url"],
                enriched_at=now,
            )
        )
    with h.uow_factory() as uow:
        uow.queue.add_many(items, now)
        uow.commit()
    return ids


def paced(h: Harness, *, review: bool) -> None:
    """One post a second, no caps or per-author limits in the way; the global feed reviewed."""
    h.settings.update_settings(
        min_interval_s=1,
        max_interval_s=1,
        author_cooldown_days=0,
        max_per_author=None,
        review_sources=["global_feed"] if review else [],
    )


def post_starts(h: Harness) -> list[datetime]:
    """When the site received each comment POST."""
    return [r.at for r in h.sandbox.ledger.requests(POST)]


def gaps(times: Sequence[datetime]) -> list[float]:
    return [(b - a).total_seconds() for a, b in itertools.pairwise(times)]


class TestStepsThatSendNothing:
    def test_preparing_a_row_for_review_adds_no_pause_between_two_posts(
        self, harness: Harness
    ) -> None:
        """Rows parked for review between posts: the posts stay one interval apart."""
        queue(harness, [Source.WATCH_FEED, Source.GLOBAL_FEED] * 10)
        paced(harness, review=True)
        run_loop_for(harness, timedelta(seconds=30))
        starts = post_starts(harness)
        assert len(starts) == 10
        assert max(gaps(starts)) <= 1.01

    def test_an_approval_is_posted_at_the_next_turn_when_the_backlog_is_full(
        self, harness: Harness
    ) -> None:
        """With the review backlog full, a row approved now goes out within about a second."""
        ids = queue(harness, [Source.GLOBAL_FEED] * (REVIEW_BACKLOG + 5))
        paced(harness, review=True)
        review = ReviewService(uow_factory=harness.uow_factory, clock=harness.clock)
        approved: dict[str, datetime] = {}
        end: list[datetime] = []

        def sleep(stop: threading.Event, seconds: float) -> bool:
            status = harness.control.status()
            if not approved and "await your review" in (status.reason or ""):
                # The worker just found the backlog full: the artist approves one row.
                page, _ = review.list_awaiting(limit=1)
                approved[page[0].deviationid] = harness.clock.now()
                review.approve_all([page[0].deviationid])
                end.append(harness.clock.now() + timedelta(seconds=30))
            harness.clock.advance(max(seconds, 0.001))
            if end and harness.clock.now() >= end[0]:
                stop.set()
            return stop.is_set()

        harness.control.start()
        loop_worker(harness, sleep, max_wait_chunk=24 * 3600).run(harness.stop)
        assert approved, "the review backlog never filled"
        [(deviationid, at)] = approved.items()
        assert deviationid in ids
        [posted] = [r.at for r in harness.sandbox.ledger.requests(POST)]
        assert (posted - at).total_seconds() <= 1.5


class TestStepTime:
    def test_the_artists_interval_counts_from_the_start_of_a_step(self, harness: Harness) -> None:
        """Answers that take 0.4 s: posts still start one interval (1 s) apart, not 1.4 s."""
        harness.wire.latency_s = 0.4
        queue(harness, [Source.WATCH_FEED] * 10)
        paced(harness, review=False)
        run_loop_for(harness, timedelta(seconds=20))
        starts = post_starts(harness)
        assert len(starts) == 10
        assert max(gaps(starts)) <= 1.01


class TestRestart:
    def test_a_worker_restarted_after_a_post_keeps_the_spacing(self, harness: Harness) -> None:
        """A new process (new client, same database) waits DeviantArt's spacing after a post."""
        queue(harness, [Source.WATCH_FEED] * 5)
        harness.settings.update_settings(
            min_interval_s=1, max_interval_s=1, author_cooldown_days=0, max_per_author=None
        )
        spaced = replace(FAST_POLICY, delay_floor_s=5.0)
        stop = threading.Event()
        end = harness.clock.now() + timedelta(seconds=10)

        def sleep(event: threading.Event, seconds: float) -> bool:
            harness.clock.advance(max(seconds, 0.001))
            if harness.clock.now() >= end:
                event.set()
            return event.is_set()

        assert _worker(harness, spaced, sleep).run_once().posted
        harness.clock.advance(0.5)
        harness.control.start()
        _worker(harness, spaced, sleep).run(stop)  # nothing in memory: a new process
        starts = post_starts(harness)
        assert len(starts) >= 2
        assert min(gaps(starts)) >= 5.0


def _worker(
    h: Harness, policy: RetryPolicy, sleep: Callable[[threading.Event, float], bool]
) -> CommentWorker:
    """A worker with a client of its own (its own learned state), on the harness's database."""
    http = DeviantArtHttpClient(
        tokens=SandboxTokens(h.sandbox),
        transport=RecordingTransport(SandboxTransport(h.sandbox), h.clock),
        policy=policy,
        sleep=h.clock.advance,
        clock=h.clock,
        rng=random.Random(1),
        penalties=h.penalties,
    )
    return CommentWorker(
        uow_factory=h.uow_factory,
        api=DeviantArtApiClient(http),
        clock=h.clock,
        rng=random.Random(5),
        sleep=sleep,
        max_wait_chunk=24 * 3600,
    )


class StepWork:
    """Units of work that cost fake time: every other step's database work is slow."""

    def __init__(self, h: Harness, slow_s: float) -> None:
        self._h = h
        self._inner = h.uow_factory
        self._slow_s = slow_s
        self.claims = 0

    def __call__(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        uow = self._inner(read_only=read_only)
        if not read_only:
            self.claims += 1
            if self.claims % 6 < 3:
                self._h.clock.advance(self._slow_s)
        return uow


class TestStepWorkInsideTheSpacing:
    def test_a_slow_step_does_not_widen_the_gap_after_a_fast_one(self, harness: Harness) -> None:
        """Database work of 0 to 0.3 s before each POST: POSTs still start one spacing apart."""
        queue(harness, [Source.WATCH_FEED] * 8)
        paced(harness, review=False)
        spaced = replace(FAST_POLICY, delay_floor_s=2.0)
        stop = threading.Event()
        end = harness.clock.now() + timedelta(seconds=14.5)

        def sleep(event: threading.Event, seconds: float) -> bool:
            harness.clock.advance(max(seconds, 0.001))
            if harness.clock.now() >= end:
                event.set()
            return event.is_set()

        harness.control.start()
        worker = _worker(harness, spaced, sleep)
        worker._uow_factory = StepWork(harness, 0.1)
        worker.run(stop)
        starts = post_starts(harness)
        assert len(starts) >= 6
        assert max(gaps(starts)) <= 2.01
