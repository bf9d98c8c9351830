"""Reconciliation tells our replies (answers from the inbox) from our top-level comment."""

from __future__ import annotations

import threading
from datetime import timedelta

from fixtures.database import FIXED_NOW, add_unknown_row
from photomanager.domain.models import Author, Comment, CommentPage, QueueStatus
from photomanager.sandbox import ManualClock
from photomanager.services.account.identity import Me
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.posting.reconcile import Reconciler

DEVIATION = "0E6D1A2B-3C4D-5E6F-7A8B-000000000042"
ME = Author(userid="U-ARTIST", username="artist")


class Thread:
    """`list_comments` over a fixed thread (the part of DeviantArtApi reconcile reads)."""

    def __init__(self, *comments: Comment) -> None:
        self.comments = comments

    def list_comments(self, deviationid: str, *, offset: int, limit: int) -> CommentPage:
        return CommentPage(
            thread=self.comments[offset : offset + limit], has_more=False, next_offset=None
        )

    def get_recommended_delay(self) -> float:
        return 0.0


def comment(commentid: str, author: Author, parentid: str | None = None) -> Comment:
    return Comment(
        commentid=commentid, body="Thank you!", posted=FIXED_NOW, author=author, parentid=parentid
    )


def reconcile(uow_factory: UnitOfWorkFactory, thread: Thread) -> tuple[QueueStatus, str | None]:
    add_unknown_row(uow_factory, DEVIATION, FIXED_NOW)  # type: ignore[arg-type]
    clock = ManualClock(FIXED_NOW + timedelta(seconds=1))
    reconciler = Reconciler(uow_factory=uow_factory, api=thread, clock=clock)  # type: ignore[arg-type]
    reconciler.reconcile(DEVIATION, Me(userid=ME.userid, username=ME.username), threading.Event())
    with uow_factory(read_only=True) as uow:
        item = uow.queue.get(DEVIATION)
    assert item is not None
    return item.status, item.commentid


class TestOurRepliesAreNotOurComment:
    def test_a_reply_of_ours_alone_does_not_settle_the_row(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Only our reply under someone's comment: our comment was not found (still unknown)."""
        stranger = Author(userid="U-X", username="someone")
        thread = Thread(comment("THEIRS", stranger), comment("OUR-REPLY", ME, parentid="THEIRS"))

        status, commentid = reconcile(uow_factory, thread)

        assert status is QueueStatus.UNKNOWN
        assert commentid is None

    def test_our_top_level_comment_is_found_past_our_reply(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """Our reply first in the thread, our comment after it: the comment is the one taken."""
        thread = Thread(comment("OUR-REPLY", ME, parentid="X"), comment("OURS", ME))

        status, commentid = reconcile(uow_factory, thread)

        assert status is QueueStatus.COMMENTED
        assert commentid == "OURS"
