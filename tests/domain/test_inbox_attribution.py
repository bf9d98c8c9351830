"""Attribution: which comment of ours an outcome is credited to, rule by rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from photomanager.domain.inbox import (
    InboxMessage,
    MessageKind,
    OutcomeKind,
    SentComment,
    attribute,
    kind_of,
)

SENT = datetime(2026, 12, 1, 12, 0, 0, 654321, tzinfo=UTC)
DAYS = 14


def comment(
    log_id: int = 1,
    *,
    commentid: str | None = "C1",
    author: str | None = "fan",
    sent_at: datetime = SENT,
    message_id: int | None = 7,
) -> SentComment:
    return SentComment(
        log_id=log_id,
        commentid=commentid,
        author=author,
        sent_at=sent_at,
        message_id=message_id,
        source="watch_feed",
    )


def message(
    kind: MessageKind,
    *,
    messageid: str = "M1",
    ts: datetime | None = SENT + timedelta(hours=1),
    originator: str | None = "fan",
    parentid: str | None = None,
    subject_commentid: str | None = None,
) -> InboxMessage:
    return InboxMessage(
        messageid=messageid,
        type=f"feedback.{kind.value}",
        kind=kind,
        ts=ts,
        originator_username=originator,
        parentid=parentid,
        subject_commentid=subject_commentid,
    )


class TestReplies:
    def test_a_reply_under_our_comment_is_credited_to_it(self) -> None:
        """comment.parentid is one of our commentids: a reply, credited to that comment."""
        credit = attribute(
            message(MessageKind.REPLY, parentid="C1"), [comment()], attribution_days=DAYS
        )

        assert credit is not None
        assert (credit.kind, credit.comment.log_id) == (OutcomeKind.REPLY, 1)

    def test_the_subject_comment_counts_when_the_parent_is_not_ours(self) -> None:
        """No parentid of ours: subject.comment.commentid decides."""
        reply = message(MessageKind.REPLY, parentid="OTHER", subject_commentid="C1")

        credit = attribute(reply, [comment()], attribution_days=DAYS)

        assert credit is not None
        assert credit.comment.commentid == "C1"

    def test_the_parent_wins_over_the_subject(self) -> None:
        """Both are ours: the parent is trusted first."""
        ours = [comment(1, commentid="C1"), comment(2, commentid="C2")]
        reply = message(MessageKind.REPLY, parentid="C2", subject_commentid="C1")

        credit = attribute(reply, ours, attribution_days=DAYS)

        assert credit is not None
        assert credit.comment.log_id == 2

    def test_a_reply_under_someone_elses_comment_earns_nothing(self) -> None:
        """A reply whose parent is not ours is kept in the inbox, credited to nothing."""
        reply = message(MessageKind.REPLY, parentid="ELSE")

        assert attribute(reply, [comment()], attribution_days=DAYS) is None

    def test_a_reply_needs_no_window(self) -> None:
        """A reply a year later is still a reply to that comment."""
        reply = message(MessageKind.REPLY, parentid="C1", ts=SENT + timedelta(days=365))

        assert attribute(reply, [comment()], attribution_days=DAYS) is not None


class TestBackFromTheDeviant:
    def test_a_watch_from_the_deviant_is_a_watch_back(self) -> None:
        """feedback.watch from the author we commented on, within the window."""
        credit = attribute(message(MessageKind.WATCH), [comment()], attribution_days=DAYS)

        assert credit is not None
        assert credit.kind is OutcomeKind.WATCH_BACK

    def test_a_favourite_and_a_collect_are_fave_backs(self) -> None:
        """feedback.favourite and feedback.collect of the artist's work: fave-backs."""
        for kind in (MessageKind.FAVOURITE, MessageKind.COLLECT):
            credit = attribute(message(kind), [comment()], attribution_days=DAYS)
            assert credit is not None
            assert credit.kind is OutcomeKind.FAVE_BACK

    def test_a_comment_on_the_artists_work_is_a_comment_back(self) -> None:
        """feedback.comment from the deviant: a comment-back."""
        credit = attribute(message(MessageKind.COMMENT), [comment()], attribution_days=DAYS)

        assert credit is not None
        assert credit.kind is OutcomeKind.COMMENT_BACK

    def test_the_author_is_matched_whatever_the_case(self) -> None:
        """DeviantArt usernames are case-insensitive."""
        credit = attribute(
            message(MessageKind.WATCH, originator="FAN"), [comment()], attribution_days=DAYS
        )

        assert credit is not None

    def test_a_stranger_earns_nothing(self) -> None:
        """A watch from someone we never commented on is credited to nothing."""
        watch = message(MessageKind.WATCH, originator="stranger")

        assert attribute(watch, [comment()], attribution_days=DAYS) is None

    def test_an_unknown_type_earns_nothing(self) -> None:
        """An unknown type from the deviant is kept, never credited."""
        assert kind_of("feedback.badge_given") is MessageKind.OTHER
        other = message(MessageKind.OTHER)

        assert attribute(other, [comment()], attribution_days=DAYS) is None

    def test_a_message_without_time_earns_nothing(self) -> None:
        """No ts: the window cannot be checked, no credit."""
        assert (
            attribute(message(MessageKind.WATCH, ts=None), [comment()], attribution_days=DAYS)
            is None
        )


class TestWindow:
    def test_exactly_at_the_end_of_the_window_counts(self) -> None:
        """attribution_days to the microsecond after our comment: still credited."""
        watch = message(MessageKind.WATCH, ts=SENT + timedelta(days=DAYS))

        assert attribute(watch, [comment()], attribution_days=DAYS) is not None

    def test_just_past_the_window_earns_nothing(self) -> None:
        """A second past attribution_days: not credited."""
        watch = message(MessageKind.WATCH, ts=SENT + timedelta(days=DAYS, seconds=1))

        assert attribute(watch, [comment()], attribution_days=DAYS) is None

    def test_a_watch_before_our_comment_earns_nothing(self) -> None:
        """The deviant watched first: our comment did not earn it."""
        watch = message(MessageKind.WATCH, ts=SENT - timedelta(seconds=5))

        assert attribute(watch, [comment()], attribution_days=DAYS) is None

    def test_a_second_precision_ts_just_before_our_time_counts(self) -> None:
        """DeviantArt's ts is cut to the second: 12:00:00 for our 12:00:00.654321 is after."""
        watch = message(MessageKind.WATCH, ts=SENT.replace(microsecond=0))

        credit = attribute(watch, [comment()], attribution_days=DAYS)

        assert credit is not None

    def test_more_than_a_second_before_does_not(self) -> None:
        """The tolerance is one second, no more."""
        watch = message(MessageKind.WATCH, ts=SENT - timedelta(seconds=1, microseconds=1))

        assert attribute(watch, [comment()], attribution_days=DAYS) is None

    def test_the_window_is_the_setting(self) -> None:
        """attribution_days=1: a watch two days later earns nothing."""
        watch = message(MessageKind.WATCH, ts=SENT + timedelta(days=2))

        assert attribute(watch, [comment()], attribution_days=1) is None
        assert attribute(watch, [comment()], attribution_days=3) is not None


class TestTwoCommentsToOneDeviant:
    def test_the_latest_comment_before_the_outcome_is_credited(self) -> None:
        """Two comments to the same deviant: the later one, sent before the watch, wins."""
        ours = [
            comment(1, sent_at=SENT),
            comment(2, commentid="C2", sent_at=SENT + timedelta(days=3)),
        ]
        watch = message(MessageKind.WATCH, ts=SENT + timedelta(days=4))

        credit = attribute(watch, ours, attribution_days=DAYS)

        assert credit is not None
        assert credit.comment.log_id == 2

    def test_a_comment_after_the_outcome_is_not_credited(self) -> None:
        """The second comment went after the watch: the first one earned it."""
        ours = [
            comment(1, sent_at=SENT),
            comment(2, commentid="C2", sent_at=SENT + timedelta(days=5)),
        ]
        watch = message(MessageKind.WATCH, ts=SENT + timedelta(days=4))

        credit = attribute(watch, ours, attribution_days=DAYS)

        assert credit is not None
        assert credit.comment.log_id == 1

    def test_the_window_runs_from_the_latest_comment(self) -> None:
        """An old comment outside the window, a recent one inside: the recent one."""
        ours = [
            comment(1, sent_at=SENT - timedelta(days=30)),
            comment(2, commentid="C2", sent_at=SENT),
        ]
        credit = attribute(message(MessageKind.WATCH), ours, attribution_days=DAYS)

        assert credit is not None
        assert credit.comment.log_id == 2


class TestStackOfWatches:
    def test_five_watches_credit_five_comments_once_each(self) -> None:
        """A stack of 5 watches from 5 deviants we commented on: one credit each, to each."""
        ours = [comment(n, commentid=f"C{n}", author=f"fan{n}") for n in range(1, 6)]
        watches = [
            message(MessageKind.WATCH, messageid=f"M{n}", originator=f"fan{n}") for n in range(1, 6)
        ]

        credits = [attribute(w, ours, attribution_days=DAYS) for w in watches]

        assert [c.comment.log_id for c in credits if c is not None] == [1, 2, 3, 4, 5]
        assert {c.messageid for c in credits if c is not None} == {f"M{n}" for n in range(1, 6)}
