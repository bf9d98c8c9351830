"""Schema of the status report (what the overview shows, polled every few seconds)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from photomanager.api.schemas.collect import CollectRunPublic
from photomanager.api.schemas.common import PublicModel
from photomanager.api.schemas.outcomes import LastPollPublic
from photomanager.api.schemas.worker import WorkerPublic


class ProcessedPublic(PublicModel):
    """Comments sent and failed in the rolling last 24 hours and 60 minutes."""

    sent_today: int
    failed_today: int
    sent_this_hour: int
    failed_this_hour: int


class WorkerStatusPublic(WorkerPublic):
    """The worker's control row, plus whether a worker process is alive."""

    alive: bool = Field(description="A worker heartbeat was seen in the last seconds.")


class CapsPublic(PublicModel):
    """The limits in force and the room left under them."""

    min_interval_s: int
    max_interval_s: int
    max_per_hour: int
    max_per_day: int
    active_hours: str | None
    timezone: str
    remaining_this_hour: int
    remaining_today: int
    next_allowed_at: datetime
    next_allowed_reason: str


class AccountPublic(PublicModel):
    """The connected DeviantArt account, if any (never a token)."""

    connected: bool
    client_configured: bool
    username: str | None
    reauth_required: bool


class HousekeepingPublic(PublicModel):
    """The last housekeeping pass (by any process): when, and what it removed."""

    ran_at: datetime
    trigger: str = Field(description="Who ran it: worker (hourly), cli or api (on demand).")
    removed: dict[str, int] = Field(description="Queue rows removed per status.")
    logs_removed: int = Field(description="Log entries removed (older than the retention).")
    complete: bool = Field(description="False when it stopped early; the next pass goes on.")


class WaitPublic(PublicModel):
    """A wait every process obeys: DeviantArt's (a rate limit, its network's block) or ours."""

    scope: str = Field(description="user, client, edge, post, or gone:<path>.")
    until: datetime
    reason: str = Field(description="In plain words, with when it ends.")


class InboxStatusPublic(PublicModel):
    """The inbox at a glance: whether it can be read, unread replies, the last poll."""

    reconnect_to_read_replies: bool = Field(
        description="True while the connection lacks DeviantArt's message scope: the page "
        "and the CLI say 'reconnect to read replies'; posting goes on meanwhile."
    )
    unread: int
    last_poll: LastPollPublic


class StatusPublic(PublicModel):
    """Everything the overview shows, in one cheap call."""

    counts: dict[str, int] = Field(description="Queue rows per status (every status present).")
    processed: ProcessedPublic
    worker: WorkerStatusPublic
    collect_runs: list[CollectRunPublic]
    account: AccountPublic
    caps: CapsPublic
    skipped_by_reason: dict[str, int] = Field(
        default_factory=dict,
        description="Skipped queue rows per reason kind (author_cooldown, author_limit, "
        "dry_run, skipped_in_review, ...); only kinds with rows appear.",
    )
    housekeeping: HousekeepingPublic | None = Field(
        default=None, description="The last housekeeping pass; null until one ran."
    )
    waits: list[WaitPublic] = Field(
        default_factory=list,
        description="Waits in force for every worker and collector (empty when none).",
    )
    inbox: InboxStatusPublic | None = Field(default=None, description="The inbox and its poll.")
    sandbox: bool = Field(description="True in demo mode: DeviantArt is the sandbox.")
    now: datetime = Field(description="The server's clock, for countdowns.")
