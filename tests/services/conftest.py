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
from services.service_harness import START, Harness, build_harness


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
def clock() -> ManualClock:
    """The fake clock shared by the sandbox and the services."""
    return ManualClock(START)


@pytest.fixture
def fake_da(clock: ManualClock) -> Sandbox:
    """A small seeded fake DeviantArt on the fake clock."""
    return Sandbox.seeded(seed=3, deviations=400, clock=clock)


@pytest.fixture
def harness(
    fake_da: Sandbox, clock: ManualClock, uow_factory: UnitOfWorkFactory
) -> Iterator[Harness]:
    """Services over the sandbox and a real migrated database (SQLite; PostgreSQL if marked)."""
    built = build_harness(fake_da, clock, uow_factory)
    try:
        yield built
    finally:
        built.stop.set()
        built.runs.stop_all(timeout=5)
        built.http.close()
