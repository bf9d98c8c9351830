"""Outcome figures: what the comments earned, per template, source or ISO week.

Read only. The figures come from the daily buckets the writes keep (a sent
comment, a credit: see `storage/repositories/outcome_counts.py`), so they cost
the same at a thousand comments as at a million. `since`/`until` select the
UTC days the comments were sent on (whole days: a bucket is a day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from photomanager.domain.clock import Clock
from photomanager.domain.errors import InvalidInput
from photomanager.domain.inbox import InboxPollState
from photomanager.domain.outcomes import (
    OutcomeBucket,
    OutcomeCounts,
    OutcomeGroup,
    OutcomeGrouping,
    iso_week,
)
from photomanager.services.ports import UnitOfWorkFactory

NO_TEMPLATE = "(no template)"
# What the storage sums per: weeks are made of days here.
_STORED_KEY = {
    OutcomeGrouping.TEMPLATE: "template",
    OutcomeGrouping.SOURCE: "source",
    OutcomeGrouping.WEEK: "day",
}
NO_SOURCE = "(unknown source)"


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    group_by: OutcomeGrouping
    attribution_days: int
    groups: list[OutcomeGroup]
    totals: OutcomeGroup
    last_poll: InboxPollState
    since: datetime | None
    until: datetime | None

    def clearly_lower(self, group: OutcomeGroup) -> bool:
        """True when the group's reply-rate interval lies wholly below another group's."""
        high = group.reply_rate.high
        if high is None:
            return False
        return any(
            other.key != group.key and (other.reply_rate.low or 0.0) > high for other in self.groups
        )


def parse_grouping(value: str | None) -> OutcomeGrouping:
    """`template` (the default), `source` or `week`."""
    if value is None:
        return OutcomeGrouping.TEMPLATE
    try:
        return OutcomeGrouping(value)
    except ValueError:
        raise InvalidInput(
            "group_by must be template, source or week", details={"group_by": value[:40]}
        ) from None


class OutcomeService:
    """The outcome table, totals, and when the inbox was last read."""

    def __init__(self, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def figures(
        self,
        group_by: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> OutcomeReport:
        """Counts and rates (with 95% Wilson intervals) per group, and the totals."""
        grouping = parse_grouping(group_by)
        since, until = _utc(since), _utc(until)
        if since is not None and until is not None and since > until:
            raise InvalidInput("since is after until", details={"since": "must be before until"})
        with self._uow_factory(read_only=True) as uow:
            buckets = uow.outcomes.list_buckets(since, until, by=_STORED_KEY[grouping])
            titles = {t.message_id: t.title for t in uow.messages.list_all()}
            days = uow.settings.get().attribution_days
            poll = uow.inbox.get_poll()
        groups = _group(buckets, grouping, titles)
        total = sum((g.counts for g in groups), OutcomeCounts())
        return OutcomeReport(
            group_by=grouping,
            attribution_days=days,
            groups=groups,
            totals=OutcomeGroup(key="total", label="All comments", counts=total),
            last_poll=poll,
            since=since,
            until=until,
        )


def _group(
    buckets: Iterable[OutcomeBucket], grouping: OutcomeGrouping, titles: dict[int, str]
) -> list[OutcomeGroup]:
    sums: dict[str, OutcomeCounts] = defaultdict(OutcomeCounts)
    labels: dict[str, str] = {}
    for bucket in buckets:
        key, label = _key(bucket, grouping, titles)
        sums[key] = sums[key] + bucket.counts
        labels[key] = label
    order = sorted(sums) if grouping is OutcomeGrouping.WEEK else sorted(sums, key=_natural)
    return [OutcomeGroup(key=key, label=labels[key], counts=sums[key]) for key in order]


def _key(
    bucket: OutcomeBucket, grouping: OutcomeGrouping, titles: dict[int, str]
) -> tuple[str, str]:
    if grouping is OutcomeGrouping.WEEK:
        week = iso_week(bucket.day)
        return week, week
    if grouping is OutcomeGrouping.SOURCE:
        return (bucket.source or "", bucket.source or NO_SOURCE)
    if bucket.message_id is None:
        return "", NO_TEMPLATE
    title = titles.get(bucket.message_id, f"(deleted template #{bucket.message_id})")
    return str(bucket.message_id), title


def _natural(key: str) -> tuple[int, int | str]:
    """Template ids in number order, text keys after them."""
    return (0, int(key)) if key.isdigit() else (1, key)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
