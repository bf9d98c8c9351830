"""Collect runs: start one per feed, follow its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path

from photomanager.api.deps import CollectRunsDep, ContainerDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.collect import CollectCreate, CollectRunPublic, CollectTagsCreate
from photomanager.domain.errors import NotConnected
from photomanager.domain.models import Source
from photomanager.services.collecting.collect_runs import CollectRuns

# No body at all reads one page, as `photomanager collect` does.
CollectBody = Annotated[CollectCreate | None, Body()]
TagsBody = Annotated[CollectTagsCreate | None, Body()]

router = APIRouter(prefix=PREFIX, tags=["collect"])

# A short run (one page) usually ends within this: answer with its result then.
QUICK_RESULT_WAIT_S = 0.5


NOT_CONNECTED = "connect your DeviantArt account first"


def _require_account(container: ContainerDep, *, app_token_will_do: bool) -> None:
    """409 not_connected upfront, rather than a run that fails on its first page.

    Tag feeds can also be read with the app's own (client-credentials) token,
    which only needs a configured client id.
    """
    state = container.auth.status()
    if state.connected or (app_token_will_do and state.client_configured):
        return
    raise NotConnected(NOT_CONNECTED)


def _start(runs: CollectRuns, source: Source, pages: int) -> CollectRunPublic:
    started = runs.start(source, pages=pages)
    return CollectRunPublic.model_validate(runs.wait(started.run_id, QUICK_RESULT_WAIT_S))


@router.post("/collect/watch-feed", status_code=202, responses=errors(403, 409, 422))
def collect_watch_feed(
    runs: CollectRunsDep, container: ContainerDep, body: CollectBody = None
) -> CollectRunPublic:
    """Start reading the watch feed (deviants you watch) in the background."""
    _require_account(container, app_token_will_do=False)
    return _start(runs, Source.WATCH_FEED, (body or CollectCreate()).pages)


@router.post("/collect/global-feed", status_code=202, responses=errors(403, 409, 422))
def collect_global_feed(
    runs: CollectRunsDep, container: ContainerDep, body: CollectBody = None
) -> CollectRunPublic:
    """Start reading the global feed (DeviantArt's home feed) in the background."""
    _require_account(container, app_token_will_do=False)  # browse/home needs the account
    return _start(runs, Source.GLOBAL_FEED, (body or CollectCreate()).pages)


@router.post("/collect/tags", status_code=202, responses=errors(403, 409, 422))
def collect_tags(
    runs: CollectRunsDep, container: ContainerDep, body: TagsBody = None
) -> list[CollectRunPublic]:
    """Start reading tag feeds (one run per tag; they page one after another)."""
    _require_account(container, app_token_will_do=True)
    request = body or CollectTagsCreate()
    started = runs.start_tags(request.tags, pages=request.pages)
    return [CollectRunPublic.model_validate(run) for run in started]


@router.get("/collect/{run_id}", responses=errors(404, 422))
def get_collect_run(
    run_id: Annotated[str, Path(min_length=1, max_length=64)], runs: CollectRunsDep
) -> CollectRunPublic:
    """A collect run's progress, or its result once finished."""
    return CollectRunPublic.model_validate(runs.get(run_id))
