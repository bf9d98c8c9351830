"""Comment templates (`deviation_comment_messages`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, insert, select, update

from photomanager.domain.models import CommentTemplate
from photomanager.storage.tables import messages


def template_reference(message_id: int | None) -> Any:
    """`message_id` while that template exists, else NULL, for a row being written.

    The artist may delete a template while the worker is posting a text rendered
    from it; the row and the log keep the text, and the write must not fail on
    the foreign key.
    """
    if message_id is None:
        return None
    return (
        select(messages.c.message_id).where(messages.c.message_id == message_id).scalar_subquery()
    )


class DeviationCommentMessageRepository:
    """The artist's comment templates."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, title: str, body: str, is_active: bool, now: datetime) -> CommentTemplate:
        """Store a new template and return it with its id."""
        row = (
            self._conn.execute(
                insert(messages)
                .values(title=title, body=body, is_active=is_active, created_at=now, updated_at=now)
                .returning(*messages.c)
            )
            .mappings()
            .one()
        )
        return _to_template(row)

    def get(self, message_id: int) -> CommentTemplate | None:
        row = (
            self._conn.execute(select(messages).where(messages.c.message_id == message_id))
            .mappings()
            .one_or_none()
        )
        return None if row is None else _to_template(row)

    def update(
        self, message_id: int, *, title: str, body: str, is_active: bool, now: datetime
    ) -> CommentTemplate | None:
        """Replace a template's text and flag; None when it does not exist."""
        row = (
            self._conn.execute(
                update(messages)
                .where(messages.c.message_id == message_id)
                .values(title=title, body=body, is_active=is_active, updated_at=now)
                .returning(*messages.c)
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else _to_template(row)

    def delete(self, message_id: int) -> bool:
        """Delete a template; queue rows and logs keep their text, lose the link."""
        result = self._conn.execute(delete(messages).where(messages.c.message_id == message_id))
        return result.rowcount > 0

    def list_all(self) -> list[CommentTemplate]:
        rows = self._conn.execute(select(messages).order_by(messages.c.message_id)).mappings()
        return [_to_template(row) for row in rows]

    def list_active(self) -> list[CommentTemplate]:
        rows = self._conn.execute(
            select(messages).where(messages.c.is_active.is_(True)).order_by(messages.c.message_id)
        ).mappings()
        return [_to_template(row) for row in rows]


def _to_template(m: RowMapping) -> CommentTemplate:
    return CommentTemplate(
        message_id=m["message_id"],
        title=m["title"],
        body=m["body"],
        is_active=bool(m["is_active"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )
