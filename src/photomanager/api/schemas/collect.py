"""Schemas of collect runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from photomanager.api.schemas.common import NoControl, PublicModel, RequestModel
from photomanager.services.settings import MAX_FEED_TAGS

# Mirrors services.collector.MAX_PAGES (the service re-checks it).
MAX_PAGES = 100


class CollectCreate(RequestModel):
    """How many feed pages (of up to 50 deviations) to read."""

    pages: Annotated[int, Field(strict=True, ge=1, le=MAX_PAGES)] = 1


class CollectTagsCreate(RequestModel):
    """Which tag feeds to read, and how many pages of each."""

    pages: Annotated[int, Field(strict=True, ge=1, le=MAX_PAGES)] = 1
    tags: (
        Annotated[
            list[Annotated[str, Field(strict=True, max_length=100), NoControl]],
            Field(
                min_length=1,
                max_length=MAX_FEED_TAGS,
                description="Tags to collect; absent: every tag in the settings.",
            ),
        ]
        | None
    ) = None


class CollectRunPublic(PublicModel):
    """A collect run's progress, or its result once finished."""

    run_id: str
    source: str = Field(description="watch_feed, global_feed or tag:NAME")
    state: str = Field(description="running | done | failed | cancelled")
    pages_requested: int
    pages_done: int
    found: int
    new: int
    filtered: dict[str, int]
    stopped_because: str | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None
