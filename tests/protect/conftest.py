"""Fixtures for the account-protection tests: the services over the sandbox, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from photomanager.sandbox import ManualClock, Sandbox
from photomanager.services.ports import UnitOfWorkFactory
from services.service_harness import START, Harness, build_harness


@pytest.fixture
def clock() -> ManualClock:
    """The fake clock shared by the sandbox and the services."""
    return ManualClock(START)


@pytest.fixture
def fake_da(clock: ManualClock) -> Sandbox:
    """A small seeded fake DeviantArt on the fake clock."""
    return Sandbox.seeded(seed=5, deviations=60, clock=clock)


@pytest.fixture
def harness(
    fake_da: Sandbox, clock: ManualClock, uow_factory: UnitOfWorkFactory
) -> Iterator[Harness]:
    """Services over the sandbox and a real migrated database (SQLite and PostgreSQL)."""
    built = build_harness(fake_da, clock, uow_factory)
    try:
        yield built
    finally:
        built.stop.set()
        built.runs.stop_all(timeout=5)
        built.http.close()
