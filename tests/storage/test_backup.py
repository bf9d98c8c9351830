"""Backups and restores of the database on both backends (SQLite API, pg_dump/pg_restore)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from fixtures.database import FIXED_NOW as NOW
from photomanager.domain.errors import Conflict
from photomanager.storage.backup import backup_database, restore_database
from photomanager.storage.unit_of_work import sql_unit_of_work_factory


def _record(engine: Engine, *deviationids: str) -> None:
    factory = sql_unit_of_work_factory(engine)
    with factory() as uow:
        for deviationid in deviationids:
            uow.ledger.add(deviationid, NOW, author="a")
        uow.commit()


def _ledger(engine: Engine) -> set[str]:
    factory = sql_unit_of_work_factory(engine)
    with factory(read_only=True) as uow:
        return {d for d in ("one", "two", "three") if uow.ledger.contains(d)}


class TestBackupAndRestore:
    def test_a_restore_brings_back_the_ledger_of_the_backup(
        self, engine: Engine, database_url: str, tmp_path: Path
    ) -> None:
        """Rows recorded before the backup come back; rows recorded after it do not."""
        _record(engine, "one", "two")
        target = tmp_path / "backup.db"

        made = backup_database(database_url, target)
        _record(engine, "three")
        engine.dispose()
        restored = restore_database(database_url, target)

        assert made.done
        assert restored.done
        assert _ledger(engine) == {"one", "two"}

    def test_the_backup_file_is_private(
        self, engine: Engine, database_url: str, tmp_path: Path
    ) -> None:
        """The copy holds the OAuth tokens: it is readable by its owner only."""
        target = tmp_path / "private.db"

        backup_database(database_url, target)

        assert os.stat(target).st_mode & 0o777 == 0o600

    def test_an_existing_file_is_never_overwritten(
        self, engine: Engine, database_url: str, tmp_path: Path
    ) -> None:
        """A backup refuses a target that exists, and leaves it as it was."""
        target = tmp_path / "taken.db"
        target.write_text("keep me")

        with pytest.raises(Conflict, match="already exists"):
            backup_database(database_url, target)

        assert target.read_text() == "keep me"

    @pytest.mark.postgres
    def test_without_the_tools_the_command_is_given(
        self, postgres_url: str, tmp_path: Path
    ) -> None:
        """PostgreSQL without running the tools: the pg_dump command, no password in it."""
        url = make_url(postgres_url).set(password="s3cret")

        outcome = backup_database(url, tmp_path / "pg.dump", run_tools=False)

        assert not outcome.done
        assert outcome.command is not None
        assert outcome.command.startswith("PGPASSWORD=... pg_dump --format=custom")
        assert "s3cret" not in outcome.command
