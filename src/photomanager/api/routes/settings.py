"""The artist's pacing, caps and filters."""

from __future__ import annotations

from fastapi import APIRouter

from photomanager.api.deps import SettingsDep
from photomanager.api.routes import PREFIX, errors
from photomanager.api.schemas.settings import SettingsPublic, SettingsUpdate

router = APIRouter(prefix=PREFIX, tags=["settings"])


@router.get("/settings", responses=errors())
def get_settings(settings: SettingsDep) -> SettingsPublic:
    """The settings in force."""
    return SettingsPublic.model_validate(settings.get_settings())


@router.put("/settings", responses=errors(403, 422))
def update_settings(body: SettingsUpdate, settings: SettingsDep) -> SettingsPublic:
    """Change some settings; every field is checked and a bad one says what to fix."""
    return SettingsPublic.model_validate(settings.update_settings(**body.changes()))
