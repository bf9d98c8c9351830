"""The artist's comment settings (`comment_settings`, one row holding JSON)."""

from __future__ import annotations

import dataclasses
import enum
import json
import typing
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from photomanager.domain.models import CommentSettings
from photomanager.storage.sql_helpers import dialect_insert
from photomanager.storage.tables import SINGLE_ROW_ID, comment_settings

_HINTS = typing.get_type_hints(CommentSettings)


class SettingsRepository:
    """Read and write `CommentSettings`; a missing row means the defaults."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self) -> CommentSettings:
        data = self._data(for_update=False)
        return CommentSettings() if data is None else settings_from_json(data)

    def get_for_update(self, now: datetime) -> CommentSettings:
        """The settings, their row locked until the unit of work ends (read-modify-write).

        The page and the CLI may save at once; each change is applied to what the
        other saved, not to a copy read before it. A missing row is created first.
        """
        data = self._data(for_update=True)
        if data is None:
            values = {"data": settings_to_json(CommentSettings()), "updated_at": now}
            insert = dialect_insert(self._conn, comment_settings).values(id=SINGLE_ROW_ID, **values)
            self._conn.execute(
                insert.on_conflict_do_nothing(index_elements=[comment_settings.c.id])
            )
            data = self._data(for_update=True)
        return CommentSettings() if data is None else settings_from_json(data)

    def _data(self, *, for_update: bool) -> str | None:
        query = select(comment_settings.c.data).where(comment_settings.c.id == SINGLE_ROW_ID)
        if for_update:
            query = query.with_for_update()
        data: str | None = self._conn.execute(query).scalar_one_or_none()
        return data

    def save(self, settings: CommentSettings, now: datetime) -> None:
        values = {"data": settings_to_json(settings), "updated_at": now}
        stmt = dialect_insert(self._conn, comment_settings).values(id=SINGLE_ROW_ID, **values)
        self._conn.execute(
            stmt.on_conflict_do_update(index_elements=[comment_settings.c.id], set_=values)
        )


def settings_to_json(settings: CommentSettings) -> str:
    """Serialize every field (tuples become lists, enums their values)."""
    return json.dumps(dataclasses.asdict(settings), sort_keys=True)


def settings_from_json(data: str) -> CommentSettings:
    """Rebuild settings with their declared types; unknown keys are ignored and
    missing ones take their defaults, so adding a field needs no migration."""
    raw: dict[str, Any] = json.loads(data)
    kwargs = {
        f.name: _coerce(raw[f.name], _HINTS[f.name])
        for f in dataclasses.fields(CommentSettings)
        if f.name in raw
    }
    return CommentSettings(**kwargs)


def _coerce(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    if typing.get_origin(hint) is tuple:
        (item_type, _ellipsis) = typing.get_args(hint)
        return tuple(_coerce(v, item_type) for v in value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    return value
