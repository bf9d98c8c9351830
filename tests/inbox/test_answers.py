"""Answering a reply by hand: once, at once, crash-safe (never two answers)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from inbox.inbox_doubles import (
    ARTIST,
    START,
    FakeMessageCenter,
    back_message,
    connect,
    reply_message,
    sent_comment,
)
from photomanager.domain.errors import (
    AlreadyAnswered,
    AnswerPending,
    InvalidInput,
    NotAReply,
    NotFound,
    RateLimited,
)
from photomanager.domain.inbox import AnswerState, InboxStatus
from photomanager.domain.models import LogStatus
from photomanager.sandbox import ManualClock
from photomanager.services.account.identity import Me
from photomanager.services.inbox.answers import ANSWER_GRACE, InboxService
from photomanager.services.inbox.poller import InboxPoller
from photomanager.services.ports import UnitOfWorkFactory


@pytest.fixture
def center() -> FakeMessageCenter:
    return FakeMessageCenter(page_size=10)


@pytest.fixture
def inbox(
    uow_factory: UnitOfWorkFactory, center: FakeMessageCenter, clock: ManualClock
) -> InboxService:
    """A reply of `fan` under our comment C1, and a watch, both polled into the inbox."""
    connect(uow_factory)
    sent_comment(uow_factory, deviation=1, author="fan", commentid="C1", at=START)
    center.arrive(
        back_message("M0", "watch", by="fan", at=START + timedelta(minutes=4)),
        reply_message(
            "M1",
            to="C1",
            reply="R1",
            deviation=1,
            by="fan",
            at=START + timedelta(minutes=5),
            body="<script>alert(1)</script> thanks!",
        ),
    )
    InboxPoller(uow_factory=uow_factory, api=center, clock=clock).poll(threading.Event())
    center.calls.clear()
    return InboxService(
        uow_factory=uow_factory,
        api=center,
        clock=clock,
        me=lambda: Me(userid=ARTIST.userid, username=ARTIST.username),
        max_length=500,
    )


def reply_id(inbox: InboxService) -> int:
    (item,) = inbox.list_items().items
    return item.id


class TestListing:
    def test_the_reply_is_listed_with_our_comment_and_its_text_as_sent(
        self, inbox: InboxService
    ) -> None:
        """The inbox lists the reply, our comment's text, the deviant's text untouched."""
        page = inbox.list_items()

        (item,) = page.items
        assert item.message.body == "<script>alert(1)</script> thanks!"
        assert item.our_commentid == "C1"
        assert item.our_comment_body == "Lovely work, fan!"
        assert item.status is InboxStatus.UNREAD
        assert page.unread == 1

    def test_other_messages_have_their_own_view(self, inbox: InboxService) -> None:
        """The watch is in the "other" view, not among the replies."""
        assert [i.message.messageid for i in inbox.list_items(kind="other").items] == ["M0"]
        assert len(inbox.list_items(kind="all").items) == 2

    def test_mark_read(self, inbox: InboxService) -> None:
        """unread -> read; the unread count drops."""
        item = inbox.mark_read(reply_id(inbox))

        assert item.status is InboxStatus.READ
        assert inbox.list_items(status="unread").items == []
        assert inbox.list_items().unread == 0

    def test_bad_filters_say_what_to_fix(self, inbox: InboxService) -> None:
        """An unknown status or kind: InvalidInput naming the choices."""
        with pytest.raises(InvalidInput, match="unread, read, answered or all"):
            inbox.list_items(status="new")
        with pytest.raises(InvalidInput, match="replies, other or all"):
            inbox.list_items(kind="x")


class TestAnswerOnce:
    def test_an_answer_is_posted_under_the_deviants_reply(
        self, inbox: InboxService, center: FakeMessageCenter
    ) -> None:
        """The typed text goes out as a reply to R1; the item is answered."""
        item = inbox.reply(reply_id(inbox), "  Thank you!  ")

        assert center.posts() == ["post:R1"]
        assert [(c.parentid, c.body) for c in center.replies] == [("R1", "Thank you!")]
        assert item.status is InboxStatus.ANSWERED
        assert item.answer is not None
        assert item.answer.state is AnswerState.SENT

    def test_a_second_answer_is_refused(
        self, inbox: InboxService, center: FakeMessageCenter
    ) -> None:
        """One answer per item: the second is AlreadyAnswered, nothing posted."""
        inbox.reply(reply_id(inbox), "Thank you!")

        with pytest.raises(AlreadyAnswered):
            inbox.reply(reply_id(inbox), "Thanks again!")
        assert len(center.replies) == 1

    def test_an_answer_is_not_counted_in_the_caps(
        self, inbox: InboxService, uow_factory: UnitOfWorkFactory, clock: ManualClock
    ) -> None:
        """The log (which the caps count) holds our one comment, not the answer."""
        inbox.reply(reply_id(inbox), "Thank you!")

        with uow_factory(read_only=True) as uow:
            assert uow.logs.count_since(LogStatus.SENT, START - timedelta(days=1)) == 1

    def test_only_a_reply_can_be_answered(self, inbox: InboxService) -> None:
        """A watch has nothing to answer under: NotAReply."""
        (watch,) = inbox.list_items(kind="other").items

        with pytest.raises(NotAReply):
            inbox.reply(watch.id, "hi")

    def test_an_empty_or_long_answer_is_refused(self, inbox: InboxService) -> None:
        """Blank, or over the limit: InvalidInput, nothing claimed."""
        with pytest.raises(InvalidInput, match="empty"):
            inbox.reply(reply_id(inbox), "   ")
        with pytest.raises(InvalidInput, match="at most 500"):
            inbox.reply(reply_id(inbox), "x" * 501)
        assert inbox.get(reply_id(inbox)).answer is None

    def test_an_unknown_item(self, inbox: InboxService) -> None:
        """NotFound."""
        with pytest.raises(NotFound):
            inbox.reply(999_999, "hi")


class TestAnswerCrashSafety:
    def test_a_lost_response_is_read_back_and_never_posted_again(
        self, inbox: InboxService, center: FakeMessageCenter
    ) -> None:
        """The reply landed but its answer was lost: the read-back finds it, no second POST."""
        center.lose_next_reply = True

        item = inbox.reply(reply_id(inbox), "Thank you!")

        assert item.answer is not None
        assert item.answer.state is AnswerState.SENT
        assert item.answer.commentid == center.replies[0].commentid
        with pytest.raises(AlreadyAnswered):
            inbox.reply(reply_id(inbox), "Thank you!")
        assert center.posts() == ["post:R1"]

    def test_a_refused_post_may_be_sent_again(
        self, inbox: InboxService, center: FakeMessageCenter
    ) -> None:
        """Throttled before anything was stored: failed, and the artist may try again."""
        center.faults.append(RateLimited("429", status=429, error="user_api_threshold"))
        with pytest.raises(RateLimited):
            inbox.reply(reply_id(inbox), "Thank you!")
        assert inbox.get(reply_id(inbox)).answer.state is AnswerState.FAILED  # type: ignore[union-attr]

        inbox.reply(reply_id(inbox), "Thank you!")

        assert len(center.replies) == 1

    def test_a_crash_after_the_claim_is_settled_by_reading_back(
        self,
        inbox: InboxService,
        center: FakeMessageCenter,
        uow_factory: UnitOfWorkFactory,
        clock: ManualClock,
    ) -> None:
        """Killed after the POST, before recording it: the next answer finds ours, posts none."""
        item_id = reply_id(inbox)
        with uow_factory() as uow:  # the claim a killed process left behind
            assert uow.inbox.add_answer(item_id, "Thank you!", clock.now())
            uow.commit()
        center.post_reply("0E6D1A2B-3C4D-5E6F-7A8B-000000000001", "R1", "Thank you!")
        center.calls.clear()

        with pytest.raises(AlreadyAnswered, match="found on DeviantArt"):
            inbox.reply(item_id, "Thank you!")

        assert center.posts() == []
        assert inbox.get(item_id).status is InboxStatus.ANSWERED

    def test_a_claim_without_a_post_waits_out_the_grace_then_posts(
        self,
        inbox: InboxService,
        center: FakeMessageCenter,
        uow_factory: UnitOfWorkFactory,
        clock: ManualClock,
    ) -> None:
        """Killed before the POST: pending within the grace, posted once after it."""
        item_id = reply_id(inbox)
        with uow_factory() as uow:
            uow.inbox.add_answer(item_id, "Thank you!", clock.now())
            uow.commit()

        with pytest.raises(AnswerPending):
            inbox.reply(item_id, "Thank you!")
        clock.advance(ANSWER_GRACE.total_seconds() + 1)
        inbox.reply(item_id, "Thank you!")

        assert center.posts() == ["post:R1"]
        assert len(center.replies) == 1

    def test_a_read_back_that_fails_posts_nothing(
        self,
        inbox: InboxService,
        center: FakeMessageCenter,
        uow_factory: UnitOfWorkFactory,
        clock: ManualClock,
    ) -> None:
        """Cannot verify: AnswerPending, never a blind second POST."""
        item_id = reply_id(inbox)
        with uow_factory() as uow:
            uow.inbox.add_answer(item_id, "Thank you!", clock.now())
            uow.commit()
        clock.advance(ANSWER_GRACE.total_seconds() + 1)
        center.faults.append(RateLimited("429", status=429))

        with pytest.raises(AnswerPending, match="cannot check"):
            inbox.reply(item_id, "Thank you!")
        assert center.posts() == []
