"""Schemas of the comment log and the activity chart."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from photomanager.api.schemas.common import PublicModel
from photomanager.domain.models import LogStatus


class LogEntryPublic(PublicModel):
    """One attempt as recorded: the rendered text stays even if the template is deleted."""

    log_id: int
    deviationid: str
    status: LogStatus
    sent_at: datetime
    message_id: int | None
    commentid: str | None
    body: str | None
    error_message: str | None
    source: str | None = Field(
        default=None, description="watch_feed, global_feed or tag:NAME (null: logged before 0005)."
    )
    title: str | None = Field(default=None, description="From the queue, while it keeps the row.")
    author: str | None = None
    url: str | None = None


class LogPagePublic(PublicModel):
    """One page of the log, newest first."""

    items: list[LogEntryPublic]
    next_cursor: str | None


class HourlyActivityPublic(PublicModel):
    """Comments sent and failed in one hour."""

    hour: datetime
    sent: int
    failed: int


class ActivityPublic(PublicModel):
    """Sent/failed per hour over the last `hours` hours."""

    hours: int
    buckets: list[HourlyActivityPublic]
