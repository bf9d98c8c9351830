"""The hand-written Alembic migrations build exactly the schema of `tables.py`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, String, Text, inspect
from sqlalchemy.types import TypeEngine

from photomanager.storage.engine import create_engine_for
from photomanager.storage.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_database,
)
from photomanager.storage.tables import metadata


def _compare_type(
    context: MigrationContext,
    inspected_column: object,
    metadata_column: object,
    inspected_type: TypeEngine[object],
    metadata_type: TypeEngine[object],
) -> bool | None:
    """The default type comparison, except VARCHAR lengths on SQLite, which ignores them.

    (0005 widens `source` to 64 on PostgreSQL only: on SQLite a batch copy of the
    queue would drop the counting triggers of 0002, for a length nobody enforces.)
    """

    def varchar(kind: TypeEngine[object]) -> bool:
        return isinstance(kind, String) and not isinstance(kind, Text)

    if context.dialect.name == "sqlite" and varchar(inspected_type) and varchar(metadata_type):
        return False
    return None


def _schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
        return list(compare_metadata(context, metadata))


class TestUpgrade:
    def test_blank_sqlite_file_matches_metadata(self, tmp_path: Path) -> None:
        """Migrating an empty SQLite file gives the tables, columns and indexes of tables.py."""
        engine = create_engine_for(f"sqlite:///{tmp_path / 'blank.db'}")
        try:
            upgrade_database(engine)

            assert _schema_diff(engine) == []
            assert current_revision(engine) == head_revision()
        finally:
            engine.dispose()

    def test_migrated_database_matches_metadata(self, engine: Engine) -> None:
        """The per-test databases (SQLite and PostgreSQL) are at head and match tables.py."""
        assert _schema_diff(engine) == []
        assert current_revision(engine) == head_revision()

    def test_upgrade_is_idempotent(self, engine: Engine) -> None:
        """Running the upgrade again on a migrated database changes nothing."""
        upgrade_database(engine)

        assert current_revision(engine) == head_revision()
        assert _schema_diff(engine) == []

    def test_upgrade_from_a_url(self, tmp_path: Path) -> None:
        """upgrade_database accepts a URL and leaves a migrated file behind."""
        url = f"sqlite:///{tmp_path / 'by-url.db'}"

        upgrade_database(url)

        engine = create_engine_for(url)
        try:
            assert set(inspect(engine).get_table_names()) >= set(metadata.tables)
        finally:
            engine.dispose()


class TestDowngrade:
    def test_downgrade_to_base_drops_every_table(self, tmp_path: Path) -> None:
        """The initial migration can be undone."""
        engine = create_engine_for(f"sqlite:///{tmp_path / 'down.db'}")
        try:
            upgrade_database(engine)
            with engine.begin() as conn:
                command.downgrade(alembic_config(conn), "base")

            assert set(inspect(engine).get_table_names()) == {"alembic_version"}
            assert current_revision(engine) is None
        finally:
            engine.dispose()
