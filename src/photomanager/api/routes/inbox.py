"""The inbox: replies to our comments (and the other messages), read and answered by hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from photomanager.api.deps import ContainerDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.common import Cursor
from photomanager.api.schemas.inbox import (
    InboxItemPublic,
    InboxPagePublic,
    InboxReplyCreate,
    item_public,
)
from photomanager.domain.inbox import AnswerState

router = APIRouter(prefix=PREFIX, tags=["inbox"])

ItemId = Annotated[int, Path(ge=1, le=2**62, description="The inbox item's id.")]


@router.get("/inbox", responses=errors(422))
def list_inbox(
    container: ContainerDep,
    status: Annotated[
        str, Query(max_length=20, description="unread, read, answered or all.")
    ] = "all",
    kind: Annotated[
        str, Query(max_length=20, description="replies (default), other or all.")
    ] = "replies",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> InboxPagePublic:
    """One page of the inbox, newest first, with the unread count."""
    page = container.inbox.list_items(status=status, kind=kind, limit=limit, cursor=cursor)
    return InboxPagePublic(
        items=[item_public(item) for item in page.items],
        next_cursor=page.next_cursor,
        unread=page.unread,
    )


@router.post("/inbox/{item_id}/read", responses=errors(403, 404))
def mark_read(item_id: ItemId, container: ContainerDep) -> InboxItemPublic:
    """Mark an item read."""
    return item_public(container.inbox.mark_read(item_id))


@router.post(
    "/inbox/{item_id}/reply",
    responses={
        202: {
            "model": InboxItemPublic,
            "description": "DeviantArt's answer was lost: the reply may have landed; it is "
            "checked before any other answer (answer.state is unknown).",
        },
        **errors(403, 404, 409, 422, 502, 503),
    },
)
def reply(
    item_id: ItemId, body: InboxReplyCreate, container: ContainerDep, response: Response
) -> InboxItemPublic:
    """Post the artist's answer under the deviant's reply: once (a second answer is 409
    already_answered), at once, through DeviantArt's waits, never counted in the caps."""
    item = container.inbox.reply(item_id, body.body)
    if item.answer is not None and item.answer.state is AnswerState.UNKNOWN:
        response.status_code = 202
    return item_public(item)
