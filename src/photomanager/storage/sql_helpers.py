"""Small helpers the repositories share: dialect inserts, chunking, keyset cursors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from photomanager.domain.errors import InvalidInput
from photomanager.storage.types import UtcDateTime

T = TypeVar("T")

# Well under SQLite's bound-parameter limit (32766) and PostgreSQL's (65535).
IN_CHUNK = 500


def dialect_insert(conn: Connection, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that supports ON CONFLICT on the connection's backend."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def timestamp_processor(dialect: Dialect) -> Any:
    """The bind processing of a UtcDateTime column, for hand-written SQL."""
    process = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return lambda value: value
    return process


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most `size` items, consuming `items` lazily."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def encode_cursor(moment: datetime, key: str | int) -> str:
    """An opaque keyset cursor for the row at (`moment`, `key`)."""
    raw = json.dumps([moment.isoformat(), key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key_type: type[str] | type[int]) -> tuple[datetime, str | int]:
    """The (moment, key) inside a cursor; InvalidInput when it was not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment_text, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(moment_text)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise InvalidInput("invalid cursor") from exc
    if moment.tzinfo is None or not isinstance(key, key_type) or isinstance(key, bool):
        raise InvalidInput("invalid cursor")
    return moment, key


def join_tags(tags: Iterable[str]) -> str | None:
    """Tags as stored: space-separated (a tag never holds a space), None for none."""
    joined = " ".join(tags)
    return joined or None


def split_tags(stored: str | None) -> tuple[str, ...]:
    """The tags of a stored column value (see `join_tags`)."""
    return tuple(stored.split()) if stored else ()
