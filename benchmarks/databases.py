"""Fresh, migrated databases for one benchmark run: SQLite files and a throwaway PostgreSQL.

PostgreSQL comes from `tests/fixtures/postgres_server.py` (Debian's binaries
in a temp dir); it is started once per run and every benchmark gets its own
database on it, so measurements never see each other's rows.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from photomanager.storage.migrate import upgrade_database

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
KINDS = (SQLITE, POSTGRESQL)


class Databases:
    """`with Databases(kinds) as dbs: url = dbs.fresh("sqlite")`."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        self._stack = contextlib.ExitStack()
        self._tmp = Path()
        self._server: object | None = None
        self._counter = itertools.count(1)
        self._pg_template: str | None = None

    def __enter__(self) -> Databases:
        self._tmp = Path(tempfile.mkdtemp(prefix="pm-bench-"))
        self._stack.callback(shutil.rmtree, self._tmp, ignore_errors=True)
        if POSTGRESQL in self.kinds:
            from fixtures.postgres_server import running_postgres

            self._server = self._stack.enter_context(running_postgres())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def fresh(self, kind: str) -> str:
        """The URL of a new, empty, migrated database of `kind`."""
        n = next(self._counter)
        if kind == SQLITE:
            url = f"sqlite:///{self._tmp / f'bench-{n}.db'}"
            upgrade_database(url)
            return url
        from fixtures.postgres_server import PostgresServer

        server = self._server
        assert isinstance(server, PostgresServer), "PostgreSQL was not started"
        if self._pg_template is None:
            self._pg_template = "bench_template"
            upgrade_database(server.create_database(self._pg_template))
        return str(server.create_database(f"bench_{n}", template=self._pg_template))

    def copy(self, url: str) -> str:
        """A new database holding what `url` holds now (nothing may be connected to it)."""
        n = next(self._counter)
        if url.startswith("sqlite:///"):
            from photomanager.storage.backup import backup_database

            target = self._tmp / f"bench-{n}-copy.db"
            backup_database(url, target)
            return f"sqlite:///{target}"
        from fixtures.postgres_server import PostgresServer

        server = self._server
        assert isinstance(server, PostgresServer)
        return str(server.create_database(f"bench_{n}_copy", template=url.rsplit("/", 1)[1]))

    def drop(self, url: str) -> None:
        """Free the disk space of a database we are done with."""
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        from fixtures.postgres_server import PostgresServer

        server = self._server
        assert isinstance(server, PostgresServer)
        server.drop_database(url.rsplit("/", 1)[1])


def kind_of(url: str) -> str:
    return SQLITE if url.startswith("sqlite") else POSTGRESQL


@contextlib.contextmanager
def opened(kinds: tuple[str, ...]) -> Iterator[Databases]:
    """`Databases` as a plain context manager."""
    with Databases(kinds) as dbs:
        yield dbs
