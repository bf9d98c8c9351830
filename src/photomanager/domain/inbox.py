"""The inbox: DeviantArt's messages to the artist, and which of our comments earned them.

DeviantArt's "messages" are the artist's message center (not the comment
templates, which the seed's API calls messages). A message that answers one
of our comments is an **outcome**, credited to at most one comment, once, at
ingest, by the rules below (pure functions, no I/O):

 message type                          outcome       credited to
 ────────────────────────────────────  ────────────  ──────────────────────────────────────
 feedback.reply                        reply         the comment of ours whose commentid is
                                                     `comment.parentid` (else
                                                     `subject.comment.commentid`)
 feedback.watch                        watch_back    our latest comment under the
 feedback.favourite, feedback.collect  fave_back     originator's work sent before the
 feedback.comment                      comment_back  message, within `attribution_days`

"Before the message" allows for DeviantArt's whole-second `ts`: our `sent_at`
has microseconds, so a message stamped up to one second before our recorded
time still counts as after it. Anything else (strangers, unknown types, a
reply under a comment that is not ours) is kept in the inbox and credited to
nothing. DeviantArt says who watched or faved, never why: a watch-back is a
deviant who watched soon after our comment, not proof that the comment did it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# DeviantArt's `ts` has whole seconds; ours has microseconds (see the module docstring).
TS_TOLERANCE = timedelta(seconds=1)
DEFAULT_ATTRIBUTION_DAYS = 14
MAX_ATTRIBUTION_DAYS = 90


class MessageKind(enum.StrEnum):
    """What a DeviantArt message is about, from its `type`."""

    REPLY = "reply"
    WATCH = "watch"
    FAVOURITE = "favourite"
    COLLECT = "collect"
    COMMENT = "comment"
    OTHER = "other"  # every type we do not read (kept with its raw JSON)


MESSAGE_TYPES: dict[str, MessageKind] = {
    "feedback.reply": MessageKind.REPLY,
    "feedback.watch": MessageKind.WATCH,
    "feedback.favourite": MessageKind.FAVOURITE,
    "feedback.collect": MessageKind.COLLECT,
    "feedback.comment": MessageKind.COMMENT,
}


def kind_of(message_type: str) -> MessageKind:
    """The kind of a DeviantArt message `type`; OTHER for anything unknown."""
    return MESSAGE_TYPES.get(message_type, MessageKind.OTHER)


class OutcomeKind(enum.StrEnum):
    """What a comment earned."""

    REPLY = "reply"
    WATCH_BACK = "watch_back"
    FAVE_BACK = "fave_back"
    COMMENT_BACK = "comment_back"


_BACK: dict[MessageKind, OutcomeKind] = {
    MessageKind.WATCH: OutcomeKind.WATCH_BACK,
    MessageKind.FAVOURITE: OutcomeKind.FAVE_BACK,
    MessageKind.COLLECT: OutcomeKind.FAVE_BACK,
    MessageKind.COMMENT: OutcomeKind.COMMENT_BACK,
}


class InboxStatus(enum.StrEnum):
    UNREAD = "unread"
    READ = "read"
    ANSWERED = "answered"


class InboxView(enum.StrEnum):
    """Replies (answerable) or everything else (watches, faves, comments, unknown)."""

    REPLIES = "replies"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class InboxMessage:
    """One DeviantArt message as parsed at the border; every text is untrusted.

    `raw` keeps the JSON of a message we did not fully understand (an unknown
    type, missing fields), so nothing DeviantArt said is lost.
    """

    messageid: str
    type: str
    kind: MessageKind
    ts: datetime | None = None
    stackid: str | None = None
    originator_userid: str | None = None
    originator_username: str | None = None
    deviationid: str | None = None
    deviation_title: str | None = None
    deviation_url: str | None = None
    commentid: str | None = None  # the reply (or the comment back) itself
    parentid: str | None = None  # the comment it answers
    subject_commentid: str | None = None  # `subject.comment.commentid`
    body: str | None = None  # the reply's text, hostile
    raw: str | None = None

    @property
    def view(self) -> InboxView:
        return InboxView.REPLIES if self.kind is MessageKind.REPLY else InboxView.OTHER


@dataclass(frozen=True, slots=True)
class MessagePage:
    """One page of messages: `cursor` (feed) or `next_offset` (a stack) leads further."""

    messages: tuple[InboxMessage, ...]
    has_more: bool
    cursor: str | None = None
    next_offset: int | None = None
    # Stacks DeviantArt did not expand: (stackid, stack_count).
    stacks: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SentComment:
    """One comment of ours, as the log keeps it (the candidates of attribution)."""

    log_id: int
    commentid: str | None
    author: str | None  # the deviation's author, whom an outcome must come from
    sent_at: datetime
    message_id: int | None  # the template
    source: str | None


@dataclass(frozen=True, slots=True)
class Credit:
    """An outcome credited to one comment of ours."""

    messageid: str
    kind: OutcomeKind
    comment: SentComment


def reply_targets(message: InboxMessage) -> tuple[str, ...]:
    """The comment ids a reply may answer, in the order they are trusted."""
    if message.kind is not MessageKind.REPLY:
        return ()
    ids = (message.parentid, message.subject_commentid)
    return tuple(dict.fromkeys(i for i in ids if i))


def credit_reply(message: InboxMessage, ours: Iterable[SentComment]) -> Credit | None:
    """A reply to one of our comments: the parent first, then the subject's comment."""
    by_id = {c.commentid: c for c in ours if c.commentid}
    for target in reply_targets(message):
        comment = by_id.get(target)
        if comment is not None:
            return Credit(message.messageid, OutcomeKind.REPLY, comment)
    return None


def credit_back(
    message: InboxMessage, ours: Iterable[SentComment], *, attribution_days: int
) -> Credit | None:
    """A watch, fave or comment from a deviant we commented on, within the window.

    Credits our latest comment under the originator's work sent before the
    message (one second of tolerance), if the message came within
    `attribution_days` of it.
    """
    outcome = _BACK.get(message.kind)
    name = (message.originator_username or "").lower()
    if outcome is None or message.ts is None or not name:
        return None
    latest: SentComment | None = None
    for comment in ours:
        if (comment.author or "").lower() != name:
            continue
        if comment.sent_at > message.ts + TS_TOLERANCE:
            continue
        if latest is None or comment.sent_at > latest.sent_at:
            latest = comment
    if latest is None or message.ts - latest.sent_at > timedelta(days=attribution_days):
        return None
    return Credit(message.messageid, outcome, latest)


def attribute(
    message: InboxMessage, ours: Iterable[SentComment], *, attribution_days: int
) -> Credit | None:
    """The credit `message` earns one of `ours`, or None (strangers, unknown types)."""
    candidates = list(ours)
    if message.kind is MessageKind.REPLY:
        return credit_reply(message, candidates)
    return credit_back(message, candidates, attribution_days=attribution_days)


def back_window_start(ts: datetime, attribution_days: int) -> datetime:
    """The earliest `sent_at` a comment may have to earn a message stamped `ts`."""
    return ts - timedelta(days=attribution_days)


def back_window_end(ts: datetime) -> datetime:
    """The latest `sent_at` a comment may have to earn a message stamped `ts`."""
    return ts + TS_TOLERANCE


class AnswerState(enum.StrEnum):
    """An answer to a reply: claimed before its POST, settled after (never posted twice)."""

    SENDING = "sending"  # claimed and committed; the POST may be in flight
    SENT = "sent"
    UNKNOWN = "unknown"  # the POST may have landed: read back before anything else
    FAILED = "failed"  # surely not delivered: the artist may try again


@dataclass(frozen=True, slots=True)
class InboxAnswer:
    inbox_id: int
    state: AnswerState
    body: str
    claimed_at: datetime
    updated_at: datetime
    commentid: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A stored message as the inbox shows it."""

    id: int
    message: InboxMessage
    status: InboxStatus
    received_at: datetime
    our_commentid: str | None = None
    our_comment_body: str | None = None
    answer: InboxAnswer | None = None


@dataclass(frozen=True, slots=True)
class InboxPollState:
    """The poll of the message center: resume point, lease, and what the last poll did."""

    newest_messageid: str | None = None
    cursor: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    requested_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    found: int = 0
    new: int = 0
    credited: int = 0
    empty_polls: int = 0
    error: str | None = None
    needs_scope: bool = False
