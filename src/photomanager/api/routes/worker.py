"""Worker control: start and stop (obeyed by every worker within a second)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from photomanager.api.deps import ContainerDep, WorkerControlDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.worker import WorkerPublic, WorkerStartCreate
from photomanager.domain.errors import ConfirmationRequired, NotConnected
from photomanager.services.posting.unreviewed import start_worker as start_guarded

router = APIRouter(prefix=PREFIX, tags=["worker"])


@router.post("/worker/start", responses=errors(403, 409, 422))
def start_worker(
    control: WorkerControlDep,
    container: ContainerDep,
    body: Annotated[WorkerStartCreate | None, Body()] = None,
) -> WorkerPublic:
    """Ask the worker to run (409 not_connected without an account; 409
    confirmation_required: posting without review, confirmed once)."""
    if not container.auth.status().connected:
        raise NotConnected("connect your DeviantArt account first: the worker posts as you")
    try:
        started = start_guarded(
            uow_factory=container.uow_factory,
            clock=container.clock,
            control=control,
            confirm_unreviewed=body is not None and body.confirm_unreviewed,
        )
    except ConfirmationRequired as exc:
        # The service words the warning; the API says which field confirms it.
        raise ConfirmationRequired(
            f'{exc.message} To confirm, send {{"confirm_unreviewed": true}}.',
            details=exc.details,
        ) from None
    return WorkerPublic.model_validate(started)


@router.post("/worker/stop", responses=errors(403))
def stop_worker(control: WorkerControlDep) -> WorkerPublic:
    """Ask the worker to stop."""
    return WorkerPublic.model_validate(control.stop())
