"""`photomanager db upgrade`."""

from __future__ import annotations

import typer

from photomanager.cli.common import console, sandbox_requested
from photomanager.config import load_settings
from photomanager.storage.migrate import upgrade_database
from photomanager.storage.private_files import private_dir, private_sqlite_file

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


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
