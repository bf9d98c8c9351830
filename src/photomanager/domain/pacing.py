"""Pacing policy: when may the next comment go out, and why not sooner.

Pure functions over the artist's settings, the current time and the times of
recent `sent` comments. Rules, all of which must hold:

- pacing: a random interval in [min_interval_s, max_interval_s] after the last post;
- hourly cap: at most `max_per_hour` posts in any rolling 60 minutes;
- daily cap: at most `max_per_day` posts in any rolling 24 hours (rolling rather
  than the calendar day, so a burst at 23:59 cannot be followed by another at 00:01);
- active hours: only inside the optional "HH:MM-HH:MM" window in `timezone`
  (a window whose end is before its start wraps midnight).

`plan_next_post` takes the sent times themselves (tests, small histories);
`plan_next_post_counted` asks a `SentLog` two indexed questions per cap (how
many posts are in the window, and when the one that must leave first was
sent), so a worker step costs O(log n), not a read of every post of the day.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from photomanager.domain.models import CommentSettings, LogStatus

HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)

REASON_READY = "ready"
REASON_PACING = "pacing"
REASON_HOURLY_CAP = "hourly cap"
REASON_DAILY_CAP = "daily cap"
REASON_OUTSIDE_HOURS = "outside active hours"

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class SentLog(Protocol):
    """The two questions the caps ask of the comment log (both on the sent_at index)."""

    def count_since(self, status: LogStatus, since: datetime) -> int: ...
    def nth_sent_time_since(self, since: datetime, n: int) -> datetime | None:
        """When the `n`-th (0-based, oldest first) comment sent at or after `since` went out."""
        ...


@dataclass(frozen=True, slots=True)
class ActiveWindow:
    """A daily window of local wall-clock time; `end < start` wraps midnight."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        """True when the local wall-clock time falls inside the window."""
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True, slots=True)
class PacingDecision:
    """The earliest time the next post is allowed, and the rule that decided it."""

    not_before: datetime
    reason: str

    def wait_seconds(self, now: datetime) -> float:
        """Seconds from `now` until the post is allowed (0 when it already is)."""
        return max(0.0, (self.not_before - now).total_seconds())


def parse_active_hours(text: str) -> ActiveWindow:
    """Parse "HH:MM-HH:MM"; raise ValueError with a readable message otherwise."""
    match = _WINDOW.match(text)
    if match is None:
        raise ValueError("active hours must look like 09:00-23:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    for hours, minutes in ((h1, m1), (h2, m2)):
        if not (0 <= hours <= 23 and 0 <= minutes <= 59):
            raise ValueError("active hours must use times between 00:00 and 23:59")
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise ValueError("active hours must not start and end at the same time")
    return ActiveWindow(start, end)


def load_timezone(name: str) -> ZoneInfo:
    """The named IANA time zone; ValueError when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def next_window_start(window: ActiveWindow, now: datetime, tz: ZoneInfo) -> datetime:
    """`now` when inside the window, else the next moment the window opens (UTC)."""
    local = now.astimezone(tz)
    if window.contains(local.time().replace(tzinfo=None)):
        return now
    candidate = datetime.combine(local.date(), window.start, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), window.start, tzinfo=tz)
    # A DST gap can make the wall-clock start not exist; normalising through UTC
    # moves it forward, which is still the first allowed moment.
    return candidate.astimezone(UTC)


def cap_free_at(sent_times: Iterable[datetime], cap: int, window: timedelta) -> datetime | None:
    """The earliest time when fewer than `cap` posts fall in the rolling `window`.

    None when the cap is not reached by the given history. A post at time s stops
    counting at s + window.
    """
    ordered = sorted(sent_times)
    if len(ordered) < cap:
        return None
    # Once the (n - cap + 1)-th most recent post leaves the window, cap - 1 remain.
    return ordered[len(ordered) - cap] + window


def draw_interval(settings: CommentSettings, rng: random.Random) -> float:
    """A random pause between two posts, in seconds."""
    low, high = sorted((settings.min_interval_s, settings.max_interval_s))
    return rng.uniform(low, high)


def counted_cap_free_at(
    log: SentLog, now: datetime, cap: int, window: timedelta
) -> datetime | None:
    """`cap_free_at` from two indexed queries instead of the whole history."""
    since = now - window
    count = log.count_since(LogStatus.SENT, since)
    if count < cap:
        return None
    leaving = log.nth_sent_time_since(since, count - cap)
    return None if leaving is None else leaving + window


def plan_next_post(
    settings: CommentSettings,
    now: datetime,
    sent_times: Iterable[datetime],
    *,
    last_post_at: datetime | None = None,
    rng: random.Random | None = None,
) -> PacingDecision:
    """When the next post may go out, given recent sent times (at least the last 24 h).

    With `last_post_at` and `rng`, a random pacing interval is drawn from it;
    without them, only the caps and the window are checked.
    """
    recent = [t for t in sent_times if t > now - DAY]
    hourly = cap_free_at((t for t in recent if t > now - HOUR), settings.max_per_hour, HOUR)
    daily = cap_free_at(recent, settings.max_per_day, DAY)
    return _decide(settings, now, hourly, daily, last_post_at, rng)


def plan_next_post_counted(
    settings: CommentSettings,
    now: datetime,
    log: SentLog,
    *,
    last_post_at: datetime | None = None,
    rng: random.Random | None = None,
) -> PacingDecision:
    """`plan_next_post`, asking the log for counts instead of reading every sent time."""
    hourly = counted_cap_free_at(log, now, settings.max_per_hour, HOUR)
    daily = counted_cap_free_at(log, now, settings.max_per_day, DAY)
    return _decide(settings, now, hourly, daily, last_post_at, rng)


def _decide(
    settings: CommentSettings,
    now: datetime,
    hourly: datetime | None,
    daily: datetime | None,
    last_post_at: datetime | None,
    rng: random.Random | None,
) -> PacingDecision:
    not_before, reason = now, REASON_READY
    if last_post_at is not None and rng is not None:
        paced = last_post_at + timedelta(seconds=draw_interval(settings, rng))
        if paced > not_before:
            not_before, reason = paced, REASON_PACING
    if hourly is not None and hourly > not_before:
        not_before, reason = hourly, REASON_HOURLY_CAP
    if daily is not None and daily > not_before:
        not_before, reason = daily, REASON_DAILY_CAP
    if settings.active_hours:
        window = parse_active_hours(settings.active_hours)
        opens = next_window_start(window, not_before, load_timezone(settings.timezone))
        if opens > not_before:
            # Later only means fewer posts in every rolling window: the caps still hold.
            not_before, reason = opens, REASON_OUTSIDE_HOURS
    return PacingDecision(not_before=not_before, reason=reason)
