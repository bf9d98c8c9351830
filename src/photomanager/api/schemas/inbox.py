"""The inbox: DeviantArt's messages to the artist, and the artist's answers.

Every text here (usernames, titles, reply bodies) is a deviant's: hostile,
returned as plain text for the page to escape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from photomanager.api.schemas.common import NoControl, PublicModel, RequestModel
from photomanager.domain.inbox import InboxItem

# Longer than any answer DeviantArt takes; the configured comment limit is checked too.
MAX_ANSWER_FIELD = 20_000


class AnswerPublic(PublicModel):
    """The artist's answer: `sending`, `sent`, `unknown` (checked before any other) or
    `failed` (not delivered: may be sent again)."""

    state: str
    body: str
    commentid: str | None
    error: str | None
    updated_at: datetime


class InboxItemPublic(PublicModel):
    """One message of the inbox (a reply unless `kind` says otherwise)."""

    id: int = Field(description="The item's id in photomanager (for read/reply).")
    messageid: str = Field(description="DeviantArt's message id.")
    kind: str = Field(description="reply, watch, favourite, collect, comment or other.")
    deviationid: str | None
    deviation_title: str | None
    deviation_url: str | None
    our_commentid: str | None = Field(description="The comment of ours the reply answers.")
    our_comment_body: str | None
    reply_commentid: str | None = Field(description="The deviant's reply (answers go under it).")
    reply_body: str | None = Field(description="The deviant's text, as sent: hostile.")
    from_: str | None = Field(serialization_alias="from", description="The deviant's username.")
    received_at: datetime
    status: str = Field(description="unread, read or answered.")
    answer: AnswerPublic | None = None


class InboxPagePublic(PublicModel):
    items: list[InboxItemPublic]
    next_cursor: str | None
    unread: int = Field(description="Unread replies in all, counted up to 1000 (for a badge).")


class InboxReplyCreate(RequestModel):
    """The artist's answer, typed by hand."""

    body: Annotated[str, Field(strict=True, min_length=1, max_length=MAX_ANSWER_FIELD), NoControl]


def item_public(item: InboxItem) -> InboxItemPublic:
    """An inbox item as the API shows it."""
    message = item.message
    answer = item.answer
    return InboxItemPublic(
        id=item.id,
        messageid=message.messageid,
        kind=message.kind.value,
        deviationid=message.deviationid,
        deviation_title=message.deviation_title,
        deviation_url=message.deviation_url,
        our_commentid=item.our_commentid,
        our_comment_body=item.our_comment_body,
        reply_commentid=message.commentid,
        reply_body=message.body,
        from_=message.originator_username,
        received_at=item.received_at,
        status=item.status.value,
        answer=None
        if answer is None
        else AnswerPublic(
            state=answer.state.value,
            body=answer.body,
            commentid=answer.commentid,
            error=answer.error,
            updated_at=answer.updated_at,
        ),
    )
