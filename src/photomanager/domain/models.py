"""The vocabulary of Auto Comments: plain dataclasses and enums, no I/O."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import ClassVar

# A DeviantArt tag as the artist may follow or filter it: lower case letters (of any
# script: DeviantArt has tags such as `акварель` and `插画`), digits, "_".
TAG_PATTERN = re.compile(r"\w{1,50}")
TAG_RULE = "lower case letters, digits and underscores only, at most 50 characters"


def is_tag(text: str) -> bool:
    """True when `text` is a DeviantArt tag name (see `TAG_RULE`)."""
    return TAG_PATTERN.fullmatch(text) is not None and text == text.lower()


def not_a_tag(text: str) -> str:
    """Why `text` is refused as a tag, with the spelling that would be taken if there is one."""
    fixed = "_".join(text.strip().lower().split())
    hint = f" (try {fixed!r})" if fixed != text and is_tag(fixed) else ""
    return f"{text[:60]!r}{hint} is not a DeviantArt tag: {TAG_RULE}"


class SourceKind(enum.StrEnum):
    """The kinds of feed: the two fixed feeds, and the tag feeds the artist picks."""

    WATCH_FEED = "watch_feed"
    GLOBAL_FEED = "global_feed"
    TAGS = "tags"


class Source(str):
    """Where a deviation was found: "watch_feed", "global_feed" or "tag:NAME".

    A string (it is stored and shown as one) that only takes those values; a
    tag feed is a source of its own, with its own feed state and collect runs.
    """

    TAG_PREFIX: ClassVar[str] = "tag:"
    WATCH_FEED: ClassVar[Source]
    GLOBAL_FEED: ClassVar[Source]

    __slots__ = ()

    def __new__(cls, value: str) -> Source:
        if isinstance(value, Source):
            return value
        if not isinstance(value, str):
            raise ValueError(f"not a source: {value!r}")
        fixed = _FIXED.get(value)
        if fixed is not None:
            return fixed  # one instance each, so `is` works as it did for the enum
        if value in (SourceKind.WATCH_FEED.value, SourceKind.GLOBAL_FEED.value):
            return super().__new__(cls, value)
        if value.startswith(cls.TAG_PREFIX) and is_tag(value[len(cls.TAG_PREFIX) :]):
            return super().__new__(cls, value)
        raise ValueError(
            f"unknown source {value[:80]!r}; expected watch_feed, global_feed or tag:NAME"
        )

    @classmethod
    def tag(cls, name: str) -> Source:
        """The source of the tag feed `name` (ValueError unless `name` is a tag)."""
        return cls(cls.TAG_PREFIX + name)

    @property
    def value(self) -> str:
        """The plain string (as an enum member would answer)."""
        return str.__str__(self)

    @property
    def tag_name(self) -> str | None:
        """The tag of a tag feed; None for the fixed feeds."""
        return self[len(self.TAG_PREFIX) :] if self.startswith(self.TAG_PREFIX) else None

    @property
    def kind(self) -> SourceKind:
        """Which kind of feed this is (review mode is set per kind)."""
        return SourceKind.TAGS if self.tag_name is not None else SourceKind(self.value)

    def __repr__(self) -> str:
        return f"Source({self.value!r})"


_FIXED: dict[str, Source] = {}
Source.WATCH_FEED = _FIXED["watch_feed"] = Source("watch_feed")
Source.GLOBAL_FEED = _FIXED["global_feed"] = Source("global_feed")
FIXED_SOURCES = (Source.WATCH_FEED, Source.GLOBAL_FEED)


class QueueStatus(enum.StrEnum):
    """States of a queued deviation (see docs/architecture.md, "The queue's state machine")."""

    PENDING = "pending"
    SENDING = "sending"
    UNKNOWN = "unknown"
    COMMENTED = "commented"
    FAILED = "failed"
    AWAITING_REVIEW = "awaiting_review"
    SKIPPED = "skipped"


class LogStatus(enum.StrEnum):
    """Outcome of one attempt, as written to the comment log."""

    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    DRY_RUN = "dry_run"
    SKIPPED = "skipped"


class TokenKind(enum.StrEnum):
    """Which token a DeviantArt endpoint needs."""

    USER = "user"
    CLIENT = "client"  # client credentials are enough (public endpoints)


@dataclass(frozen=True, slots=True)
class Author:
    userid: str
    username: str


@dataclass(frozen=True, slots=True)
class Deviation:
    """A deviation as seen in a DeviantArt feed. Every string is untrusted text."""

    deviationid: str
    title: str
    url: str
    author: Author
    published_time: datetime | None
    is_mature: bool = False
    allows_comments: bool = True
    is_deleted: bool = False
    tags: tuple[str, ...] = ()
    # From `deviation/metadata` (browse results carry neither): plain text, bounded.
    description: str = ""
    can_post_comment: bool | None = None  # None: not known (metadata not read)
    enriched: bool = False  # tags, description and can_post_comment come from metadata
    thumbnail_url: str | None = None  # on an allowed image host only (domain/images.py)


@dataclass(frozen=True, slots=True)
class DeviationMetadata:
    """What `deviation/metadata` says of one deviation. Every string is untrusted text."""

    deviationid: str
    tags: tuple[str, ...]
    description: str  # HTML turned into plain text, bounded
    can_post_comment: bool
    allows_comments: bool = True
    is_mature: bool = False


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of an offset-paginated DeviantArt feed."""

    results: tuple[Deviation, ...]
    has_more: bool
    next_offset: int | None


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment as DeviantArt returns it."""

    commentid: str
    body: str
    posted: datetime
    author: Author
    parentid: str | None = None
    hidden: str | None = None


@dataclass(frozen=True, slots=True)
class CommentPage:
    thread: tuple[Comment, ...]
    has_more: bool
    next_offset: int | None


@dataclass(frozen=True, slots=True)
class DeviantArtUser:
    userid: str
    username: str
    usericon: str = ""
    type: str = ""


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One row of the comment queue."""

    deviationid: str
    source: Source
    ts: datetime
    status: QueueStatus
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    author: str | None = None
    title: str | None = None
    url: str | None = None
    claimed_at: datetime | None = None
    claim_token: str | None = None
    commentid: str | None = None
    message_id: int | None = None
    body_hash: str | None = None
    body: str | None = None
    updated_at: datetime | None = None
    approved_at: datetime | None = None  # set only by an approval in review
    unknown_since: datetime | None = None  # when the row last became `unknown`
    reconcile_checked_at: datetime | None = None  # first "not found" read after the grace
    tags: tuple[str, ...] = ()
    language: str | None = None  # ISO 639-1 as detected; None: unknown or not read
    enriched_at: datetime | None = None  # metadata read and passed the filters
    thumbnail_url: str | None = None  # on an allowed image host only (domain/images.py)


@dataclass(frozen=True, slots=True)
class NewQueueItem:
    """What a collector hands to the queue."""

    deviationid: str
    source: Source
    ts: datetime
    author: str | None = None
    title: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    enriched_at: datetime | None = None  # None: the worker reads the metadata first
    thumbnail_url: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A row claimed by one worker; every later update must present the token."""

    deviationid: str
    claim_token: str
    claimed_at: datetime
    item: QueueItem


@dataclass(frozen=True, slots=True)
class CommentTemplate:
    message_id: int
    title: str
    body: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LogEntry:
    log_id: int
    deviationid: str
    status: LogStatus
    sent_at: datetime
    message_id: int | None = None
    commentid: str | None = None
    body: str | None = None
    error_message: str | None = None
    source: Source | None = None  # where the deviation was found (None: logged before 0.2)
    # The deviation as the queue knows it (when its row is still there): display only.
    title: str | None = None
    author: str | None = None
    url: str | None = None
    # What the comment earned (issue 20): filled by the CSV export's stream only.
    replies: int = 0
    watch_backs: int = 0
    fave_backs: int = 0
    comment_backs: int = 0


@dataclass(frozen=True, slots=True)
class FeedState:
    """Per-source cursor: the newest deviation seen and an optional backfill offset."""

    source: Source
    newest_deviationid: str | None = None
    newest_ts: datetime | None = None
    backfill_offset: int = 0
    updated_at: datetime | None = None
    path: str | None = None  # the endpoint this state belongs to; another path starts afresh


@dataclass(frozen=True, slots=True)
class OAuthToken:
    """Tokens of the connected account. Never log or serialize this object."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scope: str = ""
    userid: str | None = None
    username: str | None = None

    def __repr__(self) -> str:
        return f"OAuthToken(username={self.username!r}, expires_at={self.expires_at!r}, ...)"


@dataclass(frozen=True, slots=True)
class CommentSettings:
    """The artist's pacing, caps and filters. Defaults are deliberately conservative."""

    min_interval_s: int = 45
    max_interval_s: int = 120
    max_per_hour: int = 30
    max_per_day: int = 200
    active_hours: str | None = None  # "09:00-23:00" in `timezone`, or None for always
    timezone: str = "UTC"
    skip_mature: bool = True
    exclude_authors: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()  # matched against title, tags and description
    # Feeds and filters that need `deviation/metadata` (issue 13).
    tags: tuple[str, ...] = ()  # the tag feeds the artist follows
    include_tags: tuple[str, ...] = ()  # keep only deviations with one of them; empty: all
    exclude_tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # ISO 639-1 codes; empty: every language
    unknown_language: str = "allow"  # "allow" or "skip" a deviation whose language is unclear
    max_attempts: int = 3
    max_consecutive_failures: int = 5
    # Account protection (issue 9).
    review_sources: tuple[SourceKind, ...] = (SourceKind.GLOBAL_FEED, SourceKind.TAGS)
    dry_run: bool = False
    author_cooldown_days: int = 14
    max_per_author: int | None = None
    # Months of running (issue 14): what leaves the queue and the log, and when.
    pending_ttl_days: int = 7  # pending rows published longer ago leave; older finds not queued
    finished_ttl_days: int = 30  # commented/failed/skipped rows leave this long after settling
    max_pending: int = 5000  # a collect queues no more once this many rows are pending
    log_retention_days: int = 365  # 0 keeps the log forever
    # The inbox and outcomes (issue 20).
    inbox_poll_minutes: int = 15  # how often the message center is read; 0: never
    attribution_days: int = 14  # how long after our comment a watch or fave still counts


class WorkerDesired(enum.StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class WorkerControl:
    """Desired state (shared by every worker process) and what the worker reports."""

    desired: WorkerDesired = WorkerDesired.STOPPED
    state: str = "stopped"  # running | waiting | paused | stopped | blocked
    reason: str | None = None  # human words: "waiting 74 s (pacing)", "reconnect your account"
    waiting_until: datetime | None = None
    consecutive_failures: int = 0
    heartbeat_at: datetime | None = None
    updated_at: datetime | None = None
    confirmed_unreviewed: bool = False  # one-time confirmation to post without review


@dataclass(frozen=True, slots=True)
class QueueStats:
    counts: dict[QueueStatus, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HousekeepingRun:
    """What one housekeeping pass removed (or, in a dry run, would remove).

    `removed`: queue rows per status that left; `logs`: log entries that left.
    `complete`: False when the pass stopped before the end (stop request, time budget);
    the next pass goes on where it stopped.
    """

    ran_at: datetime
    removed: dict[QueueStatus, int] = field(default_factory=dict)
    logs: int = 0
    complete: bool = True
    trigger: str = "worker"  # worker | cli | api

    @property
    def total(self) -> int:
        """Queue rows and log entries together."""
        return sum(self.removed.values()) + self.logs


@dataclass(frozen=True, slots=True)
class HourlyActivity:
    hour: datetime
    sent: int
    failed: int


@dataclass(frozen=True, slots=True)
class CollectProgress:
    """A snapshot of one collect run, while it runs and as its result.

    `state` is one of the collector's run states (running, done, failed,
    cancelled, interrupted). `heartbeat_at`: when the process running it last
    said it is alive (stored runs; a stale one is over).
    """

    run_id: str
    source: Source
    pages_requested: int
    started_at: datetime
    state: str = "running"
    heartbeat_at: datetime | None = None
    pages_done: int = 0
    found: int = 0
    new: int = 0
    filtered: dict[str, int] = field(default_factory=dict)
    stopped_because: str | None = None
    error: str | None = None
    finished_at: datetime | None = None


# Scopes of the waits kept in the database (see `Penalty`).
PENALTY_USER = "user"  # a 429 on a user-token request: Retry-After, or our cool-off
PENALTY_CLIENT = "client"  # a 429 on a client-token request
PENALTY_PACE = "pace"  # the learned spacing between two requests (no not_before)
PENALTY_EDGE = "edge"  # the CDN's HTML 403: the whole network waits
PENALTY_POST = "post"  # an action throttle (a burst of 400s on comment POSTs)
PENALTY_GONE = "gone:"  # + an API path: a removed endpoint, not read again before then
# The next request of a token's scope starts no earlier: the start of the last one plus the
# learned spacing. Kept with the waits, so a restarted process (or another one) never sends
# early, and every request of the user token (posts, reads, polls) shares one budget.
PENALTY_NEXT_USER = "next:user"
PENALTY_NEXT_CLIENT = "next:client"
# No sender reserves a turn further ahead than the longest spacing (300 s) and a margin: a
# turn beyond this was taken on a clock ahead of ours (another host, a skewed process) and is
# not waited for, or it would stall every request.
TURN_AHEAD_MAX = timedelta(minutes=6)


@dataclass(frozen=True, slots=True)
class Penalty:
    """A wait DeviantArt imposed or we imposed on ourselves, shared by every process.

    `not_before`: no request of the scope starts earlier. `spacing_s`: the learned
    spacing (scope "pace"). `streak`: pauses in a row, for the doubling (edge, post).
    """

    scope: str
    not_before: datetime | None = None
    reason: str = ""
    spacing_s: float | None = None
    streak: int = 0
    updated_at: datetime | None = None

    def extended(
        self, not_before: datetime, reason: str, now: datetime, streak: int | None = None
    ) -> Penalty:
        """This wait made to last until at least `not_before`: never shortened by a writer."""
        keep = self.not_before is not None and self.not_before > not_before
        return replace(
            self,
            not_before=self.not_before if keep else not_before,
            reason=self.reason if keep else reason,
            streak=self.streak if streak is None else streak,
            updated_at=now,
        )

    def active(self, now: datetime) -> bool:
        """Whether the wait still runs at `now`."""
        return self.not_before is not None and self.not_before > now
