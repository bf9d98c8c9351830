"""Ingest: store a page of messages once each and credit each outcome once, at ingest.

Runs inside the caller's unit of work, so the messages, their credits and the
poll's resume point commit together (one transaction per page): a poll killed
at any instant either stored the whole page or nothing of it. A message seen
again is ignored (its `messageid` is known), so it is never credited twice;
the credit's own key (the `messageid`) makes sure of it a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from photomanager.domain.inbox import (
    InboxMessage,
    MessageKind,
    OutcomeKind,
    SentComment,
    attribute,
    back_window_end,
    back_window_start,
    reply_targets,
)
from photomanager.services.ports import UnitOfWork

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class IngestResult:
    found: int  # messages on the page
    new: int  # stored now (not seen before)
    credited: int  # outcomes credited now
    known: int  # already stored: the poll has met what it read before


def ingest_messages(
    uow: UnitOfWork, messages: Sequence[InboxMessage], *, attribution_days: int, now: datetime
) -> IngestResult:
    """Store the new ones among `messages` and credit their outcomes (no commit)."""
    unique = list({m.messageid: m for m in messages}.values())
    known = uow.inbox.known_messageids([m.messageid for m in unique])
    fresh = [m for m in unique if m.messageid not in known]
    candidates = _candidates(uow, fresh, attribution_days)
    new = credited = 0
    for message in fresh:
        credit = attribute(message, candidates, attribution_days=attribution_days)
        # One deviant watches once: a second watch (after an unwatch) earns nothing more.
        if (
            credit is not None
            and credit.kind is OutcomeKind.WATCH_BACK
            and uow.inbox.has_credit(credit.comment.log_id, OutcomeKind.WATCH_BACK)
        ):
            credit = None
        # The inbox shows our comment under a reply (a watch-back names no comment).
        our_commentid = None
        if credit is not None and credit.kind is OutcomeKind.REPLY:
            our_commentid = credit.comment.commentid
        if uow.inbox.add_message(message, now, our_commentid=our_commentid) is None:
            continue  # stored meanwhile by someone else: theirs to credit
        new += 1
        if credit is not None and uow.inbox.add_credit(credit, now):
            credited += 1
    return IngestResult(found=len(messages), new=new, credited=credited, known=len(known))


def _candidates(
    uow: UnitOfWork, messages: Sequence[InboxMessage], attribution_days: int
) -> list[SentComment]:
    """Our comments any of `messages` may be credited to: by reply target, or by the
    originator as the author of our comment within the window (DeviantArt spells a
    username the same way everywhere: matched as sent, the rules compare any case)."""
    commentids = {target for m in messages for target in reply_targets(m)}
    timed = [
        m
        for m in messages
        if m.kind is not MessageKind.REPLY and m.ts is not None and m.originator_username
    ]
    authors = {m.originator_username for m in timed if m.originator_username}
    if not commentids and not authors:
        return []
    stamps = [m.ts for m in timed if m.ts is not None]
    since = back_window_start(min(stamps), attribution_days) if stamps else EPOCH
    until = back_window_end(max(stamps)) if stamps else EPOCH
    return uow.inbox.sent_comments(commentids=commentids, authors=authors, since=since, until=until)
