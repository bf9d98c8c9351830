"""Schemas of review mode: the comments awaiting the artist's approval."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from photomanager.api.schemas.common import DeviationId, NoControl, PublicModel, RequestModel
from photomanager.domain.models import QueueStatus
from photomanager.services.upkeep.review import MAX_APPROVE_ALL

# The service trims and checks the real limit; this only refuses essays early.
MAX_BODY_CHARS = 20_000


class ReviewItemPublic(PublicModel):
    """A deviation and the comment rendered for it, waiting for approval."""

    deviationid: str
    source: str = Field(description="watch_feed, global_feed or tag:NAME")
    ts: datetime
    status: QueueStatus
    title: str | None
    author: str | None
    url: str | None
    tags: list[str] = Field(description="The deviation's tags (empty until its metadata is read).")
    language: str | None = Field(description="ISO 639-1 code as detected; null when unclear.")
    body: str | None = Field(description="The text that will be posted once approved.")
    thumbnail_url: str | None = Field(
        default=None,
        description="A small image of the deviation on DeviantArt's image host (or the "
        "sandbox's, in demo mode); null when the feed gave none.",
    )
    message_id: int | None = Field(description="The template it was rendered from.")
    last_error: str | None
    updated_at: datetime | None


class ReviewPagePublic(PublicModel):
    """One page of comments awaiting review, newest first."""

    items: list[ReviewItemPublic]
    next_cursor: str | None


class ReviewApproveCreate(RequestModel):
    """Approve the rendered text, or give an edited one."""

    body: Annotated[str, Field(strict=True, max_length=MAX_BODY_CHARS), NoControl] | None = None


class ReviewApproveAllCreate(RequestModel):
    """The deviations in view to approve unedited."""

    deviationids: Annotated[list[DeviationId], Field(min_length=1, max_length=MAX_APPROVE_ALL)]


class ReviewApproveAllPublic(PublicModel):
    """What approve-all did: approved ids, and ids no longer awaiting review."""

    approved: list[str]
    not_found: list[str]
