"""The poller: reads the message center page by page, stores each message once, credits once."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest

from inbox.inbox_doubles import (
    START,
    FakeMessageCenter,
    back_message,
    connect,
    reply_message,
    sent_comment,
)
from photomanager.domain.errors import InsufficientScope, RateLimited
from photomanager.domain.inbox import InboxView, MessagePage
from photomanager.domain.models import PENALTY_USER, CommentSettings
from photomanager.sandbox import ManualClock
from photomanager.services.inbox.overview import InboxOverviewService
from photomanager.services.inbox.poller import MIN_SLACK, RECONNECT, InboxPoller, PollResult
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.reporting.log_export import csv_chunks

Factory = Callable[..., UnitOfWorkFactory]


@pytest.fixture
def center() -> FakeMessageCenter:
    return FakeMessageCenter(page_size=3)


@dataclass(frozen=True)
class Polling:
    """A poller (three pages a poll) over the fake message center, its database and clock."""

    uow_factory: UnitOfWorkFactory
    center: FakeMessageCenter
    poller: InboxPoller
    clock: ManualClock

    def poll(self) -> PollResult:
        """One poll, never stopped."""
        return self.poller.poll(threading.Event())

    def is_due(self, later: timedelta = timedelta(0)) -> bool:
        """Whether a poll is due `later` than the clock's now."""
        return self.poller.is_due(self.clock.now() + later)

    def counts(self) -> tuple[int, int]:
        """The messages stored and the credits given."""
        with self.uow_factory(read_only=True) as uow:
            return uow.inbox.count_messages(), uow.inbox.count_credits()


@pytest.fixture
def polling(
    uow_factory: UnitOfWorkFactory, center: FakeMessageCenter, clock: ManualClock
) -> Polling:
    """A connected account whose message center is `center`."""
    connect(uow_factory)
    poller = InboxPoller(uow_factory=uow_factory, api=center, clock=clock, max_pages=3)
    return Polling(uow_factory, center, poller, clock)


class SlowMessageCenter(FakeMessageCenter):
    """Each page takes `seconds`; notes the poll's lease, as another process sees it."""

    def __init__(self, clock: ManualClock, uow_factory: UnitOfWorkFactory, seconds: int) -> None:
        super().__init__(page_size=3)
        self._clock = clock
        self._uow_factory = uow_factory
        self._seconds = seconds
        self.leases: list[tuple[datetime, datetime]] = []  # (when asked, lease held until)

    def messages_feed(self, cursor: str | None = None, *, stack: bool = False) -> MessagePage:
        self._clock.advance(self._seconds)
        with self._uow_factory(read_only=True) as uow:
            until = uow.inbox.get_poll().lease_until
        assert until is not None
        self.leases.append((self._clock.now(), until))
        return super().messages_feed(cursor, stack=stack)


def watches(n: int, *, prefix: str = "W") -> list[dict[str, object]]:
    """`n` watches from strangers, oldest first."""
    return [
        back_message(f"{prefix}{i}", "watch", by=f"stranger{i}", at=START + timedelta(minutes=i))
        for i in range(n)
    ]


def settings(uow_factory: UnitOfWorkFactory, clock: ManualClock, **changes: object) -> None:
    with uow_factory() as uow:
        uow.settings.save(replace(CommentSettings(), **changes), clock.now())  # type: ignore[arg-type]
        uow.commit()


class TestIngestAndCredit:
    def test_a_reply_and_a_watch_back_are_credited_a_stranger_is_not(
        self, polling: Polling
    ) -> None:
        """A reply under our comment, a watch from the deviant: credited; a stranger: not."""
        sent_comment(polling.uow_factory, deviation=1, author="fan", commentid="C1", at=START)
        polling.center.arrive(
            reply_message(
                "M1",
                to="C1",
                reply="R1",
                deviation=1,
                by="fan",
                at=START + timedelta(minutes=5),
                body="thanks!",
            ),
            back_message("M2", "watch", by="fan", at=START + timedelta(minutes=6)),
            back_message("M3", "watch", by="stranger", at=START + timedelta(minutes=7)),
        )

        result = polling.poll()

        assert (result.found, result.new, result.credited) == (3, 3, 2)
        assert polling.counts() == (3, 2)
        with polling.uow_factory(read_only=True) as uow:
            buckets = uow.outcomes.list_buckets(None, None)
            items, _ = uow.inbox.list_page(
                view=InboxView.REPLIES, status=None, limit=10, cursor=None
            )
        assert sum(b.counts.replies for b in buckets) == 1
        assert sum(b.counts.watch_backs for b in buckets) == 1
        assert [i.our_comment_body for i in items] == ["Lovely work, fan!"]

    def test_a_message_seen_twice_is_stored_and_counted_once(self, polling: Polling) -> None:
        """The same messageid on a later poll (and twice on one page): one row, one credit."""
        sent_comment(polling.uow_factory, deviation=1, author="fan", commentid="C1", at=START)
        watch = back_message("M1", "watch", by="fan", at=START + timedelta(minutes=1))
        polling.center.arrive(watch, watch)
        polling.poll()
        polling.center.arrive(watch)
        polling.clock.advance(3600)

        again = polling.poll()

        assert again.new == 0
        assert polling.counts() == (1, 1)

    def test_a_second_watch_from_one_deviant_credits_nothing_more(self, polling: Polling) -> None:
        """Unwatch and watch again: two messages, one watch-back for our comment."""
        sent_comment(polling.uow_factory, deviation=1, author="fan", commentid="C1", at=START)
        polling.center.arrive(
            back_message("M1", "watch", by="fan", at=START + timedelta(minutes=1)),
            back_message("M2", "watch", by="fan", at=START + timedelta(minutes=9)),
        )

        polling.poll()

        assert polling.counts() == (2, 1)

    def test_a_second_watch_on_a_later_page_credits_nothing_more(self, polling: Polling) -> None:
        """The two watches on two pages (two transactions): still one watch-back."""
        sent_comment(polling.uow_factory, deviation=1, author="fan", commentid="C1", at=START)
        polling.center.arrive(
            back_message("M1", "watch", by="fan", at=START + timedelta(minutes=1)),
            *watches(2),
            back_message("M2", "watch", by="fan", at=START + timedelta(minutes=9)),
        )

        result = polling.poll()

        assert (result.pages, result.credited) == (2, 1)
        assert polling.counts() == (4, 1)

    def test_a_message_met_again_on_a_later_page_is_stored_and_credited_once(
        self, polling: Polling
    ) -> None:
        """The feed shifted between two pages: a reply on both is one row and one credit."""
        sent_comment(polling.uow_factory, deviation=1, author="fan", commentid="C1", at=START)
        answer = reply_message(
            "M1", to="C1", reply="R1", deviation=1, by="fan", at=START, body="thanks!"
        )
        polling.center.arrive(answer, *watches(2), answer)

        result = polling.poll()

        assert (result.pages, result.new, result.credited) == (2, 3, 1)
        assert polling.counts() == (3, 1)
        with polling.uow_factory(read_only=True) as uow:
            assert sum(b.counts.replies for b in uow.outcomes.list_buckets(None, None)) == 1

    def test_outcomes_of_one_page_add_up_in_their_bucket(self, polling: Polling) -> None:
        """Replies to two comments of one day and template, and a reply twice: 2 replies."""
        for n in (1, 2):
            sent_comment(
                polling.uow_factory, deviation=n, author=f"fan{n}", commentid=f"C{n}", at=START
            )
        first, second = (
            reply_message(
                f"M{n}",
                to=f"C{n}",
                reply=f"R{n}",
                deviation=n,
                by=f"fan{n}",
                at=START + timedelta(minutes=n),
                body="thanks!",
            )
            for n in (1, 2)
        )
        polling.center.arrive(first, second, first)

        result = polling.poll()

        assert (result.pages, result.new, result.credited) == (1, 2, 2)
        with polling.uow_factory(read_only=True) as uow:
            (bucket,) = uow.outcomes.list_buckets(None, None)
        assert (bucket.counts.comments, bucket.counts.replies) == (2, 2)

    def test_a_stack_is_expanded_into_its_messages(self, polling: Polling) -> None:
        """A stack of 5 watches (sent although we asked stack=false): 5 messages, 5 credits."""
        for n in range(5):
            sent_comment(
                polling.uow_factory, deviation=n, author=f"fan{n}", commentid=f"C{n}", at=START
            )
        members = [
            back_message(f"S{n}", "watch", by=f"fan{n}", at=START + timedelta(hours=1))
            for n in range(5)
        ]
        polling.center.stacks["stack-1"] = members
        polling.center.arrive(
            {**members[0], "messageid": "STACK", "stackid": "stack-1", "stack_count": 5}
        )

        result = polling.poll()

        assert result.credited == 5
        assert polling.counts() == (5, 5)
        assert "stack:stack-1:0" in polling.center.calls


class TestPaging:
    def test_a_poll_stops_at_the_first_page_it_knows(self, polling: Polling) -> None:
        """Two new messages on top of known ones: one page read, not the whole feed."""
        polling.center.arrive(*watches(5))
        polling.poll()
        polling.center.arrive(*watches(2, prefix="N"))
        polling.center.calls.clear()
        polling.clock.advance(3600)

        result = polling.poll()

        assert result.new == 2
        assert polling.center.calls == ["feed:None"]

    def test_a_backlog_longer_than_the_budget_is_finished_by_the_next_poll(
        self, polling: Polling
    ) -> None:
        """12 messages, 3 pages of 3 per poll: the resume point is kept, the next poll ends it."""
        polling.center.arrive(*watches(12))

        first = polling.poll()
        with polling.uow_factory(read_only=True) as uow:
            assert uow.inbox.get_poll().cursor is not None
        polling.clock.advance(61)
        assert polling.is_due()  # a catch-up is due within a minute
        second = polling.poll()

        assert (first.new, second.new) == (9, 3)
        assert polling.counts() == (12, 0)
        with polling.uow_factory(read_only=True) as uow:
            assert uow.inbox.get_poll().cursor is None

    def test_new_messages_during_a_catch_up_are_read_after_it(self, polling: Polling) -> None:
        """The hole is filled first, then the top: nothing is skipped."""
        polling.center.arrive(*watches(11))
        polling.poll()
        polling.center.arrive(*watches(2, prefix="N"))
        polling.clock.advance(61)

        polling.poll()

        assert polling.counts() == (13, 0)


class TestWhenItPolls:
    def test_a_connection_without_the_message_scope_is_never_polled(
        self, uow_factory: UnitOfWorkFactory, center: FakeMessageCenter, clock: ManualClock
    ) -> None:
        """Scope without `message`: not due, and the overview says reconnect."""
        connect(uow_factory, scope="browse comment.post user")
        poller = InboxPoller(uow_factory=uow_factory, api=center, clock=clock)
        overview = InboxOverviewService(
            uow_factory=uow_factory, clock=clock, poller=poller, stop=threading.Event()
        )

        assert not poller.is_due(clock.now())
        assert poller.poll_if_due(threading.Event()) is False
        assert center.calls == []
        assert overview.overview().reconnect_to_read_replies

    def test_insufficient_scope_records_reconnect(self, polling: Polling) -> None:
        """DeviantArt says insufficient_scope: the poll stops and status asks to reconnect."""
        polling.center.faults.append(
            InsufficientScope("no message scope", status=403, error="insufficient_scope")
        )

        result = polling.poll()

        assert result.error == RECONNECT
        with polling.uow_factory(read_only=True) as uow:
            assert uow.inbox.get_poll().needs_scope

    def test_a_throttled_page_ends_the_poll(self, polling: Polling) -> None:
        """A 429 on page two: page one is stored, the resume point kept, the error shown."""
        polling.center.arrive(*watches(9))
        polling.center.faults += [None, RateLimited("429", status=429, error="user_api_threshold")]

        result = polling.poll()

        assert result.new == 3
        assert result.error is not None
        assert result.error.startswith("rate_limited")
        with polling.uow_factory(read_only=True) as uow:
            state = uow.inbox.get_poll()
        assert state.cursor is not None  # the next poll goes on from page two
        assert polling.counts() == (3, 0)

    def test_a_wait_in_force_postpones_the_poll(self, polling: Polling) -> None:
        """A DeviantArt wait on the account: no poll until it ends."""
        now = polling.clock.now()
        with polling.uow_factory() as uow:
            uow.penalties.impose(PENALTY_USER, now + timedelta(minutes=5), "429", now)
            uow.commit()

        assert not polling.is_due()
        assert polling.is_due(timedelta(minutes=6))

    def test_polls_that_find_nothing_back_off(self, polling: Polling) -> None:
        """15 min, then 30, then 60 and no longer: empty polls double the interval up to 4x."""
        waits = []
        for _ in range(4):
            polling.poll()
            minutes = 0
            while not polling.is_due():
                polling.clock.advance(60)
                minutes += 1
            waits.append(minutes)

        assert waits == [30, 60, 60, 60]

    def test_a_poll_that_found_something_resets_the_back_off(self, polling: Polling) -> None:
        """New messages: the next poll comes after the plain interval again."""
        polling.poll()
        polling.clock.advance(30 * 60)
        polling.center.arrive(*watches(1))
        polling.poll()

        assert not polling.is_due(timedelta(minutes=14))
        assert polling.is_due(timedelta(minutes=15))

    def test_zero_minutes_never_polls_but_a_refresh_does(self, polling: Polling) -> None:
        """inbox_poll_minutes=0: never on its own; the artist's refresh still reads once."""
        settings(polling.uow_factory, polling.clock, inbox_poll_minutes=0)
        assert not polling.is_due()

        polling.poller.request()
        polling.clock.advance(1)

        assert polling.is_due()

    def test_another_process_holding_the_lease_is_left_alone(self, polling: Polling) -> None:
        """One poll at a time across processes: a live lease of another owner wins."""
        now = polling.clock.now()
        with polling.uow_factory() as uow:
            assert uow.inbox.take_lease("other", now + timedelta(minutes=2), now)
            uow.commit()

        result = polling.poll()

        assert not result.polled
        assert polling.center.calls == []

    def test_a_long_poll_keeps_its_lease(
        self, uow_factory: UnitOfWorkFactory, clock: ManualClock
    ) -> None:
        """Pages a minute apart: the lease is renewed with them and never lapses mid-poll."""
        connect(uow_factory)
        center = SlowMessageCenter(clock, uow_factory, seconds=61)
        center.arrive(*watches(12))
        poller = InboxPoller(uow_factory=uow_factory, api=center, clock=clock, max_pages=4)

        result = poller.poll(threading.Event())

        assert result.pages == 4
        assert len(center.leases) == 4
        assert all(until > at for at, until in center.leases)

    def test_the_worker_hook_never_takes_postings_turn(self, polling: Polling) -> None:
        """The next post due in less than MIN_SLACK: no poll in that wait."""
        now = polling.clock.now()
        soon = now + MIN_SLACK - timedelta(seconds=1)

        assert polling.poller.poll_if_due(threading.Event(), soon) is False
        assert polling.center.calls == []
        assert polling.poller.poll_if_due(threading.Event(), now + timedelta(minutes=2)) is True


class TestCsvExport:
    def test_the_log_export_has_the_outcomes_of_each_comment(self, polling: Polling) -> None:
        """replies, watch_backs, fave_backs, comment_backs per comment in the CSV."""
        sent_comment(polling.uow_factory, deviation=1, author="fan", commentid="C1", at=START)
        sent_comment(polling.uow_factory, deviation=2, author="other", commentid="C2", at=START)
        at = START + timedelta(minutes=5)
        polling.center.arrive(
            reply_message("M1", to="C1", reply="R1", deviation=1, by="fan", at=at, body="ty"),
            back_message("M2", "watch", by="fan", at=at),
            back_message("M3", "favourite", by="fan", at=at),
            back_message("M4", "comment", by="other", at=at),
        )
        polling.poll()

        with polling.uow_factory(read_only=True) as uow:
            text = "".join(csv_chunks(uow.logs.iter_all(status=None, since=None)))
        rows = {row["commentid"]: row for row in csv.DictReader(io.StringIO(text))}

        earned = ("replies", "watch_backs", "fave_backs", "comment_backs")
        assert [rows["C1"][c] for c in earned] == ["1", "1", "1", "0"]
        assert [rows["C2"][c] for c in earned] == ["0", "0", "0", "1"]
