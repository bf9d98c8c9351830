"""Parsing of the `Retry-After` header (RFC 9110 section 10.2.3)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# RFC 9110 allows only digits; a decimal part is tolerated because being lenient
# here can only make us wait, never hurry. A sign makes the value garbage.
_DELTA_SECONDS = re.compile(r"\d+(?:\.\d+)?")
# Anything longer is not a header value we are willing to interpret.
_MAX_LENGTH = 64


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from `now`, or None when `value` is missing or unusable.

    Accepts delta seconds (`"120"`, surrounding whitespace allowed) and an
    HTTP-date, measured against `now` (a date in the past means 0). Negative
    numbers and garbage give None, so the caller falls back to its backoff.
    The result is not capped: capping is the caller's policy.
    """
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > _MAX_LENGTH:
        return None
    if _DELTA_SECONDS.fullmatch(text):
        seconds = float(text)
        return seconds if seconds != float("inf") else None
    if text[0].isdigit() or text[0] in "+-":
        return None  # "-5", "1e3", "12abc": a malformed number, not a date
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        # "-0000" yields a naive datetime; HTTP-dates are always GMT.
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
