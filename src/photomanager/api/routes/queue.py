"""The comment queue: list (keyset pages), clear, remove selected, reset failed, prune."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from photomanager.api.deps import HousekeepingDep, ImageOriginsDep, QueueDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.common import CountPublic, Cursor, PageLimit
from photomanager.api.schemas.queue import (
    PruneExamplePublic,
    QueueClearCreate,
    QueueItemPublic,
    QueuePagePublic,
    QueuePruneCreate,
    QueuePrunePublic,
    QueueRemoveCreate,
    QueueResolveCreate,
)
from photomanager.api.thumbnails import shown
from photomanager.domain.models import QueueStatus
from photomanager.services.upkeep.housekeeping import TRIGGER_API

router = APIRouter(prefix=PREFIX, tags=["queue"])


@router.get("/queue", responses=errors(422))
def list_queue(
    queue: QueueDep,
    origins: ImageOriginsDep,
    status: Annotated[QueueStatus | None, Query(description="Only rows in this state.")] = None,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: Annotated[Cursor | None, Query(description="`next_cursor` of the page before.")] = None,
) -> QueuePagePublic:
    """One page of queued deviations, newest first."""
    items, next_cursor = queue.list_queue(status=status, limit=limit, cursor=cursor)
    return QueuePagePublic(
        items=[shown(QueueItemPublic.model_validate(item), origins) for item in items],
        next_cursor=next_cursor,
    )


@router.post("/queue/clear", responses=errors(403, 409, 422))
def clear_queue(
    queue: QueueDep, body: Annotated[QueueClearCreate | None, Body()] = None
) -> CountPublic:
    """Delete every row (of one status); rows being sent are never deleted."""
    return CountPublic(count=queue.clear(status=body.status if body else None))


@router.post("/queue/remove-selected", responses=errors(403, 409, 422))
def remove_selected(body: QueueRemoveCreate, queue: QueueDep) -> CountPublic:
    """Delete the given rows; refused (nothing deleted) if one is being sent."""
    return CountPublic(count=queue.remove_selected(deviationids=body.deviationids))


@router.post("/reset-failed", responses=errors(403))
def reset_failed(queue: QueueDep) -> CountPublic:
    """Every failed row back to pending."""
    return CountPublic(count=queue.reset_failed())


@router.post("/queue/resolve-unknown", responses=errors(403, 404, 409, 422))
def resolve_unknown(
    body: QueueResolveCreate, queue: QueueDep, origins: ImageOriginsDep
) -> QueueItemPublic:
    """Settle a row whose outcome reconciliation could not verify, after looking on DeviantArt."""
    item = queue.resolve_unknown(deviationid=body.deviationid, posted=body.posted)
    return shown(QueueItemPublic.model_validate(item), origins)


@router.post("/queue/prune", responses=errors(403, 422))
def prune_queue(
    housekeeping: HousekeepingDep, body: Annotated[QueuePruneCreate | None, Body()] = None
) -> QueuePrunePublic:
    """Remove expired queue rows and old log entries now (dry run: only list them, and why)."""
    if body is not None and body.dry_run:
        preview = housekeeping.preview()
        return QueuePrunePublic(
            dry_run=True,
            ran_at=preview.now,
            removed={status.value: count for status, count in preview.removed.items()},
            logs_removed=preview.logs,
            complete=True,
            examples=[
                PruneExamplePublic(
                    deviationid=c.item.deviationid,
                    status=c.item.status,
                    title=c.item.title,
                    author=c.item.author,
                    reason=c.reason,
                )
                for c in preview.examples
            ],
        )
    run = housekeeping.prune(trigger=TRIGGER_API)
    return QueuePrunePublic(
        dry_run=False,
        ran_at=run.ran_at,
        removed={status.value: count for status, count in run.removed.items()},
        logs_removed=run.logs,
        complete=run.complete,
    )
