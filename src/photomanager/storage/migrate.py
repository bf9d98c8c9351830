"""Run the Alembic migrations shipped in `storage/migrations/` from code.

A database at a revision these scripts do not know was migrated by a newer
photomanager: nothing runs on it (DatabaseTooNew, with what to do), because
this version would read and write its rows without knowing what they mean now.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine

from photomanager.domain.errors import DatabaseTooNew
from photomanager.storage.engine import create_engine_for

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for our migrations; `connection` is handed to env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(target: Engine | str, revision: str = "head") -> None:
    """Bring the database at `target` (an engine or a URL) up to `revision`."""
    engine = create_engine_for(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            _refuse_unknown_revision(connection)
            command.upgrade(alembic_config(connection), revision)
    finally:
        if isinstance(target, str):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


def head_revision() -> str | None:
    """The newest revision shipped with this version of photomanager."""
    head: str | None = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head


def known_revisions() -> list[str]:
    """Every revision shipped with this version, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def check_database_version(engine: Engine) -> None:
    """DatabaseTooNew when the database was migrated by a newer photomanager."""
    with engine.connect() as connection:
        _refuse_unknown_revision(connection)


def _refuse_unknown_revision(connection: Connection) -> None:
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise DatabaseTooNew(
            f"the database is at schema revision {current}, which this photomanager "
            f"(newest revision {script.get_current_head()}) does not know: a newer "
            "photomanager upgraded it. Run that newer version, or restore a backup "
            "made before the upgrade."
        )
