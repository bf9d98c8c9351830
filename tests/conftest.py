"""Shared fixtures: the databases (SQLite and PostgreSQL), the sandbox, the app, the services."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "fixtures.database",
    "fixtures.sandbox",
    "fixtures.app",
    "fixtures.services",
]


@pytest.fixture(autouse=True)
def private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own data dir: nothing is written to (or chmod-ed in) the checkout."""
    monkeypatch.setenv("PHOTOMANAGER_DATA_DIR", str(tmp_path_factory.mktemp("data")))
