"""A hand-written message center (the `InboxApi` port) and helpers to build the world.

Messages are DeviantArt-shaped dicts (`messages/feed` items: messageid, type,
ts, originator, subject, comment), parsed by the real parser, newest first,
paged by an opaque cursor. Faults are queued per call: an exception raised
instead of answering.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from photomanager.deviantart.messages_parsing import parse_message_page
from photomanager.domain.errors import OutcomeUnknown
from photomanager.domain.inbox import MessagePage
from photomanager.domain.models import (
    Author,
    Comment,
    CommentPage,
    DeviantArtUser,
    LogStatus,
    NewQueueItem,
    OAuthToken,
    Source,
)
from photomanager.services.ports import UnitOfWorkFactory

ARTIST = DeviantArtUser(userid="U-ARTIST", username="artist")
DEVIATION = "0E6D1A2B-3C4D-5E6F-7A8B-{:012d}"
START = datetime(2026, 12, 1, 12, 0, 0, 500000, tzinfo=UTC)


def deviation_id(n: int) -> str:
    return DEVIATION.format(n)


def iso(moment: datetime) -> str:
    """DeviantArt's `ts`: whole seconds, with an offset."""
    return moment.replace(microsecond=0).isoformat()


def reply_message(
    messageid: str, *, to: str, reply: str, deviation: int, by: str, at: datetime, body: str
) -> dict[str, Any]:
    return {
        "messageid": messageid,
        "type": "feedback.reply",
        "ts": iso(at),
        "stackid": None,
        "originator": {"userid": f"U-{by.upper()}", "username": by},
        "subject": {
            "comment": {"commentid": to},
            "deviation": {
                "deviationid": deviation_id(deviation),
                "title": f"Work {deviation}",
                "url": f"https://www.deviantart.com/x/art/{deviation}",
            },
        },
        "comment": {"commentid": reply, "parentid": to, "body": body},
    }


def back_message(messageid: str, kind: str, *, by: str, at: datetime) -> dict[str, Any]:
    """feedback.watch, .favourite, .collect or .comment from `by`."""
    item: dict[str, Any] = {
        "messageid": messageid,
        "type": f"feedback.{kind}",
        "ts": iso(at),
        "originator": {"userid": f"U-{by.upper()}", "username": by},
        "subject": {"deviation": {"deviationid": deviation_id(999), "title": "Mine"}},
    }
    if kind == "comment":
        item["comment"] = {"commentid": f"CB-{messageid}", "body": "nice!"}
    return item


class FakeMessageCenter:
    """The `InboxApi` port over a list of message dicts, newest first."""

    def __init__(self, *, page_size: int = 3) -> None:
        self.messages: list[dict[str, Any]] = []
        self.page_size = page_size
        self.calls: list[str] = []
        self.faults: list[Exception | None] = []  # per call, in order; None answers normally
        self.stacks: dict[str, list[dict[str, Any]]] = {}
        self.replies: list[Comment] = []  # what "DeviantArt" stored
        self.lose_next_reply = False
        self._ids = itertools.count(1)

    def arrive(self, *items: dict[str, Any]) -> None:
        """New messages at the top (the last one given is the newest)."""
        for item in items:
            self.messages.insert(0, item)

    def _fault(self, call: str) -> None:
        self.calls.append(call)
        fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            raise fault

    def messages_feed(self, cursor: str | None = None, *, stack: bool = False) -> MessagePage:
        self._fault(f"feed:{cursor}")
        # A cursor names the message it continues after (stable when new ones arrive).
        start = 0
        if cursor is not None:
            ids = [m["messageid"] for m in self.messages]
            start = ids.index(cursor) + 1
        chunk = self.messages[start : start + self.page_size]
        more = start + self.page_size < len(self.messages)
        return parse_message_page(
            {
                "cursor": chunk[-1]["messageid"] if chunk else None,
                "has_more": more,
                "results": chunk,
            }
        )

    def messages_feedback_stack(self, stackid: str, *, offset: int, limit: int) -> MessagePage:
        self._fault(f"stack:{stackid}:{offset}")
        items = self.stacks[stackid]
        chunk = items[offset : offset + limit]
        more = offset + limit < len(items)
        return parse_message_page(
            {"has_more": more, "next_offset": offset + limit if more else None, "results": chunk}
        )

    def post_reply(self, deviationid: str, commentid: str, body: str) -> Comment:
        self._fault(f"post:{commentid}")
        comment = Comment(
            commentid=f"A-{next(self._ids)}",
            body=body,
            posted=START,
            author=Author(userid=ARTIST.userid, username=ARTIST.username),
            parentid=commentid,
        )
        self.replies.append(comment)
        if self.lose_next_reply:
            self.lose_next_reply = False
            raise OutcomeUnknown("read timeout after the reply was stored")
        return comment

    def list_replies(
        self, deviationid: str, commentid: str, *, offset: int, limit: int
    ) -> CommentPage:
        self._fault(f"replies:{commentid}")
        under = [c for c in self.replies if c.parentid == commentid]
        return CommentPage(
            thread=tuple(under[offset : offset + limit]), has_more=False, next_offset=None
        )

    def whoami(self) -> DeviantArtUser:
        return ARTIST

    def get_recommended_delay(self) -> float:
        return 0.0

    def posts(self) -> list[str]:
        return [c for c in self.calls if c.startswith("post:")]


def connect(
    uow_factory: UnitOfWorkFactory, *, scope: str = "browse comment.post message user"
) -> None:
    """Store a token of the artist with `scope`."""
    with uow_factory() as uow:
        uow.tokens.save(
            OAuthToken(
                access_token="a",
                refresh_token="r",
                expires_at=START + timedelta(days=365),
                scope=scope,
                userid=ARTIST.userid,
                username=ARTIST.username,
            )
        )
        uow.commit()


def sent_comment(
    uow_factory: UnitOfWorkFactory,
    *,
    deviation: int,
    author: str,
    commentid: str,
    at: datetime,
    template: int | None = None,
    source: Source = Source.WATCH_FEED,
) -> int:
    """Queue a deviation of `author` and log our comment under it, as the worker does."""
    with uow_factory() as uow:
        uow.queue.add_deviation(
            NewQueueItem(
                deviationid=deviation_id(deviation),
                source=source,
                ts=at,
                author=author,
                title=f"Work {deviation}",
            ),
            at,
        )
        entry = uow.logs.append(
            deviationid=deviation_id(deviation),
            status=LogStatus.SENT,
            now=at,
            message_id=template,
            commentid=commentid,
            body=f"Lovely work, {author}!",
        )
        uow.commit()
    return entry.log_id


def template(uow_factory: UnitOfWorkFactory, title: str) -> int:
    with uow_factory() as uow:
        t = uow.messages.add(title, "{Nice|Great} work!", True, START)
        uow.commit()
    return t.message_id


Factory = Callable[..., Any]
