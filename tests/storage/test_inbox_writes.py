"""The inbox's batch writes: a page's messages, credits and counters, each once."""

from __future__ import annotations

from datetime import datetime, timedelta

from fixtures.database import FIXED_NOW as NOW
from photomanager.domain.inbox import Credit, InboxMessage, MessageKind, OutcomeKind, SentComment
from photomanager.domain.models import LogStatus
from photomanager.storage.repositories.outcome_counts import day_of
from photomanager.storage.unit_of_work import SqlUnitOfWork

DAY_ONE = NOW - timedelta(days=3)
DAY_TWO = NOW - timedelta(days=2)


def watch(messageid: str, by: str = "fan") -> InboxMessage:
    return InboxMessage(
        messageid=messageid,
        type="feedback.watch",
        kind=MessageKind.WATCH,
        ts=NOW,
        originator_username=by,
    )


def reply(messageid: str, body: str) -> InboxMessage:
    return InboxMessage(
        messageid=messageid,
        type="feedback.reply",
        kind=MessageKind.REPLY,
        ts=NOW,
        originator_username="fan",
        commentid=f"R-{messageid}",
        parentid="C1",
        body=body,
    )


def ours(
    log_id: int, sent_at: datetime = DAY_ONE, template: int | None = 7, source: str | None = "x"
) -> SentComment:
    return SentComment(
        log_id=log_id,
        commentid=f"C{log_id}",
        author="fan",
        sent_at=sent_at,
        message_id=template,
        source=source,
    )


def credit(messageid: str, kind: OutcomeKind, comment: SentComment) -> Credit:
    return Credit(messageid=messageid, kind=kind, comment=comment)


def bodies(uow: SqlUnitOfWork) -> dict[str, str | None]:
    """Each stored reply's text and the comment of ours it names, by messageid."""
    items, _ = uow.inbox.list_page(view=None, status=None, limit=100, cursor=None)
    return {i.message.messageid: f"{i.message.body}|{i.our_commentid}" for i in items}


class TestAddMessages:
    def test_a_page_holding_a_message_twice_stores_it_once(self, uow: SqlUnitOfWork) -> None:
        """The same messageid twice in one batch: one row, the first given, counted once."""
        stored = uow.inbox.add_messages(
            [reply("M1", "first"), reply("M1", "second"), watch("M2")],
            NOW,
            our_commentids={"M1": "C1"},
        )

        assert stored == 2
        assert uow.inbox.count_messages() == 2
        assert bodies(uow)["M1"] == "first|C1"

    def test_a_known_message_is_left_as_it_is_and_not_counted(self, uow: SqlUnitOfWork) -> None:
        """A batch holding a stored messageid stores the others only."""
        uow.inbox.add_messages([reply("M1", "kept")], NOW)

        stored = uow.inbox.add_messages([reply("M1", "again"), watch("M2")], NOW)

        assert stored == 1
        assert uow.inbox.count_messages() == 2
        assert bodies(uow)["M1"] == "kept|None"

    def test_every_field_is_stored_in_its_column(self, uow: SqlUnitOfWork) -> None:
        """Each field of each message comes back as given (no column taken for another)."""
        given = [
            InboxMessage(
                messageid=f"M{n}",
                type=f"feedback.t{n}",
                kind=MessageKind.REPLY if n == 1 else MessageKind.OTHER,
                ts=NOW - timedelta(minutes=n),
                stackid=f"S{n}",
                originator_userid=f"U{n}",
                originator_username=f"name{n}",
                deviationid=f"D{n}",
                deviation_title=f"title{n}",
                deviation_url=f"https://example.com/{n}",
                commentid=f"C{n}",
                parentid=f"P{n}",
                subject_commentid=f"SC{n}",
                body=f"body{n}",
                raw=f'{{"n": {n}}}',
            )
            for n in (1, 2)
        ]

        uow.inbox.add_messages(given, NOW, our_commentids={"M1": "OURS"})

        items, _ = uow.inbox.list_page(view=None, status=None, limit=10, cursor=None)
        assert [i.message for i in items] == given
        assert [(i.our_commentid, i.received_at) for i in items] == [
            ("OURS", NOW - timedelta(minutes=1)),
            (None, NOW - timedelta(minutes=2)),
        ]
        assert [i.status.value for i in items] == ["unread", "unread"]

    def test_an_empty_batch_stores_nothing(self, uow: SqlUnitOfWork) -> None:
        """No messages, no statement, nothing stored."""
        assert uow.inbox.add_messages([], NOW) == 0
        assert uow.inbox.count_messages() == 0


class TestAddCredits:
    def test_credits_are_counted_summed_per_bucket(self, uow: SqlUnitOfWork) -> None:
        """Two replies to comments of one day and template count 2 there; another day 1."""
        first, second, later = ours(1), ours(2), ours(3, sent_at=DAY_TWO)

        recorded = uow.inbox.add_credits(
            [
                credit("M1", OutcomeKind.REPLY, first),
                credit("M2", OutcomeKind.REPLY, second),
                credit("M3", OutcomeKind.REPLY, later),
                credit("M4", OutcomeKind.WATCH_BACK, first),
            ],
            NOW,
        )

        assert [c.messageid for c in recorded] == ["M1", "M2", "M3", "M4"]
        buckets = {b.day: b.counts for b in uow.outcomes.list_buckets(None, None)}
        one, two = buckets[day_of(DAY_ONE)], buckets[day_of(DAY_TWO)]
        assert (one.replies, one.watch_backs, two.replies, two.watch_backs) == (2, 1, 1, 0)

    def test_a_message_credited_twice_counts_once(self, uow: SqlUnitOfWork) -> None:
        """A messageid given twice, then again in a later batch: one credit, one count."""
        comment = ours(1)
        twice = [credit("M1", OutcomeKind.REPLY, comment)] * 2

        first = uow.inbox.add_credits(twice, NOW)
        again = uow.inbox.add_credits([credit("M1", OutcomeKind.REPLY, comment)], NOW)

        assert [c.messageid for c in first] == ["M1"]
        assert again == []
        assert uow.inbox.count_credits() == 1
        assert sum(b.counts.replies for b in uow.outcomes.list_buckets(None, None)) == 1

    def test_counts_add_to_a_bucket_that_has_comments(self, uow: SqlUnitOfWork) -> None:
        """A credit adds to the bucket its comment was counted in, keeping the comments."""
        entry = uow.logs.append(
            deviationid="D1", status=LogStatus.SENT, now=DAY_ONE, commentid="C1"
        )
        comment = ours(entry.log_id, template=None, source=None)

        uow.inbox.add_credits([credit("M1", OutcomeKind.FAVE_BACK, comment)], NOW)

        (bucket,) = uow.outcomes.list_buckets(None, None)
        assert (bucket.counts.comments, bucket.counts.fave_backs) == (1, 1)


class TestCreditedComments:
    def test_names_the_comments_holding_an_outcome_of_the_kind(self, uow: SqlUnitOfWork) -> None:
        """A watch-back on comment 1 and a reply on comment 2: only 1 has a watch-back."""
        uow.inbox.add_credits(
            [
                credit("M1", OutcomeKind.WATCH_BACK, ours(1)),
                credit("M2", OutcomeKind.REPLY, ours(2)),
            ],
            NOW,
        )

        assert uow.inbox.credited_comments([1, 2, 3], OutcomeKind.WATCH_BACK) == {1}
        assert uow.inbox.credited_comments([], OutcomeKind.WATCH_BACK) == set()
