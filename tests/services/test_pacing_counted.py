"""Pacing from two indexed questions per cap: the same answers as reading every sent time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from photomanager.domain import pacing
from photomanager.domain.models import CommentSettings, LogStatus
from photomanager.services.ports import UnitOfWorkFactory

NOW = datetime(2025, 6, 2, 10, 0, 0, tzinfo=UTC)


def log_history(uow_factory: UnitOfWorkFactory, minutes_ago: list[float]) -> list[datetime]:
    """Write one `sent` entry per age (plus failed noise); the sent times."""
    times = [NOW - timedelta(minutes=m) for m in minutes_ago]
    with uow_factory() as uow:
        for n, at in enumerate(times):
            uow.logs.append(deviationid=f"D{n}", status=LogStatus.SENT, now=at)
            uow.logs.append(deviationid=f"F{n}", status=LogStatus.FAILED, now=at)
        uow.commit()
    return times


class TestNthSentTime:
    def test_counts_from_the_oldest_sent_entry_in_the_window(
        self, sqlite_uow_factory: UnitOfWorkFactory
    ) -> None:
        """The n-th sent time since a moment, oldest first, ignoring failed entries."""
        times = log_history(sqlite_uow_factory, [300, 50, 30, 10])
        with sqlite_uow_factory(read_only=True) as uow:
            since = NOW - timedelta(hours=1)
            found = [uow.logs.nth_sent_time_since(since, n) for n in range(4)]

        assert found == [times[1], times[2], times[3], None]


class TestCountedCaps:
    def test_hourly_cap_waits_for_the_oldest_post_to_leave(
        self, sqlite_uow_factory: UnitOfWorkFactory
    ) -> None:
        """3 posts in the hour with a cap of 3: wait until the oldest is an hour old."""
        log_history(sqlite_uow_factory, [50, 30, 10])
        rules = CommentSettings(max_per_hour=3, max_per_day=100)
        with sqlite_uow_factory(read_only=True) as uow:
            decision = pacing.plan_next_post_counted(rules, NOW, uow.logs)

        assert decision.reason == pacing.REASON_HOURLY_CAP
        assert decision.not_before == NOW + timedelta(minutes=10)

    @pytest.mark.parametrize("seed", range(8))
    def test_agrees_with_the_full_history(
        self, sqlite_uow_factory: UnitOfWorkFactory, seed: int
    ) -> None:
        """For random histories and caps, counted and full pacing decide the same."""
        rng = random.Random(seed)
        ages = [rng.uniform(0.5, 30 * 60) for _ in range(rng.randint(0, 60))]
        times = log_history(sqlite_uow_factory, ages)
        rules = CommentSettings(max_per_hour=rng.randint(1, 8), max_per_day=rng.randint(1, 60))
        with sqlite_uow_factory(read_only=True) as uow:
            counted = pacing.plan_next_post_counted(rules, NOW, uow.logs)
        full = pacing.plan_next_post(rules, NOW, times)

        assert (counted.not_before, counted.reason) == (full.not_before, full.reason)
