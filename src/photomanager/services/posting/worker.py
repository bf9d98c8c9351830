"""The comment worker: claim one row, render, post, record - safe against crashes.

Step by step (`run_once`):
1. claim the newest due `pending` row with a fresh claim token, committed
   before any request (no active template: stop, touching no row);
2. account protection before anything is rendered: a row whose author is in
   the cooldown or over the per-author limit becomes `skipped` (see
   `author_limits`);
3. render (least recently used template first, never a text posted in the
   last 30 days if avoidable: see `repeat_guard`; titles and author names
   sanitised first, see `sanitize`), or take the body the row already carries
   (approved in review, or rendered before a retry);
4. dry run: log the text as `dry_run` and set the row aside as `skipped` with
   `DRY_RUN_REASON` (back to `pending` once dry run is off, see
   `requeue_dry_run`); a reviewed source whose row the artist has not
   approved (`approved_at`, set only by `ReviewService`): park the row as
   `awaiting_review` with its text. Neither posts anything;
5. a text longer than DeviantArt takes fails the row; otherwise store body +
   body hash on the row, committed before the POST, and POST through the
   `DeviantArtApi` port with the deadline `claimed_at + post_deadline`: the
   client starts no attempt that could outlive it, so no POST of ours is in
   flight once the claim lease has run out;
6. record the outcome by kind (see `_on_error`): success, permanent failure,
   surely-not-delivered retry, unknown (then reconcile), account pause, block;
   and DeviantArt's failure modes that are not about the row: the CDN's
   block (`EdgeBlocked`) and a wait the client refused to break (`RateLimited`
   with no status: nothing sent) give the row back and pause; a removed
   comment endpoint stops the worker; `THROTTLE_BURST` POSTs in a row on
   different deviations refused with the same 400 `error`/`error_code` are an
   action throttle: those rows go back to `pending` with their attempts given
   back, and posting pauses (`THROTTLE_PAUSE`, doubling). A row given back
   that way and refused the same way again fails on its own, as any other.
   A success whose claim went stale still wins: the row becomes `commented`
   whatever it says (`force_commented`), logged once.

An approved row is posted through exactly the same claim -> body -> POST path,
so it is as crash-safe as any other: its body and hash are on the row before
the POST, and reconciliation recognises it.

`run(stop)` loops over steps, waits `max(recommended delay, pacing)` between
posts, obeys the desired state in the database within a second, heartbeats,
expires stale claims and reconciles `unknown` rows.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from photomanager.domain.body_hash import body_hash
from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    AccountRestricted,
    Cancelled,
    DeviantArtError,
    EdgeBlocked,
    EndpointGone,
    InsufficientScope,
    InvalidInput,
    InvalidToken,
    NotConnected,
    PhotomanagerError,
    PostDeadlinePassed,
    RateLimited,
    ReauthRequired,
    RequestRejected,
    ServerError,
    ServiceUnavailable,
    TransportFailed,
)
from photomanager.domain.models import (
    PENALTY_POST,
    Author,
    Claim,
    CommentSettings,
    CommentTemplate,
    Deviation,
    LogStatus,
    QueueStatus,
    SourceKind,
    TokenKind,
)
from photomanager.domain.templates import DEFAULT_MAX_LENGTH
from photomanager.domain.templates.sanitize import sanitize_variable
from photomanager.services import crashpoints
from photomanager.services.account.identity import Me, lookup_me
from photomanager.services.ports import (
    DeviantArtApi,
    LanguageDetector,
    UnitOfWork,
    UnitOfWorkFactory,
)
from photomanager.services.posting.author_limits import author_limit_reason, author_limits_apply
from photomanager.services.posting.outcomes import StepOutcome, StepResult
from photomanager.services.posting.reconcile import Reconciler
from photomanager.services.posting.repeat_guard import REPEAT_WINDOW, choose_rendering
from photomanager.services.posting.worker_loop import MAX_WAIT_CHUNK_S, WorkerLoop
from photomanager.services.screening.filters import detect_language, metadata_rejection_reason
from photomanager.services.screening.metadata import enrich
from photomanager.services.worker_control import (
    STATE_BLOCKED,
    STATE_PAUSED,
    STATE_STOPPED,
    count_failure,
    modify_control,
    read_control,
    report_progress,
    stop_all_workers,
    update_control,
)

logger = logging.getLogger(__name__)

RETRY_BACKOFF = timedelta(seconds=60)  # first retry of a surely-not-delivered POST
RETRY_BACKOFF_MAX = timedelta(hours=1)
RATE_LIMIT_STORM = 3  # RateLimited posts in a row that pause the whole worker
RATE_LIMIT_PAUSE = timedelta(minutes=15)
# An action throttle: this many POSTs in a row, on different deviations, refused with the
# same 400 error and error_code (DeviantArt: "too many ... in a short period of time").
THROTTLE_BURST = 3
THROTTLE_PAUSE = timedelta(minutes=15)
THROTTLE_PAUSE_MAX = timedelta(hours=4)
# The start of `last_error` on rows an action throttle gave back (see `_throttle_burst`).
THROTTLE_RETURNED = "queued again after DeviantArt throttled comment posting"
EDGE_PAUSE_FALLBACK = timedelta(minutes=5)

REASON_RECONNECT = "reconnect your account"
REASON_NO_TEMPLATES = "no active templates"
# The exact reason on rows a dry run set aside; `requeue_dry_run` matches it.
DRY_RUN_REASON = "dry run: nothing posted (queued again once dry run is off)"
# Texts parked for review at once. Rendering the whole feed ahead would leave the
# artist a wall to read and texts rendered days before they are approved.
REVIEW_BACKLOG = 50
# Metadata read by the worker (rows the collector could not enrich).
METADATA_RETRY = timedelta(minutes=2)  # DeviantArt busy: the row waits at least this long
METADATA_GONE_RETRY = timedelta(hours=1)  # `deviation/metadata` removed: look again this late
FILTERED_PREFIX = "filtered"  # "filtered: language not chosen", as the status page counts it
METADATA_UNAVAILABLE = "no metadata: the deviation is deleted or hidden"
METADATA_REFUSED = "metadata refused by DeviantArt"

# Errors about the account, not the row: pause, never spend the row's attempts.
_ACCOUNT_ERRORS = (InvalidToken, ReauthRequired, NotConnected, InsufficientScope)
# Surely not delivered: nothing reached DeviantArt or it refused before storing.
_NOT_DELIVERED = (TransportFailed, ServiceUnavailable, ServerError, RateLimited)


class CommentWorker:
    """Posts comments from the queue, one claimed row at a time."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        api: DeviantArtApi,
        clock: Clock,
        rng: random.Random,
        reconciler: Reconciler | None = None,
        sleep: Callable[[threading.Event, float], bool] | None = None,
        poll_interval: float = 0.5,
        max_wait_chunk: float = MAX_WAIT_CHUNK_S,
        max_length: int = DEFAULT_MAX_LENGTH,
        language_detector: LanguageDetector | None = None,
        idle_task: Callable[[threading.Event, datetime], bool] | None = None,
    ) -> None:
        """`sleep(stop, seconds)` replaces the loop's waits (tests advance a fake clock).

        `max_length`: the longest comment DeviantArt takes; a longer text fails its row.
        `language_detector`: for rows whose metadata the worker reads itself (None: unclear).
        """
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self._rng = rng
        self._language_detector = language_detector
        self._idle_task = idle_task  # run in the loop's long waits (the inbox poll)
        self.reconciler = reconciler or Reconciler(uow_factory=uow_factory, api=api, clock=clock)
        self._sleep = sleep
        self._poll_interval = poll_interval
        self._max_wait_chunk = max_wait_chunk
        self._max_length = max_length
        self._rate_limited_in_a_row = 0
        # POSTs refused in a row: (deviation id, (error, error_code)), for `_throttle_burst`.
        self._rejections: list[tuple[str, tuple[str | None, int | None]]] = []
        # Whether an action-throttle streak may need clearing at the next success.
        self._post_streak_unchecked = True

    # -- one step ---------------------------------------------------------------------------

    def run_once(self, stop: threading.Event | None = None) -> StepResult:
        """Claim, render, post and record one row; return what happened."""
        stop = stop or threading.Event()
        with self._uow_factory() as uow:
            settings = uow.settings.get()
            templates = uow.messages.list_active()
        if not templates:
            self._stop_worker(REASON_NO_TEMPLATES)
            return StepResult(StepOutcome.NO_TEMPLATES, error=REASON_NO_TEMPLATES)
        try:
            me = lookup_me(self._uow_factory, self._api, required=True)
        except (*_ACCOUNT_ERRORS, AccountRestricted) as exc:
            return self._account_problem(None, exc)
        except EdgeBlocked as exc:
            return self._edge_blocked(None, exc)
        except DeviantArtError as exc:
            retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            return StepResult(
                StepOutcome.IDLE, error=f"{exc.code}: {exc.message}", retry_after=retry_after
            )
        now = self._clock.now()
        with self._uow_factory() as uow:
            held = self._held_for_review(uow, settings)
            claim = uow.queue.claim_one_pending(
                now, hold_unapproved=held, one_per_author=author_limits_apply(settings)
            )
            uow.commit()
        if claim is None:
            if held:
                waiting = f"{REVIEW_BACKLOG} comments await your review"
                return StepResult(StepOutcome.REVIEW_FULL, error=waiting)
            return StepResult(StepOutcome.IDLE)
        crashpoints.crashpoint(crashpoints.AFTER_CLAIM)
        with self._uow_factory(read_only=True) as uow:
            limit_reason = author_limit_reason(uow.ledger, claim.item.author, settings, now)
        if limit_reason is not None:
            return self._skip(claim, limit_reason)
        if claim.item.enriched_at is None:
            unread = self._read_metadata(claim, settings, stop)
            if unread is not None:
                return unread
        try:
            message_id, body = self._render(claim, templates, me)
        except InvalidInput as exc:
            self._release(claim)
            reason = f"no active template can be rendered: {exc.message}"
            self._stop_worker(reason)
            return StepResult(StepOutcome.NO_TEMPLATES, deviationid=claim.deviationid, error=reason)
        fingerprint = body_hash(body)
        if settings.dry_run:
            return self._dry_run(claim, message_id, body)
        if claim.item.source.kind in settings.review_sources and claim.item.approved_at is None:
            # Not approved by the artist (a body rendered before review was switched on
            # is not an approval): park it, whatever text the row already carries.
            return self._park_for_review(claim, message_id, body, fingerprint)
        if len(body) > self._max_length:
            too_long = InvalidInput(
                f"the comment is {len(body)} characters long; "
                f"DeviantArt takes at most {self._max_length}: not posted"
            )
            result = self._fail(claim, too_long, message_id, body)
            self._count(result, settings)
            return result
        with self._uow_factory() as uow:
            ok = uow.queue.mark_sending_body(
                claim, message_id=message_id, body_hash=fingerprint, body=body, now=now
            )
            uow.commit()
        if not ok:
            return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
        crashpoints.crashpoint(crashpoints.BEFORE_POST)
        deadline = claim.claimed_at + self.reconciler.post_deadline
        if self._clock.now() > deadline:
            # We were frozen (suspended, swapped out) too long: posting now could outlive
            # the lease and double the comment. The claim is still ours until the lease
            # runs out, so give the row back untouched (the token guards the release).
            return self._released(claim, "not posted: the post deadline passed (worker paused)")
        result = self._post(claim, settings, me, message_id, body, fingerprint, deadline, stop)
        return replace(result, posted=True)

    def _post(
        self,
        claim: Claim,
        settings: CommentSettings,
        me: Me,
        message_id: int | None,
        body: str,
        fingerprint: str,
        deadline: datetime,
        stop: threading.Event,
    ) -> StepResult:
        """POST the stored body once and record what came of it."""
        try:
            comment = self._api.post_comment(claim.deviationid, body, deadline=deadline)
        except Cancelled:
            self._release(claim)
            return StepResult(StepOutcome.STOPPED, deviationid=claim.deviationid)
        except PostDeadlinePassed as exc:
            return self._released(claim, _describe(exc))
        except DeviantArtError as exc:
            return self._on_error(claim, exc, settings, me, message_id, body, stop)
        except NotConnected as exc:
            return self._account_problem(claim, exc)
        except InvalidInput as exc:
            # Refused before any request (e.g. not a deviation id): permanent for this row.
            result = self._fail(claim, exc, message_id, body)
            self._count(result, settings)
            return result
        crashpoints.crashpoint(crashpoints.AFTER_POST)
        self._rate_limited_in_a_row = 0
        self._rejections.clear()
        self._end_post_streak()
        result = self._record_sent(claim, comment.commentid, message_id, fingerprint, body)
        crashpoints.crashpoint(crashpoints.AFTER_RECORD)
        self._count(result, settings)
        return result

    def _read_metadata(
        self, claim: Claim, settings: CommentSettings, stop: threading.Event
    ) -> StepResult | None:
        """Read the claimed row's metadata and apply the filters; None when it may go on.

        Rows the collector could not enrich (DeviantArt was throttling) are read
        here, before anything is rendered: no deviation is commented on unread.
        """
        item = claim.item
        deviation = Deviation(
            deviationid=item.deviationid,
            title=item.title or "",
            url=item.url or "",
            author=Author(userid="", username=item.author or ""),
            published_time=item.ts,
        )
        try:
            result = enrich(self._api, [deviation], token_kind=TokenKind.USER, stop=stop)
        except Cancelled:
            self._release(claim)
            return StepResult(StepOutcome.STOPPED, deviationid=claim.deviationid)
        except (*_ACCOUNT_ERRORS, AccountRestricted) as exc:
            return self._account_problem(claim, exc)
        except EdgeBlocked as exc:
            # DeviantArt's network refused this machine: not the deviation's fault.
            return self._edge_blocked(claim, exc)
        except EndpointGone as exc:
            # Not the deviation's fault either: unread rows wait, read rows go on posting.
            reason = f"{exc.message}: rows whose metadata is unread wait (tried again hourly)"
            return self._read_later(claim, METADATA_GONE_RETRY, reason)
        except DeviantArtError as exc:
            return self._skip(claim, f"{METADATA_REFUSED}: {exc.code}")
        if result.error is not None:
            # DeviantArt is busy, not the deviation at fault: later, no attempt spent.
            retry_after = (
                result.error.retry_after if isinstance(result.error, RateLimited) else None
            )
            wait = timedelta(seconds=max(retry_after or 0.0, METADATA_RETRY.total_seconds()))
            reason = f"deviation metadata not read ({result.error.code}); trying again later"
            return self._read_later(claim, wait, reason, retry_after=retry_after)
        if not result.enriched:
            return self._skip(claim, METADATA_UNAVAILABLE)
        enriched = result.enriched[0]
        language = detect_language(enriched, self._language_detector)
        rejected = metadata_rejection_reason(enriched, language, settings=settings)
        if rejected is not None:
            return self._skip(claim, f"{FILTERED_PREFIX}: {rejected}")
        with self._uow_factory() as uow:
            saved = uow.queue.save_metadata(
                claim, tags=enriched.tags, language=language, now=self._clock.now()
            )
            uow.commit()
        if not saved:
            return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
        return None

    def _read_later(
        self, claim: Claim, wait: timedelta, reason: str, *, retry_after: float | None = None
    ) -> StepResult:
        """Give an unread row back: no attempt spent, not claimed again before `wait` is over."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.queue.release(claim, now, not_before=now + wait)
            uow.commit()
        return StepResult(
            StepOutcome.RELEASED,
            deviationid=claim.deviationid,
            error=reason,
            retry_after=retry_after,
        )

    def _released(self, claim: Claim, reason: str) -> StepResult:
        """Give the row back unsent (too late to post inside the lease); no attempt spent."""
        self._release(claim, log=reason)
        return StepResult(StepOutcome.RELEASED, deviationid=claim.deviationid, error=reason)

    @staticmethod
    def _held_for_review(uow: UnitOfWork, settings: CommentSettings) -> tuple[SourceKind, ...]:
        """The reviewed sources whose unapproved rows wait: the review backlog is full."""
        if settings.dry_run or not settings.review_sources:
            return ()
        awaiting = uow.queue.get_stats()[QueueStatus.AWAITING_REVIEW]
        return settings.review_sources if awaiting >= REVIEW_BACKLOG else ()

    def _render(
        self, claim: Claim, templates: Sequence[CommentTemplate], me: Me
    ) -> tuple[int | None, str]:
        item = claim.item
        if item.body and item.body_hash:
            # Rendered (and possibly approved) before: post exactly that text.
            return item.message_id, item.body
        # Titles and names are written by strangers: never quote them raw.
        variables = {
            "author": sanitize_variable(item.author or ""),
            "title": sanitize_variable(item.title or ""),
            "username": sanitize_variable(me.username or ""),
        }
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            # Texts awaiting review will be posted too: do not repeat them either.
            # From the log's own texts too: housekeeping may have removed the queue rows.
            recent = uow.logs.recent_body_hashes(now - REPEAT_WINDOW)
            recent |= {body_hash(text) for text in uow.logs.recent_bodies(now - REPEAT_WINDOW)}
            recent |= uow.queue.awaiting_review_body_hashes()
            usage = uow.logs.template_usage()
        rendering = choose_rendering(
            templates,
            variables,
            self._rng,
            recent_hashes=recent,
            last_used={message_id: used_at for message_id, (_, used_at) in usage.items()},
        )
        return rendering.message_id, rendering.body

    def _skip(self, claim: Claim, reason: str) -> StepResult:
        """A limit or a filter forbids this comment: `skipped`, with the reason logged."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            if not uow.queue.mark_skipped(claim, reason, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            uow.logs.append(
                deviationid=claim.deviationid,
                status=LogStatus.SKIPPED,
                now=now,
                error_message=reason,
            )
            uow.commit()
        return StepResult(StepOutcome.SKIPPED, deviationid=claim.deviationid, error=reason)

    def _dry_run(self, claim: Claim, message_id: int | None, body: str) -> StepResult:
        """Log what would be posted; set the row aside until dry run is off."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            if not uow.queue.mark_skipped(claim, DRY_RUN_REASON, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            uow.logs.append(
                deviationid=claim.deviationid,
                status=LogStatus.DRY_RUN,
                now=now,
                message_id=message_id,
                body=body,
                error_message="dry run: not posted",
            )
            uow.commit()
        return StepResult(StepOutcome.DRY_RUN, deviationid=claim.deviationid, body=body)

    def _park_for_review(
        self, claim: Claim, message_id: int | None, body: str, fingerprint: str
    ) -> StepResult:
        """Keep the rendered text on the row for the artist to approve or skip."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            ok = uow.queue.mark_awaiting_review(
                claim, message_id=message_id, body_hash=fingerprint, body=body, now=now
            )
            uow.commit()
        outcome = StepOutcome.REVIEW if ok else StepOutcome.LOST_CLAIM
        return StepResult(outcome, deviationid=claim.deviationid, body=body)

    def requeue_dry_run(self) -> int:
        """Rows a dry run set aside go back to `pending` (call when dry run is off)."""
        with self._uow_factory() as uow:
            if uow.settings.get().dry_run:
                return 0
            count = uow.queue.requeue_skipped(DRY_RUN_REASON, self._clock.now())
            uow.commit()
        return count

    def _record_sent(
        self, claim: Claim, commentid: str, message_id: int | None, fingerprint: str, body: str
    ) -> StepResult:
        now = self._clock.now()
        with self._uow_factory() as uow:
            # Whoever records the comment in the ledger first logs it: reconciliation may
            # have found this comment already (then it logged it), or be doing so right now.
            # Row first, ledger second, as reconciliation does: the other order deadlocks.
            uow.queue.lock_row(claim.deviationid)
            first_record = uow.ledger.add(claim.deviationid, now, author=claim.item.author)
            owned = uow.queue.mark_commented(
                claim,
                commentid=commentid,
                message_id=message_id,
                body_hash=fingerprint,
                body=body,
                now=now,
            )
            if not owned:
                # Our claim went stale but the comment exists: the row must say so, whatever
                # it says now (unknown, pending again, even claimed by another worker).
                uow.queue.force_commented(
                    claim.deviationid,
                    commentid=commentid,
                    message_id=message_id,
                    body_hash=fingerprint,
                    body=body,
                    now=now,
                )
            if first_record:
                # One `sent` row per comment: the caps count these rows.
                uow.logs.append(
                    deviationid=claim.deviationid,
                    status=LogStatus.SENT,
                    now=now,
                    message_id=message_id,
                    commentid=commentid,
                    body=body,
                )
            uow.commit()
        outcome = StepOutcome.SENT if owned else StepOutcome.LOST_CLAIM
        return StepResult(outcome, deviationid=claim.deviationid, commentid=commentid, body=body)

    def _on_error(
        self,
        claim: Claim,
        exc: DeviantArtError,
        settings: CommentSettings,
        me: Me,
        message_id: int | None,
        body: str,
        stop: threading.Event,
    ) -> StepResult:
        """Record a failed POST by kind of error (see the module docstring of errors)."""
        if isinstance(exc, (*_ACCOUNT_ERRORS, AccountRestricted)):
            return self._account_problem(claim, exc)
        if isinstance(exc, EdgeBlocked):
            return self._edge_blocked(claim, exc)
        if isinstance(exc, EndpointGone):
            return self._endpoint_gone(claim, exc)
        if isinstance(exc, RateLimited) and exc.status is None:
            return self._wait_not_sent(claim, exc)
        if isinstance(exc, RequestRejected):
            burst = self._throttle_burst(claim, exc)
            if burst is not None:
                return burst
        else:
            self._rejections.clear()
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            # Retry-After storms pause the worker. Without Retry-After (DeviantArt's
            # velocity filter) the client's own cool-off, doubling and shared with every
            # process, is the backoff: a long pause here would only skew what it learns.
            self._rate_limited_in_a_row += 1
            if self._rate_limited_in_a_row >= RATE_LIMIT_STORM:
                return self._rate_limit_storm(claim, exc)
        elif not isinstance(exc, RateLimited):
            self._rate_limited_in_a_row = 0
        if isinstance(exc, RequestRejected):
            result = self._fail(claim, exc, message_id, body)
        elif isinstance(exc, _NOT_DELIVERED):
            result = self._retry_later(claim, exc, settings, message_id, body)
        else:
            # OutcomeUnknown, or anything we cannot classify: it may have landed.
            result = self._unknown(claim, exc, me, message_id, body, stop)
        self._count(result, settings)
        return result

    def _fail(
        self, claim: Claim, exc: PhotomanagerError, message_id: int | None, body: str
    ) -> StepResult:
        now = self._clock.now()
        error = _describe(exc)
        with self._uow_factory() as uow:
            if not uow.queue.mark_failed(claim, error, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            self._log(uow, claim, LogStatus.FAILED, error, message_id, body, now)
            uow.commit()
        return StepResult(StepOutcome.FAILED, deviationid=claim.deviationid, error=error)

    def _retry_later(
        self,
        claim: Claim,
        exc: DeviantArtError,
        settings: CommentSettings,
        message_id: int | None,
        body: str,
    ) -> StepResult:
        now = self._clock.now()
        attempts = claim.item.attempts + 1
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        if attempts >= settings.max_attempts:
            error = f"{_describe(exc)} (gave up after {attempts} attempts)"
            with self._uow_factory() as uow:
                if not uow.queue.mark_failed(claim, error, now):
                    return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
                self._log(uow, claim, LogStatus.FAILED, error, message_id, body, now)
                uow.commit()
            return StepResult(
                StepOutcome.FAILED,
                deviationid=claim.deviationid,
                error=error,
                retry_after=retry_after,
            )
        backoff = min(RETRY_BACKOFF * 2 ** (attempts - 1), RETRY_BACKOFF_MAX)
        if retry_after is not None:
            backoff = max(backoff, timedelta(seconds=retry_after))
        next_attempt_at = now + backoff
        error = f"{_describe(exc)} (retry {attempts} at {next_attempt_at:%H:%M:%S} UTC)"
        with self._uow_factory() as uow:
            if not uow.queue.mark_retry(claim, error, next_attempt_at, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            self._log(uow, claim, LogStatus.FAILED, error, message_id, body, now)
            uow.commit()
        return StepResult(
            StepOutcome.RETRY, deviationid=claim.deviationid, error=error, retry_after=retry_after
        )

    def _unknown(
        self,
        claim: Claim,
        exc: DeviantArtError,
        me: Me,
        message_id: int | None,
        body: str,
        stop: threading.Event,
    ) -> StepResult:
        now = self._clock.now()
        error = f"{_describe(exc)} (outcome unknown: checking the comments)"
        with self._uow_factory() as uow:
            if not uow.queue.mark_unknown(claim, error, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=claim.deviationid)
            self._log(uow, claim, LogStatus.UNKNOWN, error, message_id, body, now)
            uow.commit()
        settled = self.reconciler.reconcile(claim.deviationid, me, stop)
        if settled.outcome is StepOutcome.SENT:
            return settled
        return StepResult(StepOutcome.UNKNOWN, deviationid=claim.deviationid, error=error)

    def _rate_limit_storm(self, claim: Claim, exc: RateLimited) -> StepResult:
        now = self._clock.now()
        pause = max(RATE_LIMIT_PAUSE, timedelta(seconds=exc.retry_after or 0))
        until = now + pause
        reason = f"rate limited until {until:%H:%M:%S} UTC"
        self._release(claim, log=f"{_describe(exc)}; worker paused: {reason}")
        self._rate_limited_in_a_row = 0
        report_progress(
            self._uow_factory, now, state=STATE_PAUSED, reason=reason, waiting_until=until
        )
        return StepResult(
            StepOutcome.PAUSED,
            deviationid=claim.deviationid,
            error=reason,
            retry_after=exc.retry_after,
            pause_until=until,
        )

    def _edge_blocked(self, claim: Claim | None, exc: EdgeBlocked) -> StepResult:
        """The CDN refused this machine: nothing was delivered; give the row back and pause."""
        until = exc.retry_at or self._clock.now() + EDGE_PAUSE_FALLBACK
        reason = exc.message
        if claim is not None:
            self._release(claim, log=reason, reason=reason)
        self._rate_limited_in_a_row = 0
        return StepResult(
            StepOutcome.PAUSED,
            deviationid=claim.deviationid if claim else None,
            error=reason,
            pause_until=until,
        )

    def _wait_not_sent(self, claim: Claim, exc: RateLimited) -> StepResult:
        """The client would not break a wait DeviantArt imposed: not sent, no attempt spent."""
        until = self._clock.now() + timedelta(seconds=exc.retry_after or 0)
        self._release(claim)
        return StepResult(
            StepOutcome.PAUSED,
            deviationid=claim.deviationid,
            error=exc.message,
            retry_after=exc.retry_after,
            pause_until=until,
        )

    def _endpoint_gone(self, claim: Claim, exc: EndpointGone) -> StepResult:
        """DeviantArt removed the comment endpoint: nothing can be posted; stop, keep the row."""
        reason = f"{exc.message}: the worker stopped (no comment can be posted this way)"
        self._release(claim, log=reason)
        self._stop_worker(reason)
        return StepResult(StepOutcome.BLOCKED, deviationid=claim.deviationid, error=reason)

    def _throttle_burst(self, claim: Claim, exc: RequestRejected) -> StepResult | None:
        """The result of an action throttle if this refusal completes a burst, else None."""
        key = (exc.error, exc.error_code)
        if (claim.item.last_error or "").startswith(THROTTLE_RETURNED):
            # Given back by a throttle once and refused the same way on its own: the row.
            self._rejections.clear()
            return None
        if self._rejections and (
            self._rejections[-1][1] != key
            or any(d == claim.deviationid for d, _ in self._rejections)
        ):
            self._rejections.clear()
        self._rejections.append((claim.deviationid, key))
        if len(self._rejections) < THROTTLE_BURST:
            return None
        earlier = [d for d, _ in self._rejections[:-1]]
        self._rejections.clear()
        return self._action_throttled(claim, exc, earlier)

    def _action_throttled(
        self, claim: Claim, exc: RequestRejected, earlier: list[str]
    ) -> StepResult:
        """Give the burst's rows back (attempts returned) and pause posting, doubling."""
        now = self._clock.now()
        what = f"HTTP {exc.status} {exc.error or 'error'}"
        if exc.error_code is not None:
            what += f", error_code {exc.error_code}"
        count = len(earlier) + 1
        with self._uow_factory() as uow:
            row = uow.penalties.get_many([PENALTY_POST]).get(PENALTY_POST)
            streak = (row.streak if row is not None else 0) + 1
            pause = min(THROTTLE_PAUSE * 2 ** min(streak - 1, 16), THROTTLE_PAUSE_MAX)
            until = now + pause
            reason = (
                f"DeviantArt throttled comment posting ({what} on {count} posts in a row): "
                f"paused until {until:%H:%M} UTC; those {count} comments were queued again "
                "without counting an attempt"
            )
            row_reason = f"{THROTTLE_RETURNED} ({what}); tried again after {until:%H:%M} UTC"
            uow.penalties.impose(PENALTY_POST, until, reason, now, streak=streak)
            for deviationid in earlier:
                if uow.queue.unfail(deviationid, row_reason, now):
                    uow.logs.append(
                        deviationid=deviationid,
                        status=LogStatus.FAILED,
                        now=now,
                        error_message=f"{row_reason} (not counted as an attempt)",
                    )
            released = uow.queue.release(claim, now, reason=row_reason)
            if released:
                uow.logs.append(
                    deviationid=claim.deviationid,
                    status=LogStatus.FAILED,
                    now=now,
                    error_message=f"{row_reason} (not counted as an attempt)",
                )
            uow.commit()
        logger.warning("%s", reason)
        self._post_streak_unchecked = True
        modify_control(
            self._uow_factory,
            lambda c: replace(
                c,
                consecutive_failures=max(0, c.consecutive_failures - len(earlier)),
                updated_at=now,
            ),
        )
        return StepResult(
            StepOutcome.PAUSED, deviationid=claim.deviationid, error=reason, pause_until=until
        )

    def _end_post_streak(self) -> None:
        """A comment went through: the next action throttle pauses 15 minutes again."""
        if not self._post_streak_unchecked:
            return
        self._post_streak_unchecked = False
        with self._uow_factory() as uow:
            row = uow.penalties.get_many([PENALTY_POST]).get(PENALTY_POST)
            if row is not None and row.streak:
                uow.penalties.clear(PENALTY_POST, self._clock.now())
                uow.commit()

    def _account_problem(self, claim: Claim | None, exc: PhotomanagerError) -> StepResult:
        now = self._clock.now()
        if isinstance(exc, AccountRestricted):
            reason = (
                "DeviantArt restricted the account "
                f"({_describe(exc)}): the worker stopped and will not retry by itself; "
                "check your DeviantArt account before starting it again"
            )
            state, outcome = STATE_BLOCKED, StepOutcome.BLOCKED
        else:
            reason = REASON_RECONNECT
            if isinstance(exc, InsufficientScope):
                reason = f"{REASON_RECONNECT} (a permission is missing)"
            state, outcome = STATE_PAUSED, StepOutcome.PAUSED
        if claim is not None:
            self._release(claim, log=f"{exc.code}: {reason}")
        stop_all_workers(self._uow_factory, now, state=state, reason=reason)
        deviationid = claim.deviationid if claim else None
        return StepResult(outcome, deviationid=deviationid, error=reason)

    def _release(self, claim: Claim, *, log: str | None = None, reason: str | None = None) -> None:
        """Give the row back to `pending` without spending an attempt (`reason`: its words)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            released = uow.queue.release(claim, now, reason=reason)
            if released and log is not None:
                uow.logs.append(
                    deviationid=claim.deviationid,
                    status=LogStatus.FAILED,
                    now=now,
                    error_message=f"{log} (not counted as an attempt)",
                )
            uow.commit()

    def _log(
        self,
        uow: UnitOfWork,
        claim: Claim,
        status: LogStatus,
        error: str,
        message_id: int | None,
        body: str,
        now: datetime,
    ) -> None:
        uow.logs.append(
            deviationid=claim.deviationid,
            status=status,
            now=now,
            message_id=message_id,
            body=body,
            error_message=error,
        )

    def _count(self, result: StepResult, settings: CommentSettings) -> None:
        """Keep the consecutive-failure count; stop the worker when it reaches the limit."""
        if result.outcome is StepOutcome.SENT:
            control = read_control(self._uow_factory)
            if control.consecutive_failures:
                update_control(self._uow_factory, self._clock.now(), consecutive_failures=0)
            return
        if result.outcome not in (StepOutcome.FAILED, StepOutcome.RETRY, StepOutcome.UNKNOWN):
            return
        failures = count_failure(self._uow_factory, self._clock.now())
        if failures >= settings.max_consecutive_failures:
            self._stop_worker(f"stopped after {failures} failures in a row")

    def _stop_worker(self, reason: str) -> None:
        stop_all_workers(self._uow_factory, self._clock.now(), state=STATE_STOPPED, reason=reason)

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Loop until the desired state is `stopped` or `stop` is set (see `WorkerLoop`)."""
        WorkerLoop(
            worker=self,
            uow_factory=self._uow_factory,
            api=self._api,
            clock=self._clock,
            rng=self._rng,
            sleep=self._sleep,
            poll_interval=self._poll_interval,
            max_wait_chunk=self._max_wait_chunk,
            idle_task=self._idle_task,
        ).run(stop)


def _describe(exc: PhotomanagerError) -> str:
    """A short, secret-free description of an error for the log and the queue row."""
    status = getattr(exc, "status", None)
    prefix = f"{exc.code} (HTTP {status})" if status else exc.code
    return f"{prefix}: {exc.message}"
