"""Cross-process locks that serialise OAuth token refreshes (the `RefreshLock` port).

A refresh is a network call of up to a minute; it must not hold a database
transaction, because on SQLite every write transaction holds the file's one
write lock and the worker recording a posted comment would time out behind
it. So the refresh is serialised by a lock of its own, and the token is read
and saved in two short transactions (the save is a compare-and-set):

- SQLite file: `fcntl.flock` on `<database file>.refresh.lock`, next to the
  database, so every process that opens that file shares the lock whatever its
  data dir. The kernel drops the lock when its holder dies.
- PostgreSQL: a session-level advisory lock (`pg_advisory_lock`) on a
  connection of its own, outside any transaction. It locks no row and no table,
  works across machines sharing the database, and dies with its session.
  `SELECT ... FOR UPDATE` would work too, but would keep a transaction open
  ("idle in transaction") during the network call.
- In-memory SQLite lives in one process: a plain thread lock is enough.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from photomanager.storage.engine import is_memory_sqlite

LOCK_SUFFIX = ".refresh.lock"
# Any constant identifies "the token refresh" among the database's advisory locks.
ADVISORY_LOCK_KEY = 0x70686F746F726566  # "photoref"


class FileRefreshLock:
    """An exclusive `flock` on a lock file; blocks until the holder releases it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the duration of the block."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh open file per holder: flock excludes other open files, even in
        # this process, so two holders in different threads exclude each other too.
        with self.path.open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class AdvisoryRefreshLock:
    """A PostgreSQL session-level advisory lock on a dedicated connection."""

    def __init__(self, engine: Engine, key: int = ADVISORY_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the duration of the block."""
        conn = self._engine.connect()
        try:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": self._key})
            conn.commit()  # the lock is the session's: no transaction stays open
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                    conn.commit()
                except Exception:
                    # Never return a connection that may still hold the lock to the pool.
                    conn.invalidate()
                    raise
        finally:
            conn.close()


class ThreadRefreshLock:
    """For a database only this process can see (in-memory SQLite)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the duration of the block."""
        with self._lock:
            yield


def refresh_lock_for(engine: Engine) -> FileRefreshLock | AdvisoryRefreshLock | ThreadRefreshLock:
    """The refresh lock that fits the database behind `engine`."""
    url = make_url(engine.url)
    if url.get_backend_name() != "sqlite":
        return AdvisoryRefreshLock(engine)
    if is_memory_sqlite(url) or url.database is None:
        return ThreadRefreshLock()
    database = Path(url.database).resolve()
    return FileRefreshLock(database.with_name(database.name + LOCK_SUFFIX))
