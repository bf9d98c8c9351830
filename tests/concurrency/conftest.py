"""Fixtures of the multi-process tests: fresh migrated databases and a log folder."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.postgres_server import PostgresServer


@pytest.fixture
def postgres_database_url(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test."""
    name = f"concurrency_{uuid.uuid4().hex}"
    url = postgres_server.create_database(name, template=postgres_template)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def sqlite_database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite file (WAL) for one test."""
    path = tmp_path / "photomanager.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """Where the worker processes run and write their output."""
    path = tmp_path / "workers"
    path.mkdir()
    return path
