"""Backups of the database, and restoring one, while other processes may be running.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the whole
database in one step under a read transaction, so the copy is one consistent
moment even while the server and workers write (WAL lets them go on); the
copy is written to a private temporary file next to the target, checked
(`PRAGMA integrity_check`), switched to a single self-contained file (no WAL)
and renamed into place, 0600 like the database (it holds the OAuth tokens).
Restoring copies a backup INTO the live file with the same API, under
SQLite's own locks, so connections that stay open see the restored content.

PostgreSQL: `pg_dump --format=custom` (a consistent snapshot by design) and
`pg_restore --clean --if-exists`, run when they are on the PATH, otherwise
the command to run is returned. The password goes through the environment
(`PGPASSWORD`), never on a command line that `ps` would show.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from photomanager.domain.errors import Conflict, InvalidInput
from photomanager.storage.private_files import PRIVATE_FILE

PG_DUMP = "pg_dump"
PG_RESTORE = "pg_restore"
LEDGER_TABLE = "commented_deviations"
VERSION_TABLE = "alembic_version"


@dataclass(frozen=True, slots=True)
class BackupOutcome:
    """What a backup or restore did; `command` is set when the artist must run it."""

    path: Path
    done: bool
    revision: str | None = None
    ledger_rows: int | None = None
    command: str | None = None


def is_sqlite(url: str | URL) -> bool:
    """True for a SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> Path:
    """The file of a SQLite URL; InvalidInput for an in-memory database."""
    database = make_url(url).database
    if database in (None, "", ":memory:"):
        raise InvalidInput("an in-memory database cannot be backed up or restored")
    return Path(str(database))


def backup_database(url: str | URL, target: Path, *, run_tools: bool = True) -> BackupOutcome:
    """Copy the database at `url` to `target` (which must not exist yet)."""
    if target.exists():
        raise Conflict(f"{target} already exists: choose another name, or remove it first")
    if is_sqlite(url):
        return _backup_sqlite(sqlite_path(url), target)
    return _pg_tool(PG_DUMP, make_url(url), target, run_tools=run_tools)


def restore_database(url: str | URL, source: Path, *, run_tools: bool = True) -> BackupOutcome:
    """Replace the database at `url` with the backup at `source`."""
    if not source.is_file():
        raise InvalidInput(f"no backup file at {source}")
    if is_sqlite(url):
        return _restore_sqlite(source, sqlite_path(url))
    return _pg_tool(PG_RESTORE, make_url(url), source, run_tools=run_tools)


def describe_sqlite_backup(path: Path) -> tuple[str | None, int]:
    """The schema revision of a SQLite backup and how many deviations its ledger holds.

    InvalidInput when the file is not a photomanager SQLite database.
    """
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if VERSION_TABLE not in tables or LEDGER_TABLE not in tables:
                raise InvalidInput(f"{path} is not a photomanager database backup")
            revision = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()  # noqa: S608
            (rows,) = conn.execute(f"SELECT count(*) FROM {LEDGER_TABLE}").fetchone()  # noqa: S608
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} is not a SQLite database: {exc}") from None
    return (None if revision is None else str(revision[0])), int(rows)


def _backup_sqlite(database: Path, target: Path) -> BackupOutcome:
    if not database.is_file():
        raise InvalidInput(f"no database at {database}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    partial = Path(temporary)
    try:
        os.chmod(partial, PRIVATE_FILE)
        with (
            closing(sqlite3.connect(database, timeout=30)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)  # pages=-1: one step, one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise Conflict(f"the copy failed its integrity check: {verdict}")
        os.replace(partial, target)
        os.chmod(target, PRIVATE_FILE)
    finally:
        partial.unlink(missing_ok=True)
    revision, rows = describe_sqlite_backup(target)
    return BackupOutcome(path=target, done=True, revision=revision, ledger_rows=rows)


def _restore_sqlite(source: Path, database: Path) -> BackupOutcome:
    revision, rows = describe_sqlite_backup(source)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup,
        closing(sqlite3.connect(database, timeout=30)) as live,
    ):
        backup.backup(live)
    os.chmod(database, PRIVATE_FILE)
    return BackupOutcome(path=source, done=True, revision=revision, ledger_rows=rows)


def _pg_tool(tool: str, url: URL, path: Path, *, run_tools: bool) -> BackupOutcome:
    """Run pg_dump / pg_restore when on the PATH; else the command for the artist."""
    # Not `URL.set(password=None)`: None means "unchanged" there, the password would stay.
    bare = url._replace(drivername="postgresql", password=None)
    libpq = bare.render_as_string(hide_password=False)
    if tool == PG_DUMP:
        args = [tool, "--format=custom", "--no-owner", f"--file={path}", f"--dbname={libpq}"]
    else:
        args = [tool, "--clean", "--if-exists", "--no-owner", f"--dbname={libpq}", str(path)]
    shown = " ".join(args)
    if url.password:
        shown = f"PGPASSWORD=... {shown}"
    executable = shutil.which(tool)
    if not run_tools or executable is None:
        return BackupOutcome(path=path, done=False, command=shown)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if tool == PG_DUMP:
        # Created private before pg_dump writes into it: it holds the OAuth tokens.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    result = subprocess.run(
        [executable, *args[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        if tool == PG_DUMP:
            path.unlink(missing_ok=True)
        detail = (result.stderr or "").strip().splitlines()
        raise Conflict(f"{tool} failed: {detail[-1] if detail else result.returncode}")
    return BackupOutcome(path=path, done=True, command=shown)
