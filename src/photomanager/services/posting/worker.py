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
6. record the outcome by kind (see `error_outcomes`): success, permanent failure,
   surely-not-delivered retry, unknown (then reconcile), account pause, block;
   and DeviantArt's failure modes that are not about the row: the CDN's
   block (`EdgeBlocked`) and a wait the client refused to break (`RateLimited`
   with no status: nothing sent) give the row back and pause; a removed
   comment endpoint stops the worker; `THROTTLE_BURST` POSTs in a row on
   different deviations refused with the same 400 `error`/`error_code` are an
   action throttle (see `throttle_burst`): those rows go back to `pending` with their attempts given
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

Where each step lives: this module claims and orders the steps and POSTs;
`metadata_step` reads and screens unread rows (2), `rendering` renders, dry-runs
and parks for review (3, 4), `recording` writes what became of the row, and
`error_outcomes` (with `throttle_burst`) decides by kind of error (6).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from photomanager.domain.body_hash import body_hash
from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    AccountRestricted,
    Cancelled,
    DeviantArtError,
    EdgeBlocked,
    InvalidInput,
    NotConnected,
    PostDeadlinePassed,
    RateLimited,
)
from photomanager.domain.models import (
    Claim,
    CommentSettings,
    QueueStatus,
    SourceKind,
)
from photomanager.domain.templates import DEFAULT_MAX_LENGTH
from photomanager.services.account.identity import Me, lookup_me
from photomanager.services.ports import (
    DeviantArtApi,
    LanguageDetector,
    UnitOfWork,
    UnitOfWorkFactory,
)
from photomanager.services.posting import crashpoints
from photomanager.services.posting.author_limits import author_limit_reason, author_limits_apply
from photomanager.services.posting.error_outcomes import ACCOUNT_ERRORS, ErrorOutcomes
from photomanager.services.posting.metadata_step import MetadataStep
from photomanager.services.posting.outcomes import StepOutcome, StepResult
from photomanager.services.posting.reconcile import Reconciler
from photomanager.services.posting.recording import Recorder, describe
from photomanager.services.posting.rendering import DRY_RUN_REASON, Rendering
from photomanager.services.posting.worker_loop import MAX_WAIT_CHUNK_S, WorkerLoop

REASON_NO_TEMPLATES = "no active templates"
# Texts parked for review at once. Rendering the whole feed ahead would leave the
# artist a wall to read and texts rendered days before they are approved.
REVIEW_BACKLOG = 50


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
    ) -> None:
        """`sleep(stop, seconds)` replaces the loop's waits (tests advance a fake clock).

        `max_length`: the longest comment DeviantArt takes; a longer text fails its row.
        `language_detector`: for rows whose metadata the worker reads itself (None: unclear).
        """
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self._rng = rng
        self.reconciler = reconciler or Reconciler(uow_factory=uow_factory, api=api, clock=clock)
        self._sleep = sleep
        self._poll_interval = poll_interval
        self._max_wait_chunk = max_wait_chunk
        self._max_length = max_length
        self._recorder = Recorder(uow_factory=uow_factory, clock=clock)
        self._errors = ErrorOutcomes(
            uow_factory=uow_factory,
            clock=clock,
            recorder=self._recorder,
            reconciler=self.reconciler,
        )
        self._metadata = MetadataStep(
            uow_factory=uow_factory,
            clock=clock,
            recorder=self._recorder,
            errors=self._errors,
            language_detector=language_detector,
        )
        self._rendering = Rendering(uow_factory=uow_factory, clock=clock, rng=rng)

    # -- one step ---------------------------------------------------------------------------

    def run_once(self, stop: threading.Event | None = None) -> StepResult:
        """Claim, render, post and record one row; return what happened."""
        stop = stop or threading.Event()
        with self._uow_factory() as uow:
            settings = uow.settings.get()
            templates = uow.messages.list_active()
        if not templates:
            self._recorder.stop_worker(REASON_NO_TEMPLATES)
            return StepResult(StepOutcome.NO_TEMPLATES, error=REASON_NO_TEMPLATES)
        try:
            me = lookup_me(self._uow_factory, self._api, required=True)
        except (*ACCOUNT_ERRORS, AccountRestricted) as exc:
            return self._errors.account_problem(None, exc)
        except EdgeBlocked as exc:
            return self._errors.edge_blocked(None, exc)
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
            return self._recorder.skip(claim, limit_reason)
        if claim.item.enriched_at is None:
            unread = self._metadata.read(claim, settings, self._api, stop)
            if unread is not None:
                return unread
        try:
            message_id, body = self._rendering.render(claim, templates, me)
        except InvalidInput as exc:
            self._recorder.release(claim)
            reason = f"no active template can be rendered: {exc.message}"
            self._recorder.stop_worker(reason)
            return StepResult(StepOutcome.NO_TEMPLATES, deviationid=claim.deviationid, error=reason)
        fingerprint = body_hash(body)
        if settings.dry_run:
            return self._rendering.dry_run(claim, message_id, body)
        if claim.item.source.kind in settings.review_sources and claim.item.approved_at is None:
            # Not approved by the artist (a body rendered before review was switched on
            # is not an approval): park it, whatever text the row already carries.
            return self._rendering.park_for_review(claim, message_id, body, fingerprint)
        if len(body) > self._max_length:
            too_long = InvalidInput(
                f"the comment is {len(body)} characters long; "
                f"DeviantArt takes at most {self._max_length}: not posted"
            )
            result = self._recorder.fail(claim, too_long, message_id, body)
            self._recorder.count(result, settings)
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
            return self._recorder.released(
                claim, "not posted: the post deadline passed (worker paused)"
            )
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
            self._recorder.release(claim)
            return StepResult(StepOutcome.STOPPED, deviationid=claim.deviationid)
        except PostDeadlinePassed as exc:
            return self._recorder.released(claim, describe(exc))
        except DeviantArtError as exc:
            return self._errors.on_post_error(claim, exc, settings, me, message_id, body, stop)
        except NotConnected as exc:
            return self._errors.account_problem(claim, exc)
        except InvalidInput as exc:
            # Refused before any request (e.g. not a deviation id): permanent for this row.
            result = self._recorder.fail(claim, exc, message_id, body)
            self._recorder.count(result, settings)
            return result
        crashpoints.crashpoint(crashpoints.AFTER_POST)
        self._errors.post_succeeded()
        result = self._recorder.record_sent(claim, comment.commentid, message_id, fingerprint, body)
        crashpoints.crashpoint(crashpoints.AFTER_RECORD)
        self._recorder.count(result, settings)
        return result

    @staticmethod
    def _held_for_review(uow: UnitOfWork, settings: CommentSettings) -> tuple[SourceKind, ...]:
        """The reviewed sources whose unapproved rows wait: the review backlog is full."""
        if settings.dry_run or not settings.review_sources:
            return ()
        awaiting = uow.queue.get_stats()[QueueStatus.AWAITING_REVIEW]
        return settings.review_sources if awaiting >= REVIEW_BACKLOG else ()

    def requeue_dry_run(self) -> int:
        """Rows a dry run set aside go back to `pending` (call when dry run is off)."""
        with self._uow_factory() as uow:
            if uow.settings.get().dry_run:
                return 0
            count = uow.queue.requeue_skipped(DRY_RUN_REASON, self._clock.now())
            uow.commit()
        return count

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
        ).run(stop)
