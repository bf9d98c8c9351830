"""The inbox in status: whether it can be read, the last poll, the unread count; refresh.

"Reconnect to read replies" is shown while the stored token says it lacks the
`message` scope, or DeviantArt answered `insufficient_scope` to the last poll.
Everything else keeps working meanwhile.

A refresh asks the poller to run soon: a running worker (fresh heartbeat) picks
the request up in its next wait long enough for a poll; with no worker running,
one poll runs at once in a background thread of this process (the lease in the
database still lets only one process poll at a time).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.inbox import InboxPollState, InboxView
from photomanager.domain.models import WorkerDesired
from photomanager.services.inbox.answers import UNREAD_CAP
from photomanager.services.inbox.poller import InboxPoller, has_message_scope
from photomanager.services.ports import UnitOfWorkFactory

logger = logging.getLogger(__name__)

WORKER_FRESH = timedelta(seconds=15)  # a heartbeat this recent: the worker is running
REFRESH_BY_WORKER = "worker"
REFRESH_IN_BACKGROUND = "background"


@dataclass(frozen=True, slots=True)
class InboxOverview:
    reconnect_to_read_replies: bool
    poll_minutes: int  # 0: never
    attribution_days: int
    unread: int
    last_poll: InboxPollState


@dataclass(frozen=True, slots=True)
class RefreshStarted:
    requested_at: datetime
    by: str  # worker | background


class InboxOverviewService:
    """Status of the inbox, and the on-demand refresh."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        poller: InboxPoller,
        stop: threading.Event,
    ) -> None:
        """`poller` uses this process's client; `stop` ends a background poll's waits."""
        self._uow_factory = uow_factory
        self._clock = clock
        self._poller = poller
        self._stop = stop
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def overview(self) -> InboxOverview:
        with self._uow_factory(read_only=True) as uow:
            settings = uow.settings.get()
            poll = uow.inbox.get_poll()
            token = uow.tokens.get()
            unread = uow.inbox.count_unread(InboxView.REPLIES, cap=UNREAD_CAP)
        lacks = token is not None and has_message_scope(token.scope) is False
        return InboxOverview(
            reconnect_to_read_replies=lacks or poll.needs_scope,
            poll_minutes=settings.inbox_poll_minutes,
            attribution_days=settings.attribution_days,
            unread=unread,
            last_poll=poll,
        )

    def refresh(self) -> RefreshStarted:
        """Ask for a poll now (see the module docstring for who runs it)."""
        self._poller.request()
        now = self._clock.now()
        with self._uow_factory(read_only=True) as uow:
            control = uow.worker_control.get()
        worker_runs = (
            control.desired is WorkerDesired.RUNNING
            and control.heartbeat_at is not None
            and now - control.heartbeat_at <= WORKER_FRESH
        )
        if worker_runs:
            return RefreshStarted(requested_at=now, by=REFRESH_BY_WORKER)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                thread = threading.Thread(target=self._poll_once, name="inbox-refresh", daemon=True)
                thread.start()
                self._thread = thread  # only a started thread is ever seen by join()
        return RefreshStarted(requested_at=now, by=REFRESH_IN_BACKGROUND)

    def join(self, timeout: float | None = None) -> None:
        """Wait for a background poll (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _poll_once(self) -> None:
        try:
            if self._poller.is_due(self._clock.now()):
                self._poller.poll(self._stop)
        except Exception:
            logger.exception("the inbox refresh failed")
