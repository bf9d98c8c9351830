"""The SQLite database holds the tokens: it is created private, and stays so."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from photomanager.storage.engine import create_engine_for
from photomanager.storage.private_files import private_dir, private_sqlite_file


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


class TestSqliteFile:
    def test_a_new_database_and_its_directory_are_private(self, tmp_path: Path) -> None:
        """A fresh path: the directory is created 0700 and the file 0600."""
        database = tmp_path / "fresh" / "photomanager.sqlite3"

        private_sqlite_file(f"sqlite:///{database}")

        assert mode(database.parent) == 0o700
        assert mode(database) == 0o600

    def test_wal_files_take_the_database_file_mode(self, tmp_path: Path) -> None:
        """SQLite's -wal and -shm files, made while the engine writes, are 0600 too."""
        database = tmp_path / "photomanager.sqlite3"
        url = f"sqlite:///{database}"
        private_sqlite_file(url)
        engine = create_engine_for(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (x INTEGER)"))
                conn.execute(text("INSERT INTO t VALUES (1)"))
            companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
            assert all(path.exists() for path in companions)
            assert [mode(path) for path in companions] == [0o600, 0o600]
        finally:
            engine.dispose()

    def test_an_older_readable_database_is_tightened(self, tmp_path: Path) -> None:
        """A file left 0644 by an older version becomes 0600, its WAL too."""
        database = tmp_path / "photomanager.sqlite3"
        wal = tmp_path / "photomanager.sqlite3-wal"
        for path in (database, wal):
            path.write_bytes(b"")
            os.chmod(path, 0o644)

        private_sqlite_file(f"sqlite:///{database}")

        assert (mode(database), mode(wal)) == (0o600, 0o600)

    def test_an_existing_directory_elsewhere_is_left_alone(self, tmp_path: Path) -> None:
        """A database placed in a directory of the user's choosing changes only the file."""
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        os.chmod(shared, 0o755)  # noqa: S103 - the readable directory under test

        private_sqlite_file(f"sqlite:///{shared / 'db.sqlite3'}")

        assert mode(shared) == 0o755
        assert mode(shared / "db.sqlite3") == 0o600

    def test_other_databases_are_not_files(self, tmp_path: Path) -> None:
        """In-memory SQLite and PostgreSQL URLs create nothing."""
        private_sqlite_file("sqlite://")
        private_sqlite_file("postgresql+psycopg://user@127.0.0.1:1/db")
        assert list(tmp_path.iterdir()) == []


class TestDataDir:
    def test_the_data_dir_is_made_private(self, tmp_path: Path) -> None:
        """An existing data directory readable by others becomes 0700."""
        data = tmp_path / "data"
        data.mkdir()
        os.chmod(data, 0o755)  # noqa: S103 - the readable directory under test

        private_dir(data)

        assert mode(data) == 0o700
