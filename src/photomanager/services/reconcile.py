"""Reconciliation: did a POST whose outcome is unknown land on DeviantArt?

There is no idempotency key, so an `unknown` row is never re-posted blindly.
We read the deviation's comments back and look for ours (our account, posted
at or after the claim minus a small clock skew, same body fingerprint):
found -> `commented` with that comment id; not found once the grace period
after the claim is over -> `pending` again; otherwise it stays `unknown`.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import Cancelled, DeviantArtError, InvalidInput, RequestRejected
from photomanager.domain.models import Claim, Comment, LogStatus, QueueItem, QueueStatus
from photomanager.services.body_hash import body_hash
from photomanager.services.filters import Me
from photomanager.services.outcomes import StepOutcome, StepResult
from photomanager.services.ports import DeviantArtApi, UnitOfWorkFactory

logger = logging.getLogger(__name__)

# A `sending` row older than this lost its worker. Must exceed the longest a live
# worker can take from its claim to the end of its POST (client timeouts plus the
# POST retry budget), and the worker refuses to POST once POST_DEADLINE has passed.
CLAIM_LEASE = timedelta(seconds=300)
POST_DEADLINE = timedelta(seconds=120)
GRACE = timedelta(seconds=60)  # how long a posted comment may take to show up
CLOCK_SKEW = timedelta(seconds=120)  # our clock against DeviantArt's `posted`
PAGE_SIZE = 50
MAX_PAGES = 100  # beyond 5,000 comments the row stays `unknown`: never re-post blindly
REVISIT = timedelta(minutes=10)  # how often an unverifiable row is read back again

CONFIRMED = "confirmed by reading the comments back"
UNVERIFIABLE = "too many comments to find ours: left unknown, check it by hand"


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
        grace: timedelta = GRACE,
        skew: timedelta = CLOCK_SKEW,
    ) -> None:
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self.lease = lease
        # Well inside the lease, so a frozen worker gives up before others take over.
        self.post_deadline = post_deadline or min(POST_DEADLINE, lease / 2)
        self.grace = grace
        self.skew = skew

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
        """Try to settle up to `limit` unknown rows; stops early on a stop request."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            unknown = uow.queue.list_unknown(limit)
        results = []
        for item in unknown:
            if stop.is_set():
                break
            if item.claim_token is not None and item.updated_at and now - item.updated_at < REVISIT:
                continue  # could not be verified a moment ago: do not hammer DeviantArt
            results.append(self.reconcile(item.deviationid, me, stop))
        return results

    def reconcile(self, deviationid: str, me: Me, stop: threading.Event) -> StepResult:
        """Settle one `unknown` row (see the module docstring).

        The comments are read before the row is claimed: claiming rewrites
        `claimed_at`, which anchors the grace period and the time filter.
        """
        with self._uow_factory() as uow:
            item = uow.queue.get(deviationid)
        if item is None or item.status is not QueueStatus.UNKNOWN:
            return StepResult(StepOutcome.LOST_CLAIM, deviationid=deviationid)
        anchor = item.claimed_at or item.updated_at or self._clock.now()
        try:
            found = self._find_ours(item, me, anchor - self.skew, stop)
        except Cancelled:
            return StepResult(StepOutcome.STOPPED, deviationid=deviationid)
        except (RequestRejected, InvalidInput) as exc:
            # Deleted, closed or blocked: a new POST gets the same answer and fails the
            # row for good, and a comment that cannot be read cannot be duplicated.
            return self._not_delivered(item, f"read-back refused ({exc.code}): {exc.message}")
        except _TooManyComments:
            self._touch(item)
            return StepResult(StepOutcome.UNKNOWN, deviationid=deviationid, error=UNVERIFIABLE)
        except DeviantArtError as exc:
            return StepResult(StepOutcome.UNKNOWN, deviationid=deviationid, error=exc.code)
        if found is not None:
            return self._found(item, found)
        if self._clock.now() < anchor + self.grace:
            return StepResult(StepOutcome.UNKNOWN, deviationid=deviationid)
        return self._not_delivered(
            item, "not delivered: our comment is not on the deviation; queued again"
        )

    def _find_ours(
        self, item: QueueItem, me: Me, posted_from: datetime, stop: threading.Event
    ) -> Comment | None:
        wanted = item.body_hash
        if wanted is None:
            # The row was claimed but never got a body: nothing can have been posted.
            return None
        offset = 0
        for page_no in range(MAX_PAGES):
            if stop.is_set() or (page_no and stop.wait(self._api.get_recommended_delay())):
                raise Cancelled("reconciliation stopped")
            page = self._api.list_comments(item.deviationid, offset=offset, limit=PAGE_SIZE)
            for comment in page.thread:
                if (
                    me.is_author(comment.author.userid, comment.author.username)
                    and comment.posted >= posted_from
                    and body_hash(comment.body) == wanted
                ):
                    return comment
            if not page.has_more or page.next_offset is None:
                return None
            offset = page.next_offset
        raise _TooManyComments

    def _claim(self, item: QueueItem) -> Claim | None:
        now = self._clock.now()
        with self._uow_factory() as uow:
            claim = uow.queue.claim_unknown(item.deviationid, now)
            uow.commit()
        return claim

    def _found(self, item: QueueItem, comment: Comment) -> StepResult:
        claim = self._claim(item)
        if claim is None:
            return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
        now = self._clock.now()
        body = item.body or comment.body
        with self._uow_factory() as uow:
            ok = uow.queue.mark_commented(
                claim,
                commentid=comment.commentid,
                message_id=item.message_id,
                body_hash=item.body_hash or body_hash(comment.body),
                body=body,
                now=now,
            )
            if not ok:
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
            uow.logs.append(
                deviationid=item.deviationid,
                status=LogStatus.SENT,
                now=now,
                message_id=item.message_id,
                commentid=comment.commentid,
                body=body,
                error_message=CONFIRMED,
            )
            uow.commit()
        return StepResult(
            StepOutcome.SENT, deviationid=item.deviationid, commentid=comment.commentid, body=body
        )

    def _not_delivered(self, item: QueueItem, message: str) -> StepResult:
        claim = self._claim(item)
        if claim is None:
            return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
        now = self._clock.now()
        with self._uow_factory() as uow:
            if not uow.queue.resolve_unknown_pending(claim, now):
                return StepResult(StepOutcome.LOST_CLAIM, deviationid=item.deviationid)
            uow.logs.append(
                deviationid=item.deviationid,
                status=LogStatus.FAILED,
                now=now,
                message_id=item.message_id,
                body=item.body,
                error_message=message,
            )
            uow.commit()
        return StepResult(StepOutcome.RETRY, deviationid=item.deviationid, error=message)

    def _touch(self, item: QueueItem) -> None:
        """Move an unverifiable row to the back of the reconciliation order."""
        self._claim(item)


class _TooManyComments(Exception):
    """The comment thread is longer than we are willing to read back."""
