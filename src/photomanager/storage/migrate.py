"""Run the Alembic migrations shipped in `storage/migrations/` from code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

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
