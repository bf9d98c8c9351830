"""The worker reads the inbox in its own waits and never posts later for it."""

from __future__ import annotations

import random
import shutil
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from inbox.inbox_doubles import connect
from photomanager.domain.models import LogStatus, Source
from photomanager.sandbox import ManualClock, Reactions, Sandbox
from photomanager.services.inbox.poller import MAX_PAGES, InboxPoller
from photomanager.services.posting.worker import CommentWorker
from photomanager.storage.engine import create_engine_for
from photomanager.storage.penalty_store import SqlPenaltyStore
from photomanager.storage.unit_of_work import sql_unit_of_work_factory
from services.service_harness import START, Harness, build_harness

HOUR = timedelta(hours=1)


def run_for_an_hour(tmp_path: Path, template: Path, *, poll: bool) -> tuple[list[object], Harness]:
    """The real loop on the sandbox for an hour of fake time; when each comment went out."""
    path = tmp_path / f"{'poll' if poll else 'plain'}.db"
    shutil.copyfile(template, path)
    engine = create_engine_for(f"sqlite:///{path}")
    factory = sql_unit_of_work_factory(engine)
    clock = ManualClock(START)
    sandbox = Sandbox.seeded(seed=3, deviations=400, clock=clock)
    sandbox.reactions = Reactions.certain(delay_s=60)
    h = build_harness(sandbox, clock, factory, penalties=SqlPenaltyStore(engine))
    connect(factory, scope=f"browse comment.post {'message ' if poll else ''}user")
    h.add_template()
    h.sandbox.publish(60, watched=True)
    h.collect(Source.WATCH_FEED, pages=2)
    h.settings.update_settings(author_cooldown_days=0, review_sources=())
    end = clock.now() + HOUR

    def sleep(stop: threading.Event, seconds: float) -> bool:
        clock.advance(max(seconds, 0.001))
        if clock.now() >= end:
            stop.set()
        return stop.is_set()

    poller = InboxPoller(uow_factory=factory, api=h.api, clock=clock)
    worker = CommentWorker(
        uow_factory=factory,
        api=h.api,
        clock=clock,
        rng=random.Random(5),
        reconciler=h.worker.reconciler,
        sleep=sleep,
        max_wait_chunk=5.0,
        idle_task=poller.poll_if_due,
    )
    h.control.start()
    try:
        worker.run(h.stop)
        sent = [e.sent_at for e in h.logs.export(status=LogStatus.SENT)]
        return sorted(sent), h  # type: ignore[return-value]
    finally:
        h.http.close()
        engine.dispose()


class TestTheWorkersWaits:
    def test_reading_the_inbox_changes_no_posting_time(
        self, tmp_path: Path, sqlite_template: Path
    ) -> None:
        """The same hour with and without the poller: the same comments at the same times;
        the inbox read meanwhile (a few pages a poll), every outcome counted once."""
        plain, _ = run_for_an_hour(tmp_path, sqlite_template, poll=False)
        polled, h = run_for_an_hour(tmp_path, sqlite_template, poll=True)

        feed_reads = h.sandbox.ledger.requests("messages_feed")
        assert len(plain) >= 20
        assert polled == plain
        with h.uow_factory(read_only=True) as uow:
            stored, credited = uow.inbox.count_messages(), uow.inbox.count_credits()
        # Every reaction of the hour is in (up to the last minute's), each credited once.
        assert stored >= h.sandbox.message_count() - 10
        assert credited == stored
        polls = Counter(read.at for read in feed_reads)
        assert 3 <= len(polls) <= 8
        assert max(polls.values()) <= MAX_PAGES
        requests = h.sandbox.ledger.requests()
        for n, read in enumerate(requests):  # the next comment after a read: 3 s later at least
            if read.endpoint != "messages_feed":
                continue
            after = [r.at for r in requests[n:] if r.endpoint == "post_comment"]
            assert not after or (after[0] - read.at).total_seconds() >= 3
