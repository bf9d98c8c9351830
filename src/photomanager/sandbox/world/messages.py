"""The artist's message center: messages, their stacks, and their JSON.

A message is one thing that happened to the artist (a reply, a watch, a
fave...). Messages are kept in the order they happened (`seq`); the feed
serves them newest first. A stack groups the messages of one kind on one
subject: every watch of the artist; the faves (collects, comments) of one
deviation; the replies under one comment of ours; every message of one unknown
type. A message whose `subject` arrived as `[]` stacks alone.

The JSON follows docs/deviantart.md, "Message center": `{messageid, type,
orphaned, ts, stackid, stack_count, is_new, originator, subject, ...}`, with
`ts` written as DeviantArt writes comment times (ISO 8601, seconds, a numeric
offset). Only the fields a type uses are present.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from photomanager.domain.models import DeviantArtUser
from photomanager.sandbox.world.state import (
    CommentRecord,
    DeviationRecord,
    comment_time,
    user_json,
)

REPLY = "feedback.reply"
WATCH = "feedback.watch"
FAVOURITE = "feedback.favourite"
COLLECT = "feedback.collect"
COMMENT = "feedback.comment"
BADGE = "feedback.badge_given"
# Not a DeviantArt type (yet): the product must keep what it does not know.
FUTURE = "feedback.sticker"
KNOWN_TYPES = (REPLY, WATCH, FAVOURITE, COLLECT, COMMENT)
# `messages/feedback?type=`: which types each kind lists.
FEEDBACK_KINDS: dict[str, frozenset[str]] = {
    "comments": frozenset({COMMENT}),
    "replies": frozenset({REPLY}),
    "activity": frozenset({WATCH, FAVOURITE, COLLECT, BADGE, FUTURE}),
}
_STACK_NAMESPACE = uuid.UUID("6f0c1a52-3f5e-4c0e-9a57-2d1b8c4f7e10")


@dataclass(slots=True)
class MessageRecord:
    """One message; `deviation`/`subject_comment`/`profile` make up its `subject`."""

    messageid: str
    type: str
    ts: float
    seq: int
    originator: DeviantArtUser
    stackid: str
    deviation: DeviationRecord | None = None
    comment: CommentRecord | None = None
    subject_comment: CommentRecord | None = None
    profile: DeviantArtUser | None = None
    empty_subject: bool = False
    is_new: bool = True

    def to_json(self, now: float, *, stack_count: int | None) -> dict[str, Any]:
        """The message as the API shows it; `stack_count=None` shows it unstacked."""
        subject: dict[str, Any] = {}
        if not self.empty_subject:
            if self.profile is not None:
                subject["profile"] = user_json(self.profile)
            if self.deviation is not None:
                subject["deviation"] = self.deviation.to_json(now)
            if self.subject_comment is not None:
                subject["comment"] = self.subject_comment.to_json()
            if self.type == COLLECT:
                subject["collection"] = {"folderid": _folderid(self.originator), "name": "Faves"}
        body: dict[str, Any] = {
            "messageid": self.messageid,
            "type": self.type,
            "orphaned": self.deviation is not None and self.deviation.is_deleted(now),
            "ts": comment_time(self.ts),
            "stackid": self.stackid if stack_count is not None else None,
            "stack_count": stack_count,
            "is_new": self.is_new,
            "originator": user_json(self.originator),
            # DeviantArt once sent `[]` for an empty subject (DeviantArt-API #114).
            "subject": [] if self.empty_subject else subject,
        }
        if self.comment is not None:
            body["comment"] = self.comment.to_json()
        if self.type == BADGE:
            body["html"] = f"<b>{self.originator.username}</b> gave you a badge"
        elif self.type == FUTURE:
            body["sticker"] = {"name": "sparkle", "count": 1}
        return body


def stack_key(message: MessageRecord) -> str:
    """What groups messages into one stack (see the module docstring)."""
    if message.empty_subject:
        return f"{message.type}|{message.messageid}"
    if message.type == REPLY and message.subject_comment is not None:
        return f"{message.type}|{message.subject_comment.commentid}"
    if message.type in (FAVOURITE, COLLECT, COMMENT) and message.deviation is not None:
        return f"{message.type}|{message.deviation.deviationid}"
    return message.type


def stackid_for(key: str) -> str:
    """A stable, opaque stack id."""
    return str(uuid.uuid5(_STACK_NAMESPACE, key))


def _folderid(user: DeviantArtUser) -> str:
    return str(uuid.uuid5(_STACK_NAMESPACE, "faves|" + user.userid)).upper()


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a feed: a message, or a stack shown as its newest message."""

    message: MessageRecord
    stack_count: int | None


@dataclass(slots=True)
class MessageCenter:
    """Every message the artist received, oldest first, and the stacks they form."""

    messages: list[MessageRecord] = field(default_factory=list)
    stacks: dict[str, list[MessageRecord]] = field(default_factory=dict)

    def add(self, message: MessageRecord) -> None:
        """Append a message (it must be the newest so far)."""
        self.messages.append(message)
        self.stacks.setdefault(message.stackid, []).append(message)

    def next_seq(self) -> int:
        """The position the next message takes."""
        return len(self.messages) + 1

    def entries(self, *, stacked: bool, types: frozenset[str] | None = None) -> list[Entry]:
        """The feed newest first: one entry per stack (at its newest message) or per message."""
        chosen = [m for m in self.messages if types is None or m.type in types]
        if not stacked:
            return [Entry(m, None) for m in reversed(chosen)]
        counts: dict[str, int] = {}
        for message in chosen:
            counts[message.stackid] = counts.get(message.stackid, 0) + 1
        seen: set[str] = set()
        result = []
        for message in reversed(chosen):
            if message.stackid in seen:
                continue
            seen.add(message.stackid)
            result.append(Entry(message, counts[message.stackid]))
        return result

    def stack(self, stackid: str) -> list[MessageRecord] | None:
        """A stack's messages, newest first (None for an unknown id)."""
        members = self.stacks.get(stackid)
        return None if members is None else list(reversed(members))
