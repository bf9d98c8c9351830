"""What the comments earned, in figures: counts per group and rates with a 95% interval.

A rate of 2 replies out of 3 comments is not "67%": the Wilson score
interval (95%, z = 1.96) says how sure that figure is, so a template with
a handful of comments never reads as the best one.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date

Z_95 = 1.959963984540054


class OutcomeGrouping(enum.StrEnum):
    TEMPLATE = "template"
    SOURCE = "source"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class Rate:
    """A proportion with its Wilson 95% interval; all None when nothing was counted."""

    value: float | None
    low: float | None
    high: float | None


def wilson(successes: int, trials: int, z: float = Z_95) -> Rate:
    """The proportion `successes / trials` with its Wilson score interval."""
    if trials <= 0:
        return Rate(None, None, None)
    successes = min(max(successes, 0), trials)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # At 0 or n successes the bound is exactly 0 or 1 (not 0.9999999999999999).
    low = 0.0 if successes == 0 else max(0.0, centre - spread)
    high = 1.0 if successes == trials else min(1.0, centre + spread)
    return Rate(p, low, high)


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    """Comments sent in a group and what they earned."""

    comments: int = 0
    replies: int = 0
    watch_backs: int = 0
    fave_backs: int = 0
    comment_backs: int = 0

    def __add__(self, other: OutcomeCounts) -> OutcomeCounts:
        return OutcomeCounts(
            self.comments + other.comments,
            self.replies + other.replies,
            self.watch_backs + other.watch_backs,
            self.fave_backs + other.fave_backs,
            self.comment_backs + other.comment_backs,
        )


@dataclass(frozen=True, slots=True)
class OutcomeBucket:
    """One stored bucket: a day, a template and a source (see the storage rollup)."""

    day: str  # YYYY-MM-DD, UTC, the day the comments were sent
    message_id: int | None
    source: str | None
    counts: OutcomeCounts


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    key: str
    label: str
    counts: OutcomeCounts

    @property
    def reply_rate(self) -> Rate:
        return wilson(self.counts.replies, self.counts.comments)

    @property
    def watch_back_rate(self) -> Rate:
        return wilson(self.counts.watch_backs, self.counts.comments)

    @property
    def fave_back_rate(self) -> Rate:
        return wilson(self.counts.fave_backs, self.counts.comments)

    @property
    def comment_back_rate(self) -> Rate:
        return wilson(self.counts.comment_backs, self.counts.comments)


def iso_week(day: str) -> str:
    """`2026-W05` for a `YYYY-MM-DD` day."""
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"
