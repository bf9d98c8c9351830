"""Pacing policy (pure): intervals, rolling caps, the active-hours window."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photomanager.domain import pacing
from photomanager.domain.models import CommentSettings

NOW = datetime(2025, 6, 2, 10, 0, 0, tzinfo=UTC)
LOOSE = CommentSettings(min_interval_s=10, max_interval_s=20, max_per_hour=1000, max_per_day=10_000)


class TestPacingInterval:
    def test_nothing_sent_means_ready_now(self) -> None:
        """Without history or a last post, the next post may go out at once."""
        decision = pacing.plan_next_post(LOOSE, NOW, [])
        assert (decision.not_before, decision.reason) == (NOW, pacing.REASON_READY)

    def test_the_interval_is_drawn_within_the_range(self) -> None:
        """After a post, the next one waits between min and max interval."""
        rng = random.Random(1)
        for _ in range(50):
            decision = pacing.plan_next_post(LOOSE, NOW, [NOW], last_post_at=NOW, rng=rng)
            assert decision.reason == pacing.REASON_PACING
            assert 10 <= decision.wait_seconds(NOW) <= 20


class TestCaps:
    def test_the_hourly_cap_waits_for_the_oldest_post_to_leave_the_hour(self) -> None:
        """3 posts in the last hour with a cap of 3: wait until the first is an hour old."""
        rules = CommentSettings(max_per_hour=3, max_per_day=100)
        sent = [NOW - timedelta(minutes=m) for m in (50, 30, 10)]
        decision = pacing.plan_next_post(rules, NOW, sent)
        assert decision.reason == pacing.REASON_HOURLY_CAP
        assert decision.not_before == NOW + timedelta(minutes=10)

    def test_the_daily_cap_is_a_rolling_24_hours(self) -> None:
        """The daily cap counts the last 24 hours, not the calendar day."""
        rules = CommentSettings(max_per_hour=100, max_per_day=2)
        sent = [NOW - timedelta(hours=20), NOW - timedelta(hours=11)]  # one "yesterday"
        decision = pacing.plan_next_post(rules, NOW, sent)
        assert decision.reason == pacing.REASON_DAILY_CAP
        assert decision.not_before == NOW + timedelta(hours=4)

    @settings(max_examples=60, deadline=None)
    @given(
        cap=st.integers(1, 6),
        low=st.integers(1, 900),
        spread=st.integers(0, 900),
        seed=st.integers(0, 10_000),
    )
    def test_a_greedy_poster_never_exceeds_the_hourly_cap(
        self, cap: int, low: int, spread: int, seed: int
    ) -> None:
        """Posting at every allowed moment keeps every rolling hour within the cap."""
        rules = CommentSettings(
            min_interval_s=low, max_interval_s=low + spread, max_per_hour=cap, max_per_day=10_000
        )
        rng = random.Random(seed)
        now, sent = NOW, []
        for _ in range(40):
            last = sent[-1] if sent else None
            now = pacing.plan_next_post(rules, now, sent, last_post_at=last, rng=rng).not_before
            sent.append(now)
        for t in sent:
            assert sum(t <= s < t + pacing.HOUR for s in sent) <= cap


class TestActiveHours:
    def test_inside_the_window_nothing_changes(self) -> None:
        """At 10:00 in a 09:00-23:00 window the post may go now."""
        rules = CommentSettings(active_hours="09:00-23:00")
        assert pacing.plan_next_post(rules, NOW, []).not_before == NOW

    def test_outside_the_window_waits_for_the_next_opening(self) -> None:
        """At 10:00 with a 12:30-13:00 window, wait until 12:30 the same day."""
        rules = CommentSettings(active_hours="12:30-13:00")
        decision = pacing.plan_next_post(rules, NOW, [])
        assert decision.reason == pacing.REASON_OUTSIDE_HOURS
        assert decision.not_before == NOW.replace(hour=12, minute=30)

    def test_after_the_window_waits_until_tomorrow(self) -> None:
        """At 10:00 with a 06:00-08:00 window, wait until 06:00 the next day."""
        rules = CommentSettings(active_hours="06:00-08:00")
        decision = pacing.plan_next_post(rules, NOW, [])
        assert decision.not_before == (NOW + timedelta(days=1)).replace(hour=6)

    @pytest.mark.parametrize(
        ("hour", "inside"), [(23, True), (1, True), (2, False), (12, False), (22, True)]
    )
    def test_a_window_may_wrap_midnight(self, hour: int, inside: bool) -> None:
        """22:00-02:00 covers late evening and early morning."""
        rules = CommentSettings(active_hours="22:00-02:00")
        now = NOW.replace(hour=hour)
        assert (pacing.plan_next_post(rules, now, []).not_before == now) is inside

    def test_the_window_is_read_in_the_artists_time_zone(self) -> None:
        """13:00-14:00 in Berlin (summer, UTC+2) opens at 11:00 UTC."""
        rules = CommentSettings(active_hours="13:00-14:00", timezone="Europe/Berlin")
        decision = pacing.plan_next_post(rules, NOW, [])
        assert decision.not_before == NOW.replace(hour=11)
        assert decision.not_before.astimezone(ZoneInfo("Europe/Berlin")).hour == 13

    @pytest.mark.parametrize("text", ["9-17", "25:00-10:00", "10:00-10:00", "10:61-11:00", ""])
    def test_malformed_windows_are_refused(self, text: str) -> None:
        """Only HH:MM-HH:MM with real, distinct times is a window."""
        with pytest.raises(ValueError, match="active hours"):
            pacing.parse_active_hours(text)

    def test_an_unknown_time_zone_is_refused(self) -> None:
        """A zone name zoneinfo does not know raises ValueError."""
        with pytest.raises(ValueError, match="time zone"):
            pacing.load_timezone("Mars/Olympus_Mons")
