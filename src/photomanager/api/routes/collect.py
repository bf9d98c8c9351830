"""Collect runs: start one per feed, follow its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from photomanager.api.deps import CollectRunsDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.collect import CollectCreate, CollectRunPublic
from photomanager.domain.models import Source
from photomanager.services.collect_runs import CollectRuns

router = APIRouter(prefix=PREFIX, tags=["collect"])

# A short run (one page) usually ends within this: answer with its result then.
QUICK_RESULT_WAIT_S = 0.5


def _start(runs: CollectRuns, source: Source, pages: int) -> CollectRunPublic:
    started = runs.start(source, pages=pages)
    return CollectRunPublic.model_validate(runs.wait(started.run_id, QUICK_RESULT_WAIT_S))


@router.post("/collect/watch-feed", status_code=202, responses=errors(403, 409, 422))
def collect_watch_feed(body: CollectCreate, runs: CollectRunsDep) -> CollectRunPublic:
    """Start reading the watch feed (deviants you watch) in the background."""
    return _start(runs, Source.WATCH_FEED, body.pages)


@router.post("/collect/global-feed", status_code=202, responses=errors(403, 409, 422))
def collect_global_feed(body: CollectCreate, runs: CollectRunsDep) -> CollectRunPublic:
    """Start reading the global feed of new deviations in the background."""
    return _start(runs, Source.GLOBAL_FEED, body.pages)


@router.get("/collect/{run_id}", responses=errors(404, 422))
def get_collect_run(
    run_id: Annotated[str, Path(min_length=1, max_length=64)], runs: CollectRunsDep
) -> CollectRunPublic:
    """A collect run's progress, or its result once finished."""
    return CollectRunPublic.model_validate(runs.get(run_id))
