"""The one-time warning before the worker posts anything the artist did not review.

DeviantArt counts "use of a script or automated system to comment" as abuse of
the system. Starting the worker while a source is outside review mode and dry
run is off needs an explicit confirmation, once; the confirmation is stored in
`worker_control.confirmed_unreviewed` and shared by every worker process.
"""

from __future__ import annotations

from dataclasses import replace

from photomanager.domain.clock import Clock
from photomanager.domain.errors import ConfirmationRequired
from photomanager.domain.models import CommentSettings, SourceKind, WorkerControl
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.services.worker_control import WorkerControlService

WARNING = (
    "DeviantArt counts using a script to comment for you as abuse of the system. "
    "{sources} will be posted without review. Confirm once to start anyway, or turn "
    "review mode or dry run on."
)


def unreviewed_sources(settings: CommentSettings) -> list[SourceKind]:
    """Kinds of source whose comments would be posted without review (none in dry run)."""
    if settings.dry_run:
        return []
    return [kind for kind in SourceKind if kind not in settings.review_sources]


def start_worker(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    control: WorkerControlService,
    confirm_unreviewed: bool,
) -> WorkerControl:
    """Start the worker; ConfirmationRequired unless nothing unreviewed can be posted,
    the artist confirms now, or confirmed before (the confirmation is stored)."""
    with uow_factory() as uow:
        settings = uow.settings.get()
        current = uow.worker_control.get_for_update()
        unreviewed = unreviewed_sources(settings)
        if unreviewed and not current.confirmed_unreviewed:
            if not confirm_unreviewed:
                names = ", ".join(source.value.replace("_", " ") for source in unreviewed)
                raise ConfirmationRequired(
                    WARNING.format(sources=f"Comments from the {names}"),
                    details={"unreviewed_sources": [source.value for source in unreviewed]},
                )
            uow.worker_control.save(
                replace(current, confirmed_unreviewed=True, updated_at=clock.now())
            )
            uow.commit()
    return control.start()
