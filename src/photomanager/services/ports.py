"""Ports: what the services need from storage and from DeviantArt.

Implemented by `photomanager.storage` (repositories, unit of work) and
`photomanager.deviantart` (the API); services see only these Protocols and the
domain. Repositories never commit: the unit of work does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from photomanager.domain.inbox import (
    AnswerState,
    Credit,
    InboxAnswer,
    InboxItem,
    InboxMessage,
    InboxPollState,
    InboxStatus,
    InboxView,
    MessagePage,
    OutcomeKind,
    SentComment,
)
from photomanager.domain.models import (
    Claim,
    CollectProgress,
    Comment,
    CommentPage,
    CommentSettings,
    CommentTemplate,
    DeviantArtUser,
    DeviationMetadata,
    FeedPage,
    FeedState,
    HourlyActivity,
    HousekeepingRun,
    LogEntry,
    LogStatus,
    NewQueueItem,
    OAuthToken,
    Penalty,
    QueueItem,
    QueueStatus,
    Source,
    SourceKind,
    TokenKind,
    WorkerControl,
)
from photomanager.domain.outcomes import OutcomeBucket


class MessageRepository(Protocol):
    def add(self, title: str, body: str, is_active: bool, now: datetime) -> CommentTemplate: ...
    def get(self, message_id: int) -> CommentTemplate | None: ...
    def update(
        self, message_id: int, *, title: str, body: str, is_active: bool, now: datetime
    ) -> CommentTemplate | None: ...
    def delete(self, message_id: int) -> bool: ...
    def list_all(self) -> list[CommentTemplate]: ...
    def list_active(self) -> list[CommentTemplate]: ...


class QueueRepository(Protocol):
    def add_deviation(self, item: NewQueueItem, now: datetime) -> bool:
        """Upsert one row; True when it was really new."""
        ...

    def add_many(self, items: Iterable[NewQueueItem], now: datetime) -> int:
        """Upsert many rows; never resets commented/sending/unknown; skips ledger ids.

        Returns how many rows were really new.
        """
        ...

    def get(self, deviationid: str) -> QueueItem | None: ...
    def claim_one_pending(
        self,
        now: datetime,
        *,
        hold_unapproved: Collection[SourceKind] = (),
        one_per_author: bool = False,
    ) -> Claim | None:
        """Claim the newest due pending row in one atomic statement.

        Rows from `hold_unapproved` sources are left alone unless the artist approved
        them; `one_per_author` passes over authors with a row in flight.
        """
        ...

    def lock_row(self, deviationid: str) -> None:
        """Lock the row until the unit of work ends (nothing happens if it is gone)."""
        ...

    def awaiting_review_body_hashes(self) -> set[str]:
        """Hashes of the texts parked for review (to be posted once approved)."""
        ...

    def mark_commented(
        self,
        claim: Claim,
        *,
        commentid: str | None,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """False when the claim token is stale (someone else owns the row now)."""
        ...

    def mark_failed(self, claim: Claim, error: str, now: datetime) -> bool: ...
    def mark_retry(
        self, claim: Claim, error: str, next_attempt_at: datetime, now: datetime
    ) -> bool: ...
    def release(
        self,
        claim: Claim,
        now: datetime,
        *,
        not_before: datetime | None = None,
        reason: str | None = None,
    ) -> bool:
        """Back to pending without spending an attempt (account problems, stop, pauses);
        `not_before`: not claimed again before then; `reason`: the row's words."""
        ...

    def save_metadata(
        self, claim: Claim, *, tags: Sequence[str], language: str | None, now: datetime
    ) -> bool:
        """Record the metadata the worker read for its claimed row (it passed the filters)."""
        ...

    def unfail(self, deviationid: str, reason: str, now: datetime) -> bool:
        """failed -> pending, the attempt its failure spent given back (a throttle, not the row)."""
        ...

    def note_unverifiable(self, claim: Claim, reason: str, now: datetime) -> bool:
        """The `unknown` row stays unknown with `reason` (its read-back cannot settle it)."""
        ...

    def mark_unknown(self, claim: Claim, error: str, now: datetime) -> bool: ...
    def mark_sending_body(
        self, claim: Claim, *, message_id: int | None, body_hash: str, body: str, now: datetime
    ) -> bool:
        """Record the rendered body on the claimed row, committed before the POST."""
        ...

    def mark_awaiting_review(
        self, claim: Claim, *, message_id: int | None, body_hash: str, body: str, now: datetime
    ) -> bool: ...
    def mark_skipped(self, claim: Claim, reason: str, now: datetime) -> bool: ...
    def approve(self, deviationid: str, body: str, body_hash: str, now: datetime) -> bool:
        """awaiting_review -> pending with an approved body that will be posted as is."""
        ...

    def approve_parked(self, deviationids: Sequence[str], now: datetime) -> list[str]:
        """Approve these rows' parked texts unedited, in one statement; the ids approved."""
        ...

    def skip_review(self, deviationid: str, reason: str, now: datetime) -> bool: ...
    def requeue_skipped(self, reason: str, now: datetime) -> int:
        """Rows skipped with exactly `reason` (e.g. by a dry run) go back to pending."""
        ...

    def list_unknown(self, limit: int) -> list[QueueItem]: ...
    def claim_unknown(
        self, deviationid: str, now: datetime, *, seen: QueueItem | None = None
    ) -> Claim | None:
        """Take an `unknown` row for reconciliation (fresh token, claimed_at kept).

        With `seen`, only if the row is unchanged since that snapshot.
        """
        ...

    def resolve_unknown_pending(self, claim: Claim, now: datetime) -> bool: ...
    def note_not_found(self, claim: Claim, now: datetime) -> bool:
        """Record the first read-back after the grace that did not find our comment."""
        ...

    def force_commented(
        self,
        deviationid: str,
        *,
        commentid: str,
        message_id: int | None,
        body_hash: str,
        body: str,
        now: datetime,
    ) -> bool:
        """`commented` (+ ledger) from any state but `commented`: our comment exists."""
        ...

    def reset_failed_to_pending(self, now: datetime) -> int: ...
    def get_stats(self) -> dict[QueueStatus, int]: ...
    def count_skipped_by_reason(self) -> dict[str, int]:
        """Skipped rows per reason kind: the reason's text before its first colon."""
        ...

    def list_page(
        self, status: QueueStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[QueueItem], str | None]:
        """Keyset pagination, newest first. Returns (items, next cursor or None)."""
        ...

    def remove(self, deviationids: Sequence[str]) -> int: ...
    def clear(self, status: QueueStatus | None = None) -> int: ...
    def expire_claims(self, older_than: datetime, now: datetime) -> int:
        """`sending` rows claimed before `older_than` become `unknown` (crashed worker)."""
        ...

    def list_expired(self, status: QueueStatus, before: datetime, limit: int) -> list[QueueItem]:
        """Up to `limit` rows of `status` that expired before `before`, oldest first.

        Pending rows expire by `ts` (unless approved in review), commented, failed
        and skipped ones by `updated_at`; ValueError for a status that never expires.
        """
        ...

    def count_expired(self, status: QueueStatus, before: datetime) -> int: ...
    def delete_expired(self, status: QueueStatus, before: datetime, limit: int) -> int:
        """Delete up to `limit` expired rows of `status`, oldest first; how many went."""
        ...


class LedgerRepository(Protocol):
    """The permanent anti-repeat ledger (`commented_deviations`)."""

    def contains(self, deviationid: str) -> bool: ...
    def filter_known(self, deviationids: Sequence[str]) -> set[str]: ...
    def add(self, deviationid: str, now: datetime, author: str | None = None) -> bool:
        """Record a comment; False when it was recorded already (the first record stays)."""
        ...

    def count_all(self) -> int: ...
    def count_author_since(self, author: str, since: datetime | None) -> int: ...
    def last_commented_by(self, author: str) -> datetime | None: ...


class LogRepository(Protocol):
    def append(
        self,
        *,
        deviationid: str,
        status: LogStatus,
        now: datetime,
        message_id: int | None = None,
        commentid: str | None = None,
        body: str | None = None,
        error_message: str | None = None,
    ) -> LogEntry: ...
    def list_page(
        self,
        *,
        status: LogStatus | None,
        since: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[LogEntry], str | None]: ...
    def iter_all(self, *, status: LogStatus | None, since: datetime | None) -> Iterator[LogEntry]:
        """Stream every matching entry (for CSV export) without loading them all."""
        ...

    def count_since(self, status: LogStatus, since: datetime) -> int: ...
    def sent_times_since(self, since: datetime) -> list[datetime]: ...
    def nth_sent_time_since(self, since: datetime, n: int) -> datetime | None:
        """When the `n`-th (0-based, oldest first) comment sent at or after `since` went out."""
        ...

    def activity_per_hour(self, since: datetime) -> list[HourlyActivity]: ...
    def recent_body_hashes(self, since: datetime) -> set[str]: ...
    def template_usage(self) -> dict[int, tuple[int, datetime]]:
        """Per template id: (comments posted with it, when it was last used)."""
        ...

    def top_renderings(self, message_id: int, limit: int) -> list[tuple[str, int]]:
        """The most posted texts of one template with their counts, most used first."""
        ...

    def recent_bodies(self, since: datetime) -> set[str]:
        """The texts posted since `since`, read from the log alone (queue rows may be gone)."""
        ...

    def oldest_sent_at(self) -> datetime | None: ...
    def count_before(self, before: datetime) -> int: ...
    def delete_before(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` of the oldest entries written before `before`; how many went."""
        ...


class FeedStateRepository(Protocol):
    def get(self, source: Source) -> FeedState: ...
    def save(self, state: FeedState) -> None: ...


class SettingsRepository(Protocol):
    def get(self) -> CommentSettings: ...
    def get_for_update(self, now: datetime) -> CommentSettings:
        """Read the settings under a lock held until the unit of work ends."""
        ...

    def save(self, settings: CommentSettings, now: datetime) -> None: ...


class WorkerControlRepository(Protocol):
    def get(self) -> WorkerControl: ...
    def get_for_update(self) -> WorkerControl:
        """Read the control row under a lock held until the unit of work ends."""
        ...

    def save(self, control: WorkerControl) -> None: ...


class TokenRepository(Protocol):
    def get(self) -> OAuthToken | None: ...
    def lock_for_refresh(self) -> OAuthToken | None:
        """Read the token row under a lock held until the unit of work ends."""
        ...

    def save(self, token: OAuthToken) -> None: ...
    def save_rotated(self, token: OAuthToken, *, previous_refresh_token: str) -> bool:
        """Compare-and-set: store `token` only while the row still holds `previous_refresh_token`.

        False (nothing written) when the row changed meanwhile or is gone.
        """
        ...

    def delete(self) -> None: ...


class CollectRunRepository(Protocol):
    """Collect runs of every process; writes only change runs still `running`."""

    def add_running(self, run: CollectProgress) -> bool:
        """Insert a running run; False when its source already has a running one."""
        ...

    def save_progress(self, run: CollectProgress) -> bool:
        """Write progress and heartbeat; False when the run is no longer running."""
        ...

    def touch(self, run_id: str, now: datetime) -> bool:
        """Refresh the heartbeat; False when the run is no longer running."""
        ...

    def interrupt_stale(
        self,
        source: Source,
        *,
        heartbeat_before: datetime,
        keep: Collection[str],
        state: str,
        error: str,
    ) -> int:
        """End running runs of `source` with a heartbeat older than `heartbeat_before`."""
        ...

    def get(self, run_id: str) -> CollectProgress | None: ...
    def list_running(self) -> list[CollectProgress]: ...
    def list_recent(self, limit: int) -> list[CollectProgress]:
        """The newest `limit` runs, newest first."""
        ...

    def prune(self, source: Source, keep: int) -> int:
        """Delete ended runs of `source` beyond its newest `keep`."""
        ...


class HousekeepingRepository(Protocol):
    """The last housekeeping pass, whichever process ran it."""

    def get_last(self) -> HousekeepingRun | None: ...
    def save_last(self, run: HousekeepingRun) -> None: ...


class PenaltyRepository(Protocol):
    """The waits every process obeys (see `Penalty`); writes never shorten a wait."""

    def get_many(self, scopes: Collection[str]) -> dict[str, Penalty]: ...
    def list_all(self) -> list[Penalty]: ...
    def impose(
        self,
        scope: str,
        not_before: datetime,
        reason: str,
        now: datetime,
        *,
        streak: int | None = None,
    ) -> Penalty:
        """Wait until at least `not_before` (a later wait already there is kept)."""
        ...

    def clear(self, scope: str, now: datetime) -> None: ...


class InboxRepository(Protocol):
    """DeviantArt's messages once each, their credits, the artist's answers, the poll row."""

    def add_messages(
        self,
        messages: Sequence[InboxMessage],
        now: datetime,
        *,
        our_commentids: Mapping[str, str] | None = None,
    ) -> int:
        """Store the messages not known yet (each once); how many were stored now."""
        ...

    def known_messageids(self, messageids: Collection[str]) -> set[str]: ...
    def sent_comments(
        self,
        *,
        commentids: Collection[str],
        authors: Collection[str],
        since: datetime,
        until: datetime,
    ) -> list[SentComment]:
        """The candidates of attribution: our sent comments by id, or by author in a window."""
        ...

    def credited_comments(self, log_ids: Collection[int], kind: OutcomeKind) -> set[int]:
        """Which of `log_ids` already earned an outcome of `kind`."""
        ...

    def add_credits(self, credits: Sequence[Credit], now: datetime) -> list[Credit]:
        """Record and count the credits (a message once); those recorded now."""
        ...

    def count_credits(self) -> int: ...
    def count_messages(self) -> int: ...
    def get_item(self, inbox_id: int) -> InboxItem | None: ...
    def list_page(
        self,
        *,
        view: InboxView | None,
        status: InboxStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[InboxItem], str | None]:
        """Newest first, keyset-paginated."""
        ...

    def count_unread(self, view: InboxView, *, cap: int) -> int:
        """Unread items of `view`, counted up to `cap`."""
        ...

    def set_status(
        self, inbox_id: int, status: InboxStatus, *, only_from: Sequence[InboxStatus] = ()
    ) -> bool: ...
    def add_answer(self, inbox_id: int, body: str, now: datetime) -> bool:
        """Claim the item's one answer; False when it has one already."""
        ...

    def lock_answer(self, inbox_id: int) -> InboxAnswer | None: ...
    def update_answer(
        self,
        inbox_id: int,
        *,
        state: AnswerState,
        now: datetime,
        from_states: Sequence[AnswerState],
        commentid: str | None = None,
        error: str | None = None,
        body: str | None = None,
        reclaim: bool = False,
    ) -> bool: ...
    def get_poll(self) -> InboxPollState: ...
    def take_lease(self, owner: str, until: datetime, now: datetime) -> bool:
        """Take the poll's lease unless another owner holds a live one."""
        ...

    def release_lease(self, owner: str) -> None: ...
    def save_poll(self, state: InboxPollState) -> None:
        """Write every field of the poll row but the lease."""
        ...

    def save_progress(self, cursor: str | None, *, newest_messageid: str | None = None) -> None:
        """Write where the poll resumes, and the newest message read when given."""
        ...


class OutcomeCountsRepository(Protocol):
    """Comments and outcomes per day, template and source (kept by the writes)."""

    def list_buckets(
        self, since: datetime | None, until: datetime | None, *, by: str = "day"
    ) -> list[OutcomeBucket]:
        """Buckets of the days from `since` to `until`, summed per day, template or source."""
        ...


class RefreshLock(Protocol):
    """Serialises token refreshes across processes, without holding a transaction."""

    def held(self) -> AbstractContextManager[None]:
        """A context manager that holds the lock for its block (blocks until free)."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository; rolls back unless committed."""

    @property
    def messages(self) -> MessageRepository: ...
    @property
    def queue(self) -> QueueRepository: ...
    @property
    def ledger(self) -> LedgerRepository: ...
    @property
    def logs(self) -> LogRepository: ...
    @property
    def feed_state(self) -> FeedStateRepository: ...
    @property
    def settings(self) -> SettingsRepository: ...
    @property
    def worker_control(self) -> WorkerControlRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def collect_runs(self) -> CollectRunRepository: ...
    @property
    def housekeeping(self) -> HousekeepingRepository: ...
    @property
    def penalties(self) -> PenaltyRepository: ...
    @property
    def inbox(self) -> InboxRepository: ...
    @property
    def outcomes(self) -> OutcomeCountsRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A new unit of work; `read_only` ones never take SQLite's write lock."""
        ...


class DeviantArtApi(Protocol):
    """Typed DeviantArt endpoints (implemented over `DeviantArtHttpClient`)."""

    def browse(
        self, path: str, *, token_kind: TokenKind, offset: int, limit: int, mature_content: bool
    ) -> FeedPage: ...
    def post_comment(
        self, deviationid: str, body: str, *, deadline: datetime | None = None
    ) -> Comment:
        """Post once; PostDeadlinePassed (nothing sent) if an attempt could end after `deadline`."""
        ...

    def list_comments(self, deviationid: str, *, offset: int, limit: int) -> CommentPage: ...
    def deviation_metadata(
        self, deviationids: Sequence[str], *, token_kind: TokenKind = TokenKind.USER
    ) -> list[DeviationMetadata]:
        """Tags, plain-text description, comment rights: at most 50 ids per call."""
        ...

    def whoami(self) -> DeviantArtUser: ...
    def get_recommended_delay(self) -> float: ...
    def waited_in_last_request(self) -> float:
        """Seconds the latest request waited before its last attempt (retries, shared waits)."""
        ...

    def spare_turn(self, before: datetime) -> bool:
        """Whether a user-token request may start now and its spacing end by `before`."""
        ...


class InboxApi(Protocol):
    """The message center and replies (implemented by `DeviantArtApiClient`)."""

    def messages_feed(self, cursor: str | None = None, *, stack: bool = False) -> MessagePage:
        """One page of the inbox, newest first; no retry after a 429."""
        ...

    def messages_feedback_stack(self, stackid: str, *, offset: int, limit: int) -> MessagePage: ...
    def post_reply(self, deviationid: str, commentid: str, body: str) -> Comment:
        """Post a reply under `commentid`; never repeated (read back instead)."""
        ...

    def list_replies(
        self, deviationid: str, commentid: str, *, offset: int, limit: int
    ) -> CommentPage: ...
    def whoami(self) -> DeviantArtUser: ...
    def get_recommended_delay(self) -> float: ...


# (title, plain-text description, tags) -> ISO 639-1 code, or None when unclear.
# Implemented by `photomanager.language.LanguageDetector.detect`; wired in bootstrap.
LanguageDetector = Callable[[str, str, Sequence[str]], str | None]


class OAuthApi(Protocol):
    """DeviantArt's OAuth 2.1 endpoints (implemented over `DeviantArtHttpClient`)."""

    def authorize_url(
        self, *, state: str, code_challenge: str, redirect_uri: str, scope: str
    ) -> str:
        """The URL of DeviantArt's authorize page (PKCE S256)."""
        ...

    def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> OAuthToken: ...
    def refresh(self, refresh_token: str) -> OAuthToken: ...
    def client_credentials(self) -> OAuthToken: ...
    def revoke(self, token: str) -> None: ...
