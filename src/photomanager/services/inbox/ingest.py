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
    Credit,
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
    """Store the new ones among `messages` and credit their outcomes (no commit).

    A handful of statements per page, whatever its length: the known ids, the
    candidates, the messages, the credits and their counts, each in one go.
    """
    unique = list({m.messageid: m for m in messages}.values())
    known = uow.inbox.known_messageids([m.messageid for m in unique])
    fresh = [m for m in unique if m.messageid not in known]
    candidates = _candidates(uow, fresh, attribution_days)
    credits = _one_watch_back_each(
        uow,
        [
            credit
            for message in fresh
            if (credit := attribute(message, candidates, attribution_days=attribution_days))
        ],
    )
    # The inbox shows our comment under a reply (a watch-back names no comment).
    ours = {
        c.messageid: c.comment.commentid
        for c in credits
        if c.kind is OutcomeKind.REPLY and c.comment.commentid is not None
    }
    stored = uow.inbox.add_messages(fresh, now, our_commentids=ours)
    # A credit is keyed by its message: a message another process stored meanwhile (after
    # our lease ran out) is credited and counted once, by whichever of the two comes first.
    recorded = uow.inbox.add_credits(credits, now)
    return IngestResult(found=len(messages), new=stored, credited=len(recorded), known=len(known))


def _one_watch_back_each(uow: UnitOfWork, credits: list[Credit]) -> list[Credit]:
    """One deviant watches once: a second watch (after an unwatch, on this page or an
    earlier one) earns our comment nothing more."""
    watches = [c for c in credits if c.kind is OutcomeKind.WATCH_BACK]
    if not watches:
        return credits
    taken = uow.inbox.credited_comments({c.comment.log_id for c in watches}, OutcomeKind.WATCH_BACK)
    kept: list[Credit] = []
    for credit in credits:
        if credit.kind is OutcomeKind.WATCH_BACK:
            if credit.comment.log_id in taken:
                continue
            taken.add(credit.comment.log_id)
        kept.append(credit)
    return kept


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
