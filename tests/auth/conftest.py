"""Fixtures of the auth tests: a manual clock, the fake OAuth, an AuthSession on SQLite."""

from __future__ import annotations

import pytest

from auth.fakes import FakeOAuth, FakeWhoAmI
from photomanager.sandbox.world.clock import ManualClock
from photomanager.services.account.session import AuthSession
from photomanager.services.ports import UnitOfWorkFactory


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def oauth(clock: ManualClock) -> FakeOAuth:
    return FakeOAuth(clock)


@pytest.fixture
def uow_factory(memory_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """Session tests run on in-memory SQLite only; the concurrency test covers both backends."""
    return memory_uow_factory


@pytest.fixture
def whoami() -> FakeWhoAmI:
    return FakeWhoAmI()


@pytest.fixture
def registered() -> list[str]:
    """Every value the session handed to the redacting filter."""
    return []


@pytest.fixture
def session(
    oauth: FakeOAuth,
    uow_factory: UnitOfWorkFactory,
    clock: ManualClock,
    whoami: FakeWhoAmI,
    registered: list[str],
) -> AuthSession:
    return AuthSession(
        oauth=oauth,
        uow_factory=uow_factory,
        clock=clock,
        whoami=whoami,
        register_secret=registered.append,
    )
