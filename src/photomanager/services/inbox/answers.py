"""The inbox as the artist uses it: list, mark read, and answer a reply by hand.

An answer is the artist's own act, typed by a person, never automatic: it goes
out at once through the same DeviantArt client and its waits, whether the
worker runs or not, and counts against no cap (it is not in the comment log).

Never two answers to one item, even if the process dies at any instant:
1. the answer row is claimed (`sending`) and committed before the POST;
2. the POST; a 2xx records `sent` (and the item `answered`);
   surely not delivered (refused, throttled, unreachable) -> `failed`, the artist
   may try again; maybe delivered (timeout, 5xx, unreadable answer) -> the replies
   under that comment are read back at once: ours there -> `sent`, else `unknown`;
3. an item whose answer is `sending` or `unknown` is read back before anything
   else: found -> `sent` (409 already_answered); not found and the claim younger
   than ANSWER_GRACE -> 409 answer_pending (a POST may still be in flight, or
   DeviantArt may not show it yet); not found after that -> claimed again, posted.
   A read-back that fails means "cannot verify": nothing is posted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    AlreadyAnswered,
    AnswerPending,
    DeviantArtError,
    InvalidInput,
    NotAReply,
    NotConnected,
    NotFound,
    OutcomeUnknown,
)
from photomanager.domain.inbox import (
    AnswerState,
    InboxAnswer,
    InboxItem,
    InboxStatus,
    InboxView,
    MessageKind,
)
from photomanager.domain.models import Comment
from photomanager.services import crashpoints
from photomanager.services.account.identity import Me
from photomanager.services.ports import InboxApi, UnitOfWorkFactory

logger = logging.getLogger(__name__)

ANSWER_GRACE = timedelta(minutes=2)  # longer than a POST with its retries can take
READ_BACK_PAGE = 50
READ_BACK_PAGES = 3
MAX_PAGE = 100
DEFAULT_PAGE = 50
UNSETTLED = (AnswerState.SENDING, AnswerState.UNKNOWN)
UNREAD_CAP = 1000  # unread replies are counted up to this (a badge shows "999+")


@dataclass(frozen=True, slots=True)
class InboxPage:
    items: list[InboxItem]
    next_cursor: str | None
    unread: int  # unread replies, at most UNREAD_CAP


def parse_status(value: str | None) -> InboxStatus | None:
    """`unread`, `read`, `answered` or `all` (None)."""
    if value is None or value == "all":
        return None
    try:
        return InboxStatus(value)
    except ValueError:
        raise InvalidInput(
            "status must be unread, read, answered or all", details={"status": value[:40]}
        ) from None


def parse_view(value: str | None) -> InboxView | None:
    """`replies` (the default), `other` or `all` (None)."""
    if value is None:
        return InboxView.REPLIES
    if value == "all":
        return None
    try:
        return InboxView(value)
    except ValueError:
        message = "kind must be replies, other or all"
        raise InvalidInput(message, details={"kind": value[:40]}) from None


def check_body(body: str, max_length: int) -> str:
    """The answer as it will be posted; InvalidInput saying what to fix."""
    text = body.strip()
    if not text:
        raise InvalidInput("the answer is empty", details={"body": "type the answer to post"})
    if len(text) > max_length:
        raise InvalidInput(
            f"the answer is {len(text)} characters long; at most {max_length}",
            details={"body": f"at most {max_length} characters"},
        )
    if "\x00" in text:
        raise InvalidInput("the answer holds a NUL character", details={"body": "remove it"})
    return text


class InboxService:
    """List the inbox, mark items read, answer replies (see the module docstring)."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        api: InboxApi,
        clock: Clock,
        me: Callable[[], Me],
        max_length: int,
    ) -> None:
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self._me = me
        self._max_length = max_length

    def list_items(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        limit: int = DEFAULT_PAGE,
        cursor: str | None = None,
    ) -> InboxPage:
        """Newest first; `status` unread|read|answered|all, `kind` replies|other|all."""
        wanted, view = parse_status(status), parse_view(kind)
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be 1 to {MAX_PAGE}", details={"limit": limit})
        with self._uow_factory(read_only=True) as uow:
            items, next_cursor = uow.inbox.list_page(
                view=view, status=wanted, limit=limit, cursor=cursor
            )
            unread = uow.inbox.count_unread(InboxView.REPLIES, cap=UNREAD_CAP)
        return InboxPage(items=items, next_cursor=next_cursor, unread=unread)

    def get(self, inbox_id: int) -> InboxItem:
        with self._uow_factory(read_only=True) as uow:
            item = uow.inbox.get_item(inbox_id)
        if item is None:
            raise NotFound(f"no inbox item {inbox_id}")
        return item

    def mark_read(self, inbox_id: int) -> InboxItem:
        """unread -> read (an answered item stays answered)."""
        with self._uow_factory() as uow:
            if uow.inbox.get_item(inbox_id) is None:
                raise NotFound(f"no inbox item {inbox_id}")
            uow.inbox.set_status(inbox_id, InboxStatus.READ, only_from=[InboxStatus.UNREAD])
            uow.commit()
        return self.get(inbox_id)

    def reply(self, inbox_id: int, body: str) -> InboxItem:
        """Post the artist's answer under the deviant's reply, once (see the module docstring)."""
        text = check_body(body, self._max_length)
        item = self.get(inbox_id)
        message = item.message
        if message.kind is not MessageKind.REPLY or not message.commentid:
            raise NotAReply("only a reply under one of our comments can be answered")
        if not message.deviationid:
            raise NotAReply("DeviantArt did not say which deviation this reply is under")
        if item.answer is not None:
            self._settle_before_posting(item, item.answer)
        self._claim(item, text)
        crashpoints.crashpoint(crashpoints.ANSWER_CLAIMED)
        try:
            comment = self._api.post_reply(message.deviationid, message.commentid, text)
        except OutcomeUnknown:
            logger.warning("the answer to inbox item %d may have landed: reading back", inbox_id)
            self._after_lost_answer(item)
            return self.get(inbox_id)
        except (DeviantArtError, NotConnected) as exc:
            self._record(inbox_id, AnswerState.FAILED, error=f"{exc.code}: {exc.message}")
            raise
        crashpoints.crashpoint(crashpoints.ANSWER_POSTED)
        self._record(inbox_id, AnswerState.SENT, commentid=comment.commentid)
        return self.get(inbox_id)

    # -- steps ----------------------------------------------------------------------

    def _claim(self, item: InboxItem, text: str) -> None:
        now = self._clock.now()
        with self._uow_factory() as uow:
            if item.answer is None:
                claimed = uow.inbox.add_answer(item.id, text, now)
            else:
                claimed = uow.inbox.update_answer(
                    item.id,
                    state=AnswerState.SENDING,
                    now=now,
                    from_states=[item.answer.state],
                    body=text,
                    reclaim=True,
                )
            if not claimed:
                raise AlreadyAnswered("this reply has an answer already")
            uow.commit()

    def _settle_before_posting(self, item: InboxItem, answer: InboxAnswer) -> None:
        """Raise unless a new POST is safe: never a second answer."""
        if answer.state is AnswerState.SENT:
            raise AlreadyAnswered("this reply has an answer already")
        if answer.state is AnswerState.FAILED:
            return  # surely not delivered: the artist may try again
        found = self._read_back(item)
        if found is not None:
            sent, commentid = AnswerState.SENT, found.commentid
            self._record(item.id, sent, commentid=commentid, from_states=UNSETTLED)
            raise AlreadyAnswered("this reply has an answer already (found on DeviantArt)")
        if self._clock.now() - answer.claimed_at < ANSWER_GRACE:
            raise AnswerPending(
                "the earlier answer may still be on its way; try again in a couple of minutes"
            )

    def _after_lost_answer(self, item: InboxItem) -> None:
        try:
            found = self._read_back(item)
        except AnswerPending:
            found = None
        if found is not None:
            self._record(item.id, AnswerState.SENT, commentid=found.commentid)
        else:
            self._record(
                item.id,
                AnswerState.UNKNOWN,
                error="DeviantArt's answer was lost; checked again before any other answer",
            )

    def _read_back(self, item: InboxItem) -> Comment | None:
        """Our reply under the deviant's reply, if DeviantArt shows one."""
        message = item.message
        if not message.deviationid or not message.commentid:
            return None
        try:
            me = self._me()
            offset = 0
            for _ in range(READ_BACK_PAGES):
                page = self._api.list_replies(
                    message.deviationid, message.commentid, offset=offset, limit=READ_BACK_PAGE
                )
                for comment in page.thread:
                    if comment.parentid == message.commentid and me.is_author(
                        comment.author.userid, comment.author.username
                    ):
                        return comment
                if not page.has_more or page.next_offset is None:
                    return None
                offset = page.next_offset
        except (DeviantArtError, NotConnected) as exc:
            raise AnswerPending(
                f"cannot check whether the earlier answer landed ({exc.code}); nothing was posted"
            ) from exc
        raise AnswerPending("too many replies to check; nothing was posted")

    def _record(
        self,
        inbox_id: int,
        state: AnswerState,
        *,
        commentid: str | None = None,
        error: str | None = None,
        from_states: tuple[AnswerState, ...] = (AnswerState.SENDING,),
    ) -> None:
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.inbox.update_answer(
                inbox_id,
                state=state,
                now=now,
                from_states=from_states,
                commentid=commentid,
                error=error,
            )
            if state is AnswerState.SENT:
                uow.inbox.set_status(inbox_id, InboxStatus.ANSWERED)
            uow.commit()
