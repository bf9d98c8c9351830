"""Schemas of worker control."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from photomanager.api.schemas.common import PublicModel, RequestModel
from photomanager.domain.models import WorkerDesired


class WorkerStartCreate(RequestModel):
    """Start the worker. Posting without review may need a one-time confirmation."""

    confirm_unreviewed: Annotated[bool, Field(strict=True)] = False


class WorkerPublic(PublicModel):
    """What the worker was asked to do and what it reports."""

    desired: WorkerDesired
    state: str = Field(description="running | waiting | paused | stopped | blocked")
    reason: str | None = Field(description="Why it stopped or waits, in words.")
    waiting_until: datetime | None
    consecutive_failures: int
    heartbeat_at: datetime | None
    confirmed_unreviewed: bool
