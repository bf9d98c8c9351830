"""Dependencies: services pulled from the container on `app.state`, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from photomanager.bootstrap import Container
from photomanager.services.collecting.collect_runs import CollectRuns
from photomanager.services.reporting.logs import LogService
from photomanager.services.reporting.status import StatusService
from photomanager.services.settings import SettingsService
from photomanager.services.templates import TemplateService
from photomanager.services.upkeep.housekeeping import Housekeeping
from photomanager.services.upkeep.queue import QueueService
from photomanager.services.worker_control import WorkerControlService


def get_container(request: Request) -> Container:
    """The container the app was created with."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_templates(container: ContainerDep) -> TemplateService:
    """Template CRUD and preview."""
    return container.templates


def get_queue(container: ContainerDep) -> QueueService:
    """Queue listing and cleanup."""
    return container.queue


def get_logs(container: ContainerDep) -> LogService:
    """The comment log."""
    return container.logs


def get_settings_service(container: ContainerDep) -> SettingsService:
    """The artist's settings."""
    return container.comment_settings


def get_worker_control(container: ContainerDep) -> WorkerControlService:
    """Worker start/stop."""
    return container.worker_control


def get_status(container: ContainerDep) -> StatusService:
    """The status report."""
    return container.status


def get_housekeeping(container: ContainerDep) -> Housekeeping:
    """Queue and log pruning."""
    return container.housekeeping


def get_collect_runs(container: ContainerDep) -> CollectRuns:
    """Background collect runs."""
    return container.collect_runs


TemplatesDep = Annotated[TemplateService, Depends(get_templates)]
QueueDep = Annotated[QueueService, Depends(get_queue)]
LogsDep = Annotated[LogService, Depends(get_logs)]
SettingsDep = Annotated[SettingsService, Depends(get_settings_service)]
WorkerControlDep = Annotated[WorkerControlService, Depends(get_worker_control)]
StatusDep = Annotated[StatusService, Depends(get_status)]
CollectRunsDep = Annotated[CollectRuns, Depends(get_collect_runs)]
HousekeepingDep = Annotated[Housekeeping, Depends(get_housekeeping)]


def get_image_origins(container: ContainerDep) -> frozenset[str]:
    """Where deviation thumbnails may be loaded from."""
    return container.image_origins


ImageOriginsDep = Annotated[frozenset[str], Depends(get_image_origins)]
