"""Fixtures for the service tests: the sandbox, a fake clock and the wired services."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from photomanager.sandbox import ManualClock, Sandbox
from photomanager.services.ports import UnitOfWorkFactory
from photomanager.storage.engine import create_engine_for
from photomanager.storage.unit_of_work import sql_unit_of_work_factory


@pytest.fixture
def sqlite_uow_factory(sqlite_template: Path, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """Units of work on a fresh migrated SQLite file (for tests where the backend is moot)."""
    path = tmp_path / "services.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        yield sql_unit_of_work_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def fake_da(clock: ManualClock) -> Sandbox:
    """A small seeded fake DeviantArt on the fake clock."""
    return Sandbox.seeded(seed=3, deviations=400, clock=clock)
