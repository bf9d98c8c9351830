"""Helpers for the storage tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from photomanager.storage.unit_of_work import SqlUnitOfWork


@pytest.fixture
def uow(uow_factory: Callable[[], SqlUnitOfWork]) -> Iterator[SqlUnitOfWork]:
    """One open unit of work on the per-test database (both backends)."""
    with uow_factory() as unit:
        yield unit
