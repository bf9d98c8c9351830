"""Outcomes: what the comments earned (replies, watch-backs, faves and comments back)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from photomanager.api.deps import ContainerDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.common import IsoDateTime
from photomanager.api.schemas.outcomes import (
    OutcomesPublic,
    RefreshPublic,
    outcomes_public,
    refresh_public,
)

router = APIRouter(prefix=PREFIX, tags=["outcomes"])


@router.get("/outcomes", responses=errors(422))
def get_outcomes(
    container: ContainerDep,
    group_by: Annotated[
        str, Query(max_length=20, description="template (default), source or week.")
    ] = "template",
    since: Annotated[
        IsoDateTime | None, Query(description="Comments sent on or after this UTC day.")
    ] = None,
    until: Annotated[
        IsoDateTime | None, Query(description="Comments sent on or before this UTC day.")
    ] = None,
) -> OutcomesPublic:
    """Counts and rates (with 95% Wilson intervals) per group, totals, and the last poll."""
    report = container.outcomes.figures(group_by, since=since, until=until)
    return outcomes_public(report, container.inbox_overview.overview())


@router.post("/outcomes/refresh", status_code=202, responses=errors(403))
def refresh_outcomes(container: ContainerDep) -> RefreshPublic:
    """Read the message center soon: the running worker's next wait, or now in the
    background when no worker runs. The status says when it ran and what it found."""
    started = container.inbox_overview.refresh()
    return refresh_public(started, container.inbox_overview.overview())
