"""Rates with a 95% Wilson interval, and ISO weeks."""

from __future__ import annotations

import pytest

from photomanager.domain.outcomes import iso_week, wilson


class TestWilson:
    def test_two_of_three_is_not_sixty_seven_percent_for_sure(self) -> None:
        """2/3: the rate is 0.67, the interval wide (about 0.21 to 0.94)."""
        rate = wilson(2, 3)

        assert rate.value == pytest.approx(2 / 3)
        assert rate.low == pytest.approx(0.2077, abs=1e-3)
        assert rate.high == pytest.approx(0.9385, abs=1e-3)

    def test_more_comments_narrow_the_interval(self) -> None:
        """200/300: the same rate, a far narrower interval."""
        few, many = wilson(2, 3), wilson(200, 300)

        assert many.high - many.low < (few.high or 0) - (few.low or 0)  # type: ignore[operator]
        assert many.low == pytest.approx(0.6119, abs=1e-3)

    def test_the_edges_stay_inside_zero_and_one(self) -> None:
        """0/n and n/n: the interval touches 0 or 1 and never leaves [0, 1]."""
        none, every = wilson(0, 10), wilson(10, 10)

        assert none.low == 0.0
        assert 0 < (none.high or 0) < 0.35
        assert every.high == 1.0
        assert 0.65 < (every.low or 0) < 1

    def test_no_comments_no_rate(self) -> None:
        """0 trials: no rate and no interval (null in the API), not a division by zero."""
        rate = wilson(0, 0)

        assert (rate.value, rate.low, rate.high) == (None, None, None)


class TestWeeks:
    def test_iso_weeks_cross_the_year(self) -> None:
        """2026-12-31 is in 2026-W53; 2027-01-04 starts 2027-W01."""
        assert iso_week("2026-12-31") == "2026-W53"
        assert iso_week("2027-01-04") == "2027-W01"
