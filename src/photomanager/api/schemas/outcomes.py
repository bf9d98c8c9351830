"""Outcomes: what the comments earned, per template, source or ISO week."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from photomanager.api.schemas.common import PublicModel
from photomanager.domain.inbox import InboxPollState
from photomanager.domain.outcomes import OutcomeGroup
from photomanager.services.inbox.overview import InboxOverview, RefreshStarted
from photomanager.services.outcomes.figures import OutcomeReport


class OutcomeGroupPublic(PublicModel):
    """Counts and rates of one group; each rate with its 95% Wilson interval (null when
    the group has no comment)."""

    key: str = Field(description="Template id, source or ISO week ('' when unknown).")
    label: str = Field(description="The template's title, the source, or the ISO week.")
    comments: int
    replies: int
    watch_backs: int
    fave_backs: int
    comment_backs: int
    reply_rate: float | None
    reply_rate_low: float | None
    reply_rate_high: float | None
    watch_back_rate: float | None
    watch_back_rate_low: float | None
    watch_back_rate_high: float | None
    fave_back_rate: float | None
    fave_back_rate_low: float | None
    fave_back_rate_high: float | None
    comment_back_rate: float | None
    comment_back_rate_low: float | None
    comment_back_rate_high: float | None
    clearly_lower: bool = Field(
        default=False,
        description="The reply-rate interval lies wholly below another group's.",
    )


class LastPollPublic(PublicModel):
    """The last read of DeviantArt's message center (by any process)."""

    started_at: datetime | None
    finished_at: datetime | None
    found: int
    new: int
    credited: int
    error: str | None
    requested_at: datetime | None = Field(description="A refresh asked for and not yet begun.")
    catching_up: bool = Field(description="Older messages are still being read, page by page.")
    reconnect_to_read_replies: bool = Field(
        description="The connection lacks DeviantArt's message scope: reconnect to read replies."
    )
    poll_minutes: int = Field(description="inbox_poll_minutes in force (0: never).")


class OutcomesPublic(PublicModel):
    group_by: str
    attribution_days: int
    since: datetime | None
    until: datetime | None
    groups: list[OutcomeGroupPublic]
    totals: OutcomeGroupPublic
    last_poll: LastPollPublic


class RefreshPublic(PublicModel):
    """A refresh asked for: who runs it, and the last poll so far."""

    requested_at: datetime
    by: str = Field(description="worker (the running worker's next wait) or background.")
    last_poll: LastPollPublic


def group_public(group: OutcomeGroup, *, clearly_lower: bool = False) -> OutcomeGroupPublic:
    counts = group.counts
    rates = {
        "reply_rate": group.reply_rate,
        "watch_back_rate": group.watch_back_rate,
        "fave_back_rate": group.fave_back_rate,
        "comment_back_rate": group.comment_back_rate,
    }
    values: dict[str, float | None] = {}
    for name, rate in rates.items():
        values[name] = rate.value
        values[f"{name}_low"] = rate.low
        values[f"{name}_high"] = rate.high
    return OutcomeGroupPublic(
        key=group.key,
        label=group.label,
        comments=counts.comments,
        replies=counts.replies,
        watch_backs=counts.watch_backs,
        fave_backs=counts.fave_backs,
        comment_backs=counts.comment_backs,
        clearly_lower=clearly_lower,
        **values,
    )


def last_poll_public(poll: InboxPollState, overview: InboxOverview) -> LastPollPublic:
    return LastPollPublic(
        started_at=poll.started_at,
        finished_at=poll.finished_at,
        found=poll.found,
        new=poll.new,
        credited=poll.credited,
        error=poll.error,
        requested_at=poll.requested_at,
        catching_up=poll.cursor is not None,
        reconnect_to_read_replies=overview.reconnect_to_read_replies,
        poll_minutes=overview.poll_minutes,
    )


def outcomes_public(report: OutcomeReport, overview: InboxOverview) -> OutcomesPublic:
    return OutcomesPublic(
        group_by=report.group_by.value,
        attribution_days=report.attribution_days,
        since=report.since,
        until=report.until,
        groups=[group_public(g, clearly_lower=report.clearly_lower(g)) for g in report.groups],
        totals=group_public(report.totals),
        last_poll=last_poll_public(report.last_poll, overview),
    )


def refresh_public(started: RefreshStarted, overview: InboxOverview) -> RefreshPublic:
    return RefreshPublic(
        requested_at=started.requested_at,
        by=started.by,
        last_poll=last_poll_public(overview.last_poll, overview),
    )
