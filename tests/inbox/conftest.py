"""Fixtures of the inbox tests: the fake clock, two hours after the comments were sent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inbox.inbox_doubles import START
from photomanager.sandbox import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """Two hours after START, when the doubles' comments were sent."""
    return ManualClock(START + timedelta(hours=2))
