"""Review mode: list the comments awaiting review, approve (optionally edited), skip."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query

from photomanager.api.deps import ContainerDep, ImageOriginsDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.common import Cursor, DeviationId
from photomanager.api.schemas.review import (
    ReviewApproveAllCreate,
    ReviewApproveAllPublic,
    ReviewApproveCreate,
    ReviewItemPublic,
    ReviewPagePublic,
)
from photomanager.api.thumbnails import shown
from photomanager.services.upkeep.review import MAX_PAGE, ReviewService

router = APIRouter(prefix=PREFIX, tags=["review"])


def get_review(container: ContainerDep) -> ReviewService:
    """The container's review service (built once, with the configured length limit)."""
    return container.review


ReviewDep = Annotated[ReviewService, Depends(get_review)]
ReviewLimit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/review", responses=errors(422))
def list_review(
    review: ReviewDep,
    origins: ImageOriginsDep,
    limit: ReviewLimit = 50,
    cursor: Annotated[Cursor | None, Query(description="`next_cursor` of the page before.")] = None,
) -> ReviewPagePublic:
    """One page of comments awaiting review, newest first."""
    items, next_cursor = review.list_awaiting(limit=limit, cursor=cursor)
    return ReviewPagePublic(
        items=[shown(ReviewItemPublic.model_validate(item), origins) for item in items],
        next_cursor=next_cursor,
    )


@router.post("/review/approve-all", responses=errors(403, 422))
def approve_all(
    review: ReviewDep, body: Annotated[ReviewApproveAllCreate, Body()]
) -> ReviewApproveAllPublic:
    """Approve every listed comment unedited; ids no longer awaiting review are reported."""
    result = review.approve_all(body.deviationids)
    return ReviewApproveAllPublic(approved=result.approved, not_found=result.not_found)


@router.post("/review/{deviationid}/approve", responses=errors(403, 404, 422))
def approve(
    review: ReviewDep,
    deviationid: Annotated[DeviationId, Path()],
    origins: ImageOriginsDep,
    body: Annotated[ReviewApproveCreate | None, Body()] = None,
) -> ReviewItemPublic:
    """Approve one comment (with an edited text if given); the worker posts exactly it."""
    edited = body.body if body is not None else None
    return shown(ReviewItemPublic.model_validate(review.approve(deviationid, edited)), origins)


@router.post("/review/{deviationid}/skip", responses=errors(403, 404))
def skip(
    review: ReviewDep, deviationid: Annotated[DeviationId, Path()], origins: ImageOriginsDep
) -> ReviewItemPublic:
    """Never post this comment."""
    return shown(ReviewItemPublic.model_validate(review.skip(deviationid)), origins)
