"""The comment log: pages, a streamed CSV export, and activity per hour."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from photomanager.api.deps import LogsDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.common import Cursor, IsoDateTime, PageLimit
from photomanager.api.schemas.logs import (
    ActivityPublic,
    HourlyActivityPublic,
    LogEntryPublic,
    LogPagePublic,
)
from photomanager.domain.models import LogStatus
from photomanager.services.reporting.log_export import csv_chunks

router = APIRouter(prefix=PREFIX, tags=["logs"])

StatusQuery = Annotated[LogStatus | None, Query(description="Only entries with this outcome.")]
SinceQuery = Annotated[
    IsoDateTime | None,
    Query(description="Only entries at or after this time (ISO 8601; UTC when no zone is given)."),
]


@router.get("/logs", responses=errors(422))
def list_logs(
    logs: LogsDep,
    status: StatusQuery = None,
    since: SinceQuery = None,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> LogPagePublic:
    """One page of the comment log, newest first."""
    entries, next_cursor = logs.list_logs(status=status, since=since, limit=limit, cursor=cursor)
    return LogPagePublic(
        items=[LogEntryPublic.model_validate(e) for e in entries], next_cursor=next_cursor
    )


@router.get(
    "/logs.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The log as CSV."}, **errors(422)},
)
def export_logs_csv(
    logs: LogsDep, status: StatusQuery = None, since: SinceQuery = None
) -> StreamingResponse:
    """The whole (filtered) log as CSV, streamed; the headers say which range it covers.

    `X-Log-Range` says it in words (with the retention), `X-Log-From` / `X-Log-Until`
    as ISO 8601 times (`X-Log-From` absent for an empty log); the file name holds
    the dates too.
    """
    covered = logs.export_range(since=since)
    start = covered.start or covered.until
    name = f"comment-log-{start:%Y%m%d}-{covered.until:%Y%m%d}.csv"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Log-Range": covered.describe(),
        "X-Log-Until": covered.until.isoformat(),
    }
    if covered.start is not None:
        headers["X-Log-From"] = covered.start.isoformat()
    return StreamingResponse(
        csv_chunks(logs.export(status=status, since=since)),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


@router.get("/activity", responses=errors(422))
def activity(
    logs: LogsDep,
    hours: Annotated[int, Query(ge=1, le=24 * 31, description="How far back to look.")] = 48,
) -> ActivityPublic:
    """Comments sent and failed per hour, oldest first, one bucket per hour."""
    buckets = logs.activity(hours=hours)
    return ActivityPublic(
        hours=hours, buckets=[HourlyActivityPublic.model_validate(b) for b in buckets]
    )
