"""Engine setup: SQLite tuned for several processes on one file, or PostgreSQL.

SQLite: WAL, a 30 s busy timeout, foreign keys on, and every transaction
opened with `BEGIN IMMEDIATE`. pysqlite normally opens transactions lazily
with a plain `BEGIN` (a read lock that must later be upgraded to a write
lock, which fails at once with "database is locked" when another process
writes); taking the write lock up front makes SQLite queue writers behind
the busy timeout instead. This is the documented pysqlite recipe: turn off
the driver's own transaction handling and emit our BEGIN in the `begin` event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

BUSY_TIMEOUT_S = 30
# Execution option of a connection whose transactions only read: on SQLite they start
# with a deferred BEGIN, so a long read (a status poll, a CSV export) never holds the
# write lock that the workers need. WAL lets them read while others write.
READ_ONLY_OPTION = "photomanager_read_only"
DATABASE_FILENAME = "photomanager.db"


def default_database_url(data_dir: Path) -> str:
    """The default database: a SQLite file in the data directory."""
    return f"sqlite:///{(data_dir / DATABASE_FILENAME).resolve()}"


def create_engine_for(url: str | URL) -> Engine:
    """An engine for `url` (SQLite file or memory, or PostgreSQL)."""
    parsed = _normalize(make_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def is_memory_sqlite(url: URL) -> bool:
    """True for `sqlite://` and `sqlite:///:memory:`."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _normalize(url: URL) -> URL:
    # `postgresql://` and `postgres://` would pick psycopg2, which we do not ship.
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    return url


def _sqlite_engine(url: URL) -> Engine:
    memory = is_memory_sqlite(url)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
        # Secrets (tokens) are bound parameters: keep them out of error messages.
        "hide_parameters": True,
    }
    if memory:
        # One shared connection, or every checkout would see a new empty database.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Disable pysqlite's implicit BEGIN; we emit our own in `_on_begin`.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                # Safe with WAL (durable up to the last checkpoint) and much faster.
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
