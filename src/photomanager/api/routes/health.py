"""Liveness: answers without touching DeviantArt."""

from __future__ import annotations

from fastapi import APIRouter

from photomanager.api.routes import errors
from photomanager.api.schemas.common import PublicModel

router = APIRouter(tags=["health"])


class HealthPublic(PublicModel):
    status: str


@router.get("/healthz", responses=errors())
def healthz() -> HealthPublic:
    """The process is up."""
    return HealthPublic(status="ok")
