"""The poller: reads DeviantArt's message center now and then, without slowing posting.

When a poll is due (`is_due`):
- `inbox_poll_minutes` is not 0, the token was granted `message` (a token known
  to lack it is never used for a poll: status asks the artist to reconnect), and
  no DeviantArt wait is in force on the account or the network (`Penalty`);
- and the last poll started at least `inbox_poll_minutes` ago, doubled after each
  poll that found nothing new, up to BACKOFF_MAX times (15, 30, 60, 60... min at
  the default); or the artist asked for a refresh since; or a catch-up was left
  unfinished (CATCH_UP_AFTER).

Where: in the worker loop's process, called in the worker's own waits when the
next post is at least MIN_SLACK away, with that post's time as a deadline (no
request starts after it): a poll never takes posting's turn. On demand, a
refresh runs once in a thread when no worker runs.

How: one process at a time (a lease row in the database, renewed with a page once
half spent). Pages newest first,
`stack=false` (a stack that comes anyway is expanded with
`messages/feedback/{stackid}`), at most MAX_PAGES per poll, each page with its
credits and the resume point in one transaction. It stops at the first page
holding a message it already has, at the end of the feed, or at the budget; then
the cursor it was given is kept and the next poll continues from there first
(so a long backlog or a killed poll leaves no hole). A 429 is not retried (the
poll stops and comes back later: the user's request budget belongs to posting),
nor is any DeviantArt wait waited out.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import (
    Cancelled,
    DeviantArtError,
    InsufficientScope,
    NotConnected,
    RequestRejected,
)
from photomanager.domain.inbox import InboxMessage, InboxPollState, MessagePage
from photomanager.domain.models import PENALTY_EDGE, PENALTY_USER
from photomanager.services import crashpoints
from photomanager.services.inbox.ingest import IngestResult, ingest_messages
from photomanager.services.ports import InboxApi, UnitOfWorkFactory

logger = logging.getLogger(__name__)

MESSAGE_SCOPE = "message"
MAX_PAGES = 3  # per poll: DeviantArt counts every call against posting's budget
STACK_PAGE = 50
MAX_STACK_PAGES = 2
BACKOFF_MAX = 4  # an empty poll doubles the interval, up to this multiple
CATCH_UP_AFTER = timedelta(minutes=1)
CHECK_EVERY = timedelta(seconds=10)  # how often the worker's waits look whether a poll is due
LEASE = timedelta(minutes=2)
# The worker's wait must leave at least this much: an idle worker looks at its queue again
# every 10 s, a paced one waits 45-120 s by default; a page is one request.
MIN_SLACK = timedelta(seconds=8)
REQUEST_MARGIN = timedelta(seconds=3)  # no request starts closer than this to the deadline
RECONNECT = "reconnect to read replies: the connection was made without the message scope"
_WAITS = (PENALTY_USER, PENALTY_EDGE)


def has_message_scope(scope: str) -> bool | None:
    """True/False when the token says which scopes it has; None when it does not say."""
    words = scope.split()
    return None if not words else MESSAGE_SCOPE in words


@dataclass(frozen=True, slots=True)
class PollResult:
    polled: bool
    pages: int = 0
    found: int = 0
    new: int = 0
    credited: int = 0
    error: str | None = None


@dataclass(slots=True)
class _Tally:
    """What the pages stored so far (kept when a later page fails)."""

    pages: int = 0
    found: int = 0
    new: int = 0
    credited: int = 0

    def add(self, page: IngestResult) -> None:
        self.pages += 1
        self.found += page.found
        self.new += page.new
        self.credited += page.credited

    def result(self, error: str | None) -> PollResult:
        return PollResult(True, self.pages, self.found, self.new, self.credited, error)


class InboxPoller:
    """Polls the message center (see the module docstring for when and how)."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        api: InboxApi,
        clock: Clock,
        max_pages: int = MAX_PAGES,
        owner: str | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._api = api
        self._clock = clock
        self._max_pages = max_pages
        self._owner = owner or uuid.uuid4().hex
        self._checked_at: datetime | None = None
        self._lease_until = datetime.min.replace(tzinfo=UTC)  # of the poll under way

    # -- when ---------------------------------------------------------------------

    def is_due(self, now: datetime) -> bool:
        """True when a poll should run now (see the module docstring)."""
        with self._uow_factory(read_only=True) as uow:
            settings = uow.settings.get()
            state = uow.inbox.get_poll()
            token = uow.tokens.get()
            waits = uow.penalties.get_many(_WAITS)
        scoped = has_message_scope(token.scope) if token is not None else False
        if scoped is False:
            return False
        if any(w.not_before is not None and w.not_before > now for w in waits.values()):
            return False
        leased = state.lease_until is not None and state.lease_until > now
        if leased and state.lease_owner != self._owner:
            return False
        requested = state.requested_at is not None and (
            state.started_at is None or state.requested_at > state.started_at
        )
        if requested:
            return True  # the artist asked: even with polling off
        if settings.inbox_poll_minutes == 0:
            return False
        if state.started_at is None:
            return True
        if state.needs_scope:
            # DeviantArt refused: a token that now says it has the scope is tried at once,
            # one that does not say waits for the artist to reconnect.
            return scoped is True
        if state.cursor is not None:
            return now - state.started_at >= CATCH_UP_AFTER
        factor = min(2**state.empty_polls, BACKOFF_MAX)
        return now - state.started_at >= timedelta(minutes=settings.inbox_poll_minutes * factor)

    def poll_if_due(self, stop: threading.Event, deadline: datetime | None = None) -> bool:
        """The worker's hook: poll when due and when the wait leaves room; never raises.

        True when it polled (the caller's wait is then planned afresh).
        """
        now = self._clock.now()
        if deadline is not None and deadline - now < MIN_SLACK:
            return False
        if self._checked_at is not None and now - self._checked_at < CHECK_EVERY:
            return False
        self._checked_at = now
        try:
            if not self.is_due(now):
                return False
            return self.poll(stop, deadline=deadline).polled
        except Exception:
            logger.exception("the inbox poll failed; it is tried again later")
            return True

    def request(self) -> None:
        """Ask for a poll soon (the next worker wait, or `poll` run by the caller)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            state = uow.inbox.get_poll()
            uow.inbox.save_poll(replace(state, requested_at=now))
            uow.commit()

    # -- how ----------------------------------------------------------------------

    def poll(self, stop: threading.Event, *, deadline: datetime | None = None) -> PollResult:
        """Read new messages, store them once and credit their outcomes."""
        started = self._clock.now()
        with self._uow_factory() as uow:
            if not uow.inbox.take_lease(self._owner, started + LEASE, started):
                return PollResult(polled=False, error="another process is polling")
            self._lease_until = started + LEASE
            state = uow.inbox.get_poll()
            uow.inbox.save_poll(replace(state, started_at=started, requested_at=None, error=None))
            days = uow.settings.get().attribution_days  # for the whole poll
            uow.commit()
        tally = _Tally()
        error: str | None = None
        needs_scope = False
        try:
            self._pages(state.cursor, stop, deadline, tally, days)
        except InsufficientScope:
            needs_scope, error = True, RECONNECT
        except Cancelled:
            error = None
        except (DeviantArtError, NotConnected) as exc:
            error = f"{exc.code}: {exc.message}; tried again later"
        except Exception:
            self._finish(tally.result(None), "unexpected error, see the logs", needs_scope=False)
            raise
        result = tally.result(error)
        self._finish(result, error, needs_scope=needs_scope)
        logger.info(
            "inbox poll: %d page(s), %d message(s), %d new, %d credited%s",
            result.pages,
            result.found,
            result.new,
            result.credited,
            f" ({error})" if error else "",
        )
        return result

    def _pages(
        self,
        cursor: str | None,
        stop: threading.Event,
        deadline: datetime | None,
        tally: _Tally,
        attribution_days: int,
    ) -> None:
        catching_up = cursor is not None
        for page_no in range(self._max_pages):
            if page_no and not self._may_continue(stop, deadline):
                break
            try:
                page = self._api.messages_feed(cursor, stack=False)
            except RequestRejected:
                if not catching_up:
                    raise
                # A resume point DeviantArt no longer takes: start again from the newest.
                logger.warning("DeviantArt refused the inbox resume point; reading from the top")
                self._save_cursor(None)
                cursor, catching_up = None, False
                continue
            messages = [*page.messages, *self._expand(page, stop, deadline)]
            ingested, done = self._store(
                page, messages, attribution_days, first=page_no == 0 and not catching_up
            )
            tally.add(ingested)
            if done and catching_up:
                # The hole is filled: what arrived at the top meanwhile comes next.
                cursor, catching_up = None, False
                continue
            if done:
                break
            cursor = page.cursor

    def _may_continue(self, stop: threading.Event, deadline: datetime | None) -> bool:
        """Space requests as DeviantArt asks; False when stopped, waited on, or out of time."""
        delay = self._api.get_recommended_delay()
        if deadline is not None:
            latest = deadline - REQUEST_MARGIN
            if self._clock.now() + timedelta(seconds=delay) > latest:
                return False
        if stop.wait(delay):
            return False
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            waits = uow.penalties.get_many(_WAITS)
        return not any(w.not_before is not None and w.not_before > now for w in waits.values())

    def _expand(
        self, page: MessagePage, stop: threading.Event, deadline: datetime | None
    ) -> list[InboxMessage]:
        """The messages of the stacks DeviantArt sent although we asked for none."""
        expanded: list[InboxMessage] = []
        for stackid, _count in page.stacks:
            offset: int | None = 0
            for _ in range(MAX_STACK_PAGES):
                if offset is None or not self._may_continue(stop, deadline):
                    return expanded
                stack = self._api.messages_feedback_stack(stackid, offset=offset, limit=STACK_PAGE)
                expanded.extend(stack.messages)
                offset = stack.next_offset if stack.has_more else None
        return expanded

    def _store(
        self, page: MessagePage, messages: list[InboxMessage], attribution_days: int, *, first: bool
    ) -> tuple[IngestResult, bool]:
        """One transaction: the messages, their credits, the resume point, the lease."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            ingested = ingest_messages(uow, messages, attribution_days=attribution_days, now=now)
            done = ingested.known > 0 or not page.has_more or page.cursor is None
            newest = messages[0].messageid if first and messages else None
            uow.inbox.save_progress(None if done else page.cursor, newest_messageid=newest)
            if now >= self._lease_until - LEASE / 2:  # renewed when half spent, with a page
                uow.inbox.take_lease(self._owner, now + LEASE, now)
                self._lease_until = now + LEASE
            crashpoints.crashpoint(crashpoints.INBOX_PAGE_WRITTEN)
            uow.commit()
        crashpoints.crashpoint(crashpoints.INBOX_PAGE_COMMITTED)
        return ingested, done

    def _save_cursor(self, cursor: str | None) -> None:
        with self._uow_factory() as uow:
            uow.inbox.save_progress(cursor)
            uow.commit()

    def _finish(self, result: PollResult, error: str | None, *, needs_scope: bool) -> None:
        now = self._clock.now()
        with self._uow_factory() as uow:
            state: InboxPollState = uow.inbox.get_poll()
            uow.inbox.save_poll(
                replace(
                    state,
                    finished_at=now,
                    found=result.found,
                    new=result.new,
                    credited=result.credited,
                    empty_polls=_empty_polls(state, result, error),
                    error=error,
                    needs_scope=needs_scope,
                )
            )
            uow.inbox.release_lease(self._owner)
            uow.commit()


def _empty_polls(state: InboxPollState, result: PollResult, error: str | None) -> int:
    """Polls in a row that found nothing new (a failed poll neither adds nor resets)."""
    if result.new:
        return 0
    return state.empty_polls if error else state.empty_polls + 1
