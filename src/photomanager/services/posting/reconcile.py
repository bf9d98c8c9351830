"""Reconciliation: did a POST whose outcome is unknown land on DeviantArt?

There is no idempotency key, so an `unknown` row is never re-posted blindly.
We read the deviation's comments back and look for ours: ANY top-level comment
by our account (userid, else username) counts, whatever its text or time - we
never want two comments of ours under one deviation, and a comment the artist
wrote by hand means "done" too. A reply of ours (a comment with a `parentid`:
an answer typed in the inbox) is not our comment on the work. Whether its text
matches the row's body is logged, nothing more (DeviantArt may return the text
transformed).

- found -> `commented` with that comment id (ledger; one `sent` log row);
- the read-back is refused about the deviation (a 400: deleted, comments
  closed, blocked) -> `failed`;
- the read-back fails with an answer that says nothing about the deviation
  (the endpoint is gone - DeviantArt-API#825 - or another 4xx) -> it stays
  `unknown` with `CANNOT_VERIFY` as its reason: never `pending` (that could
  post twice), never `failed`; the artist settles it. A gone endpoint is not
  read again for `GONE_RECHECK` (kept in the database for every process);
- not found: only after the grace period counted from when the row became
  `unknown` (the uncertain attempt ended, or the lease expired), and only on
  a second "not found" read at least `recheck` after the first, -> `pending`;
  otherwise it stays `unknown`.

Every write is a compare-and-set on the row snapshot the decision was made
on, so a reconciler working from a stale read changes nothing.

Timing invariant, checked at construction: `lease >= post_deadline + one full
attempt + margin`. The worker gives the client `claimed_at + post_deadline` as
its deadline and the client starts no attempt that could end after it, so once
a lease has run out no POST of that claim can still be in flight.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from photomanager.domain.body_hash import body_hash
from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    Cancelled,
    DeviantArtError,
    EdgeBlocked,
    EndpointGone,
    InvalidInput,
    RateLimited,
    RequestRejected,
)
from photomanager.domain.models import (
    PENALTY_GONE,
    Author,
    Comment,
    LogStatus,
    QueueItem,
    QueueStatus,
)
from photomanager.services.account.identity import Me
from photomanager.services.ports import DeviantArtApi, UnitOfWork, UnitOfWorkFactory
from photomanager.services.posting.outcomes import StepOutcome, StepResult

logger = logging.getLogger(__name__)

# A `sending` row older than this lost its worker (see the timing invariant).
CLAIM_LEASE = timedelta(seconds=300)
POST_DEADLINE = timedelta(seconds=120)
# One POST attempt at worst: the client's connect + write + read timeouts (10 + 30 + 30 s).
ATTEMPT_TIMEOUT = timedelta(seconds=70)
LEASE_MARGIN = timedelta(seconds=30)  # clock drift between workers, database latency
GRACE = timedelta(minutes=5)  # how long a posted comment may take to show up
RECHECK = timedelta(minutes=1)  # two "not found" reads at least this far apart
PAGE_SIZE = 50
MAX_PAGES = 100  # beyond 5,000 comments the row stays `unknown`: never re-post blindly
REVISIT = timedelta(minutes=10)  # how often an unverifiable row is read back again

CONFIRMED = "confirmed by reading the comments back"
TEXT_DIFFERS = "; its text differs from ours (counted as ours: it is by our account)"
UNVERIFIABLE = (
    "too many comments to find ours: left unknown; check the deviation, then settle it "
    "with `photomanager queue resolve ID --posted` or `--not-posted`"
)
NOT_FOUND_ONCE = "our comment is not on the deviation yet: checking once more"
NOT_DELIVERED = "not delivered: our comment is not on the deviation; queued again"
NEVER_SENT = "never got a body, so nothing was posted; queued again"
# The read-back endpoint, and how often one known to be gone is tried again.
READ_BACK_PATH = "comments/deviation"
GONE_RECHECK = timedelta(hours=1)
CANNOT_VERIFY = (
    "cannot verify whether the comment was posted ({why}); left unknown and never posted "
    "again by itself: look at the deviation on DeviantArt, then settle it with "
    '"Posted" or "Not posted" on the page, or `photomanager queue resolve ID --posted` '
    "or `--not-posted`"
)


class Reconciler:
    """Expires lost claims and settles `unknown` rows by reading comments back."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        api: DeviantArtApi,
        clock: Clock,
        lease: timedelta = CLAIM_LEASE,
        post_deadline: timedelta | None = None,
        attempt_timeout: timedelta = ATTEMPT_TIMEOUT,
        margin: timedelta = LEASE_MARGIN,
        grace: timedelta = GRACE,
        recheck: timedelta = RECHECK,
    ) -> None:
        """ValueError unless `lease >= post_deadline + attempt_timeout + margin`."""
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self.lease = lease
        self.post_deadline = post_deadline or min(POST_DEADLINE, lease - attempt_timeout - margin)
        self.attempt_timeout = attempt_timeout
        self.grace = grace
        self.recheck = recheck
        if self.post_deadline <= timedelta(0) or (
            lease < self.post_deadline + attempt_timeout + margin
        ):
            raise ValueError(
                "the claim lease must cover the post deadline plus one full attempt and a margin"
            )

    def expire_claims(self) -> int:
        """Turn `sending` rows whose lease ran out (their worker died) into `unknown`."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            expired = uow.queue.expire_claims(now - self.lease, now)
            uow.commit()
        if expired:
            logger.warning("%d claim(s) expired: reconciling them", expired)
        return expired

    def reconcile_all(self, me: Me, stop: threading.Event, *, limit: int = 20) -> list[StepResult]:
        """Try to settle up to `limit` due unknown rows.

        Waits DeviantArt's recommended delay between rows; stops early on a
        stop request or at the first RateLimited (the rest wait for next time).
        """
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            unknown = uow.queue.list_unknown(limit)
            gone = self._gone_until(uow, now)
        if gone is not None:
            return []  # the read-back endpoint is gone: not asked again before `gone`
        results: list[StepResult] = []
        for item in unknown:
            if stop.is_set():
                break
            if not self._due(item, now):
                continue
            if results and stop.wait(self._api.get_recommended_delay()):
                break
            try:
                results.append(self._reconcile(item.deviationid, me, stop))
            except (RateLimited, EdgeBlocked) as exc:
                results.append(_rate_limited(item.deviationid, exc))
                break
            except _Gone as gone_now:
                results.append(gone_now.result)
                break
        return results

    def reconcile(self, deviationid: str, me: Me, stop: threading.Event) -> StepResult:
        """Settle one `unknown` row (see the module docstring)."""
        with self._uow_factory(read_only=True) as uow:
            gone = self._gone_until(uow, self._clock.now())
            item = uow.queue.get(deviationid)
        if gone is not None and item is not None and item.status is QueueStatus.UNKNOWN:
            return self._unverifiable(
                item, _gone_reason(f"DeviantArt no longer offers {READ_BACK_PATH}", gone)
            )
        try:
            return self._reconcile(deviationid, me, stop)
        except (RateLimited, EdgeBlocked) as exc:
            return _rate_limited(deviationid, exc)
        except _Gone as gone_now:
            return gone_now.result

    def _due(self, item: QueueItem, now: datetime) -> bool:
        """Whether reading this row back now can settle anything."""
        # Inside the grace a read can still find our comment (and settle the row early).
        checked = item.reconcile_checked_at
        if checked is not None:
            return now - checked >= self.recheck
        if item.claim_token is not None and item.updated_at is not None:
            # Only `_touch` leaves the reconciler's token on a row: it was unverifiable.
            return now - item.updated_at >= REVISIT
        return True

    def _anchor(self, item: QueueItem) -> datetime:
        """When the grace starts: the row became `unknown` (no POST of it in flight after)."""
        if item.unknown_since is not None:
            return item.unknown_since
        # Rows made unknown before `unknown_since` existed: the latest safe guess.
        updated = item.updated_at or self._clock.now()
        return max(updated, (item.claimed_at or updated) + self.lease)

    def _reconcile(self, deviationid: str, me: Me, stop: threading.Event) -> StepResult:
        with self._uow_factory(read_only=True) as uow:
            item = uow.queue.get(deviationid)
        if item is None or item.status is not QueueStatus.UNKNOWN:
            return StepResult(StepOutcome.LOST_CLAIM, deviationid=deviationid)
        if item.body_hash is None:
            # Claimed but never given a body (committed before any POST): nothing was sent.
            return self._settle(item, StepOutcome.RETRY, NEVER_SENT)
        try:
            found = self._find_ours(item, me, stop)
        except Cancelled:
            return StepResult(StepOutcome.STOPPED, deviationid=deviationid)
        except EndpointGone as exc:
            raise _Gone(self._endpoint_gone(item, exc)) from None
        except RequestRejected as exc:
            if exc.status not in (None, 400):
                # A 404 or other 4xx says nothing about the deviation: cannot verify.
                why = f"the read-back answered {exc.status}: {exc.message}"
                return self._unverifiable(item, CANNOT_VERIFY.format(why=why))
            return self._refused(item, exc)
        except InvalidInput as exc:
            return self._refused(item, exc)
        except _TooManyComments:
            self._touch(item)
            return StepResult(StepOutcome.UNKNOWN, deviationid=deviationid, error=UNVERIFIABLE)
        except (RateLimited, EdgeBlocked):
            raise
        except DeviantArtError as exc:
            return StepResult(StepOutcome.UNKNOWN, deviationid=deviationid, error=exc.code)
        if found is not None:
            return self._found(item, found)
        now = self._clock.now()
        if now < self._anchor(item) + self.grace:
            return StepResult(StepOutcome.UNKNOWN, deviationid=deviationid)
        checked = item.reconcile_checked_at
        if checked is None:
            return self._note_not_found(item)
        if now - checked < self.recheck:
            return StepResult(StepOutcome.UNKNOWN, deviationid=deviationid, error=NOT_FOUND_ONCE)
        return self._settle(item, StepOutcome.RETRY, NOT_DELIVERED)

    def _refused(self, item: QueueItem, exc: DeviantArtError | InvalidInput) -> StepResult:
        """Deleted, closed or blocked: a new POST would be refused as well, and a
        comment that cannot be read back must not be risked twice."""
        reason = f"read-back refused ({exc.code}): {exc.message}; not posted again"
        return self._settle(item, StepOutcome.FAILED, reason)

    def _gone_until(self, uow: UnitOfWork, now: datetime) -> datetime | None:
        """When the read-back endpoint, known to be gone, may be tried again (None: not gone)."""
        scope = PENALTY_GONE + READ_BACK_PATH
        penalty = uow.penalties.get_many([scope]).get(scope)
        return penalty.not_before if penalty is not None and penalty.active(now) else None

    def _endpoint_gone(self, item: QueueItem, exc: EndpointGone) -> StepResult:
        """Remember (for every process) that the read-back is gone; the row stays unknown."""
        now = self._clock.now()
        until = now + GONE_RECHECK
        with self._uow_factory() as uow:
            uow.penalties.impose(
                PENALTY_GONE + (exc.path or READ_BACK_PATH), until, exc.message, now
            )
            uow.commit()
        logger.warning(
            "%s: unknown rows cannot be verified; next check at %s UTC",
            exc.message,
            f"{until:%H:%M:%S}",
        )
        return self._unverifiable(item, _gone_reason(exc.message, until))

    def _unverifiable(self, item: QueueItem, reason: str) -> StepResult:
        """The row stays `unknown`, saying why and how to settle it (written once)."""
        if item.last_error != reason:
            now = self._clock.now()
            with self._uow_factory() as uow:
                claim = uow.queue.claim_unknown(item.deviationid, now, seen=item)
                if claim is not None and uow.queue.note_unverifiable(claim, reason, now):
                    uow.commit()
        return StepResult(StepOutcome.UNKNOWN, deviationid=item.deviationid, error=reason)

    def _find_ours(self, item: QueueItem, me: Me, stop: threading.Event) -> Comment | None:
        offset = 0
        for page_no in range(MAX_PAGES):
            if stop.is_set() or (page_no and stop.wait(self._api.get_recommended_delay())):
                raise Cancelled("reconciliation stopped")
            page = self._api.list_comments(item.deviationid, offset=offset, limit=PAGE_SIZE)
            for comment in page.thread:
                # A reply of ours (an answer from the inbox) is not our comment on the work.
                if comment.parentid is None and is_ours(me, comment.author):
                    return comment
            if not page.has_more or page.next_offset is None:
                return None
            offset = page.next_offset
        raise _TooManyComments

    def _found(self, item: QueueItem, comment: Comment) -> StepResult:
        now = self._clock.now()
        same_text = body_hash(comment.body) == item.body_hash
        logger.info(
            "found our comment %s on %s (%s)",
            comment.commentid,
            item.deviationid,
            "same text" if same_text else "different text, counted as ours",
        )
        body = item.body if same_text and item.body else comment.body
        with self._uow_factory() as uow:
            claim = uow.queue.claim_unknown(item.deviationid, now, seen=item)
            if claim is None:
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
            # Only the first to record the comment logs it (a late worker success may race us).
            first_record = uow.ledger.add(item.deviationid, now, author=item.author)
            if not uow.queue.mark_commented(
                claim,
                commentid=comment.commentid,
                message_id=item.message_id,
                body_hash=body_hash(body),
                body=body,
                now=now,
            ):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
            if first_record:
                # One `sent` row per comment: the caps count these rows.
                uow.logs.append(
                    deviationid=item.deviationid,
                    status=LogStatus.SENT,
                    now=now,
                    message_id=item.message_id,
                    commentid=comment.commentid,
                    body=body,
                    error_message=CONFIRMED if same_text else CONFIRMED + TEXT_DIFFERS,
                )
            uow.commit()
        return StepResult(
            StepOutcome.SENT, deviationid=item.deviationid, commentid=comment.commentid, body=body
        )

    def _settle(self, item: QueueItem, outcome: StepOutcome, message: str) -> StepResult:
        """`unknown` -> `pending` (RETRY) or `failed` (FAILED), with a `failed` log row."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            claim = uow.queue.claim_unknown(item.deviationid, now, seen=item)
            if claim is None:
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
            if outcome is StepOutcome.FAILED:
                ok = uow.queue.mark_failed(claim, message, now)
            else:
                ok = uow.queue.resolve_unknown_pending(claim, now)
            if not ok:
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
            _log_failed(uow, item, message, now)
            uow.commit()
        return StepResult(outcome, deviationid=item.deviationid, error=message)

    def _note_not_found(self, item: QueueItem) -> StepResult:
        now = self._clock.now()
        with self._uow_factory() as uow:
            claim = uow.queue.claim_unknown(item.deviationid, now, seen=item)
            if claim is None or not uow.queue.note_not_found(claim, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
            uow.commit()
        return StepResult(StepOutcome.UNKNOWN, deviationid=item.deviationid, error=NOT_FOUND_ONCE)

    def _touch(self, item: QueueItem) -> None:
        """Move an unverifiable row to the back of the reconciliation order."""
        with self._uow_factory() as uow:
            uow.queue.claim_unknown(item.deviationid, self._clock.now(), seen=item)
            uow.commit()


def is_ours(me: Me, author: Author) -> bool:
    """By our account: the userid decides when both sides have one, else the name."""
    if me.userid and author.userid:
        return me.userid.lower() == author.userid.lower()
    return bool(me.username and author.username and me.username.lower() == author.username.lower())


def _log_failed(uow: UnitOfWork, item: QueueItem, message: str, now: datetime) -> None:
    uow.logs.append(
        deviationid=item.deviationid,
        status=LogStatus.FAILED,
        now=now,
        message_id=item.message_id,
        body=item.body,
        error_message=message,
    )


def _rate_limited(deviationid: str, exc: RateLimited | EdgeBlocked) -> StepResult:
    return StepResult(
        StepOutcome.UNKNOWN,
        deviationid=deviationid,
        error=f"{exc.code}: {exc.message}",
        retry_after=exc.retry_after if isinstance(exc, RateLimited) else None,
    )


def _gone_reason(gone: str, until: datetime) -> str:
    return CANNOT_VERIFY.format(why=f"{gone}; checked again after {until:%H:%M} UTC")


class _Gone(Exception):
    """The read-back endpoint is gone: stop reading back; `result` is this row's."""

    def __init__(self, result: StepResult) -> None:
        super().__init__("read-back endpoint gone")
        self.result = result


class _TooManyComments(Exception):
    """The comment thread is longer than we are willing to read back."""
