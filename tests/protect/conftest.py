"""Fixtures for the account-protection tests: the services over the sandbox, a fake clock."""

from __future__ import annotations

import pytest

from photomanager.sandbox import ManualClock, Sandbox


@pytest.fixture
def fake_da(clock: ManualClock) -> Sandbox:
    """A small seeded fake DeviantArt on the fake clock."""
    return Sandbox.seeded(seed=5, deviations=60, clock=clock)
