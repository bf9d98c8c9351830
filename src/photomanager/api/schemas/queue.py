"""Schemas of the comment queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from photomanager.api.schemas.common import DeviationId, PublicModel, RequestModel
from photomanager.domain.models import QueueStatus

MAX_REMOVE = 500


class QueueItemPublic(PublicModel):
    """One queued deviation."""

    deviationid: str
    source: str = Field(description="watch_feed, global_feed or tag:NAME")
    ts: datetime
    status: QueueStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    title: str | None
    author: str | None
    url: str | None
    tags: list[str] = Field(description="The deviation's tags (empty until its metadata is read).")
    language: str | None = Field(description="ISO 639-1 code as detected; null when unclear.")
    updated_at: datetime | None
    thumbnail_url: str | None = Field(
        default=None,
        description="A small image of the deviation on DeviantArt's image host (or the "
        "sandbox's, in demo mode); null when the feed gave none.",
    )


class QueuePagePublic(PublicModel):
    """One page of the queue, newest first; pass `next_cursor` to get the next."""

    items: list[QueueItemPublic]
    next_cursor: str | None


class QueueClearCreate(RequestModel):
    """Which rows to clear; no status clears every row that is not being sent."""

    status: QueueStatus | None = None


class QueueRemoveCreate(RequestModel):
    """The deviations to take out of the queue."""

    deviationids: Annotated[list[DeviationId], Field(min_length=1, max_length=MAX_REMOVE)]


class QueueResolveCreate(RequestModel):
    """How an `unknown` row turned out, as the artist saw on DeviantArt."""

    deviationid: DeviationId
    posted: Annotated[
        bool,
        Field(
            strict=True,
            description="True: our comment is on the deviation (the row becomes commented); "
            "false: it is not (the row is queued again).",
        ),
    ]


class QueuePruneCreate(RequestModel):
    """Run housekeeping now; with `dry_run`, only say what would go and why."""

    dry_run: Annotated[bool, Field(strict=True)] = False


class PruneExamplePublic(PublicModel):
    """One queue row a pass would remove, and why."""

    deviationid: str
    status: QueueStatus
    title: str | None
    author: str | None
    reason: str


class QueuePrunePublic(PublicModel):
    """What a pass removed (or, in a dry run, would remove)."""

    dry_run: bool
    ran_at: datetime
    removed: dict[str, int] = Field(description="Queue rows per status.")
    logs_removed: int = Field(description="Log entries older than the retention.")
    complete: bool = Field(description="False when the pass stopped early.")
    examples: list[PruneExamplePublic] = Field(
        default_factory=list,
        description="Dry run only: the oldest rows of each status that would go, and why.",
    )
