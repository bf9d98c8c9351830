"""`parse_retry_after`: both RFC forms, whitespace, garbage, and the frozen clock."""

from __future__ import annotations

import pytest

from deviantart.da_doubles import FROZEN_NOW
from photomanager.deviantart.retry_after import parse_retry_after


class TestParseRetryAfter:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("120", 120.0),
            ("0", 0.0),
            (" 42 ", 42.0),
            ("\t7\r\n", 7.0),
            ("2.5", 2.5),
            ("3600", 3600.0),  # above the client's cap: the parser does not cap
            ("Wed, 01 May 2024 12:01:30 GMT", 90.0),  # future HTTP-date
            ("  Wed, 01 May 2024 12:00:10 GMT ", 10.0),
            ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # past HTTP-date: retry now
            ("Wednesday, 01-May-24 12:00:05 GMT", 5.0),  # obsolete RFC 850 form
            ("Wed May  1 12:00:20 2024", 20.0),  # obsolete asctime form
            ("-5", None),
            ("-0", None),
            ("+5", None),
            ("1e3", None),
            ("12abc", None),
            ("soon", None),
            ("", None),
            ("   ", None),
            (None, None),
            ("9" * 100, None),
        ],
    )
    def test_value_gives_exact_seconds(self, value: str | None, expected: float | None) -> None:
        """Each Retry-After form maps to the exact seconds from the frozen now, or None."""
        assert parse_retry_after(value, FROZEN_NOW) == expected
