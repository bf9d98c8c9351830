"""`photomanager db upgrade|backup|restore`.

`backup` runs while the server and workers run (a consistent copy: see
`storage/backup.py`). `restore` refuses while a worker is running, migrates
the restored database to this version's schema (a backup of an earlier
release upgrades like any database) and leaves the worker stopped, so
nothing posts before the artist has looked at what came back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photomanager.bootstrap import Container
from photomanager.cli.common import console, fail, opened_container, sandbox_requested
from photomanager.config import load_settings
from photomanager.domain.clock import SystemClock
from photomanager.domain.errors import DatabaseTooNew
from photomanager.services.upkeep.maintenance import (
    RESTORE_STOPPED_REASON,
    ensure_no_worker_running,
)
from photomanager.services.worker_control import STATE_STOPPED, stop_all_workers
from photomanager.storage.backup import (
    backup_database,
    describe_sqlite_backup,
    is_sqlite,
    restore_database,
)
from photomanager.storage.engine import create_engine_for
from photomanager.storage.migrate import known_revisions, upgrade_database
from photomanager.storage.private_files import private_dir, private_sqlite_file
from photomanager.storage.unit_of_work import sql_unit_of_work_factory

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)

PathArgument = Annotated[Path, typer.Argument(dir_okay=False, help="The backup file.")]


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply the database migrations (also done on every start)."""
    if ctx.obj is not None:
        upgrade_database(ctx.obj.engine)
    else:
        settings = load_settings()
        url = settings.resolved_database_url(sandbox=sandbox_requested(ctx))
        private_dir(settings.data_dir)
        private_sqlite_file(url)  # a fresh data dir: create it, and the file, private
        upgrade_database(url)
    console().print("database is up to date")


@db_app.command("backup")
def backup(ctx: typer.Context, path: PathArgument) -> None:
    """Copy the database to PATH, consistently, while the server and workers run."""
    with opened_container(ctx) as container:
        url = _url(container)
    outcome = backup_database(url, path)
    if not outcome.done:
        fail(f"pg_dump is not on the PATH; no backup was made. Run: {outcome.command}")
    if outcome.ledger_rows is None:
        console().print(f"backup written to {path} (pg_dump custom format)")
        return
    console().print(
        f"backup written to {path}: schema {outcome.revision}, "
        f"{outcome.ledger_rows} commented deviation(s) in the ledger"
    )


@db_app.command("restore")
def restore(
    ctx: typer.Context,
    path: PathArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with the backup at PATH (every worker must be stopped)."""
    with opened_container(ctx) as container:
        ensure_no_worker_running(container.uow_factory, container.clock)
        url = _url(container)
        shown = container.engine.url.render_as_string(hide_password=True)
        # Our own pooled connections must not outlive the file's old content.
        container.engine.dispose()
    if not path.is_file():
        fail(f"no backup file at {path}")
    if is_sqlite(url):
        revision, _rows = describe_sqlite_backup(path)
        if revision is not None and revision not in known_revisions():
            raise DatabaseTooNew(
                f"the backup is at schema revision {revision}, which this photomanager "
                "does not know: restore it with the newer version that made it"
            )
    if not yes:
        typer.confirm(
            f"Replace the database {shown} with {path}? What changed since the backup is lost.",
            abort=True,
        )
    outcome = restore_database(url, path)
    if not outcome.done:
        fail(f"pg_restore is not on the PATH; nothing was restored. Run: {outcome.command}")
    engine = create_engine_for(url)
    try:
        upgrade_database(engine)
        uow_factory = sql_unit_of_work_factory(engine)
        clock = SystemClock()
        stop_all_workers(
            uow_factory, clock.now(), state=STATE_STOPPED, reason=RESTORE_STOPPED_REASON
        )
        with uow_factory(read_only=True) as uow:
            rows = uow.ledger.count_all()
    finally:
        engine.dispose()
    console().print(
        f"restored from {path}: {rows} commented deviation(s) in the ledger; "
        "the worker is stopped (start it when you are ready)"
    )


def _url(container: Container) -> str:
    """The database URL of `container`, password included (it never reaches the screen)."""
    return container.engine.url.render_as_string(hide_password=False)
