"""Collect runs in the background, their progress kept in the database.

An HTTP request (or `photomanager collect`) starts a run and gets its run id
at once; one thread per run pages the feed and writes the progress to the
`collect_runs` table after each page. Every process reads that table, so
`photomanager status` sees the web server's runs and a restart keeps the last
results.

One running run per source across processes: the database refuses a second
running row for a source (Conflict). While a run lives, a heartbeat thread
refreshes its row every HEARTBEAT_EVERY_S, even when the run waits for many
minutes between pages (recommended delays up to 5 minutes, Retry-After waits
up to 10 minutes, three times). A running row whose heartbeat is older than
STALE_AFTER belongs to a process that stopped: it shows as interrupted, and
the next start of its source marks it so in the table.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from photomanager.domain.clock import Clock
from photomanager.domain.errors import Conflict, InvalidInput, NotFound
from photomanager.domain.models import CollectProgress, Source
from photomanager.services.collecting.collector import (
    CANCELLED,
    FAILED,
    INTERRUPTED,
    RUNNING,
    FeedCollector,
    validate_pages,
)
from photomanager.services.collecting.sources import FeedSource, resolve_source, tag_source
from photomanager.services.ports import UnitOfWorkFactory

HEARTBEAT_EVERY_S = 15.0
# Eight missed heartbeats: a busy database or a slow disk never ends a live run.
STALE_AFTER = timedelta(minutes=2)
STOPPED_ERROR = "the process running it stopped"
RECENT_SHOWN = 20
KEPT_PER_SOURCE = 200
WAIT_POLL_S = 0.2
FINAL_WRITE_ATTEMPTS = 3
FINAL_WRITE_RETRY_S = 1.0

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class _LocalRun:
    """A run whose thread lives in this process."""

    run_id: str
    source: Source
    last: CollectProgress
    stop: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)


class CollectRuns:
    """Starts collect runs in threads and records their progress in the database."""

    def __init__(
        self,
        *,
        collector: FeedCollector,
        sources: dict[Source, FeedSource],
        clock: Clock,
        uow_factory: UnitOfWorkFactory | None = None,
        thread_factory: Callable[..., threading.Thread] = threading.Thread,
        heartbeat_every_s: float = HEARTBEAT_EVERY_S,
    ) -> None:
        """`uow_factory` defaults to the collector's: runs are kept where the queue is."""
        self._collector = collector
        self._sources = sources
        self._clock = clock
        self._uow_factory = uow_factory or collector.uow_factory
        self._thread_factory = thread_factory
        self._heartbeat_every_s = heartbeat_every_s
        self._lock = threading.Lock()
        self._tag_turn = threading.Lock()
        self._local: dict[str, _LocalRun] = {}
        self._stopping = threading.Event()

    def start(self, source: str | Source, *, pages: int) -> CollectProgress:
        """Start collecting `source` in the background; the first snapshot holds the run id.

        Conflict when the same source is already being collected, by any process.
        """
        feed = resolve_source(self._sources, source)
        validate_pages(pages)
        now = self._clock.now()
        record = CollectProgress(
            run_id=uuid.uuid4().hex,
            source=feed.source,
            state=RUNNING,
            pages_requested=pages,
            started_at=now,
            heartbeat_at=now,
        )
        first = record
        with self._lock:
            # Our own runs are alive whatever their heartbeat says (a fake clock can jump).
            alive_here = set(self._local)
        with self._uow_factory() as uow:
            uow.collect_runs.interrupt_stale(
                feed.source,
                heartbeat_before=now - STALE_AFTER,
                keep=alive_here,
                state=INTERRUPTED,
                error=STOPPED_ERROR,
            )
            if not uow.collect_runs.add_running(record):
                raise Conflict(f"a {feed.source.value} collect is already running")
            uow.commit()
        with self._lock:
            run = _LocalRun(run_id=record.run_id, source=feed.source, last=first)
            if self._stopping.is_set():
                run.stop.set()  # after stop_all, a new run ends before its first page
            run.threads = [
                self._thread_factory(
                    target=self._run,
                    args=(feed, pages, run),
                    name=f"collect-{feed.source.value}-{record.run_id[:8]}",
                    daemon=True,
                ),
                threading.Thread(
                    target=self._beat,
                    args=(run,),
                    name=f"collect-heartbeat-{record.run_id[:8]}",
                    daemon=True,
                ),
            ]
            self._local[run.run_id] = run
            for thread in run.threads:
                thread.start()
        return first

    def start_tags(self, tags: Sequence[str] | None, *, pages: int) -> list[CollectProgress]:
        """Start one run per tag feed (`tags` None: every tag in the settings).

        The runs page one after another (see `_take_tag_turn`). A tag whose feed
        is already being collected is left to that run; Conflict when all are.
        """
        validate_pages(pages)
        if tags is None:
            with self._uow_factory(read_only=True) as uow:
                tags = uow.settings.get().tags
            if not tags:
                raise InvalidInput(
                    "no tags to collect: add tags in the settings first",
                    details={"tags": "add at least one tag in the settings"},
                )
        elif not tags:
            raise InvalidInput("name at least one tag", details={"tags": "must not be empty"})
        feeds = [tag_source(tag) for tag in dict.fromkeys(tags)]  # InvalidInput on a bad tag
        started: list[CollectProgress] = []
        busy: list[str] = []
        for feed in feeds:
            try:
                started.append(self.start(feed.source, pages=pages))
            except Conflict:
                busy.append(feed.source.value)
        if not started:
            raise Conflict(f"already being collected: {', '.join(busy)}")
        return started

    def get(self, run_id: str) -> CollectProgress:
        """The latest snapshot of a run, from any process; NotFound for an unknown id."""
        with self._uow_factory(read_only=True) as uow:
            record = uow.collect_runs.get(run_id)
        if record is None:
            raise NotFound(f"no collect run {run_id!r}")
        return self._shown(record, self._clock.now())

    def running(self) -> list[CollectProgress]:
        """Snapshots of the runs still in progress in any process, newest first."""
        with self._uow_factory(read_only=True) as uow:
            records = uow.collect_runs.list_running()
        now = self._clock.now()
        shown = [self._shown(record, now) for record in records]
        return [p for p in shown if p.state == RUNNING]

    def recent(self) -> list[CollectProgress]:
        """The running runs and the newest ended ones (at most RECENT_SHOWN), newest first."""
        with self._uow_factory(read_only=True) as uow:
            records = {r.run_id: r for r in uow.collect_runs.list_recent(RECENT_SHOWN)}
            # A long run can be older than the newest RECENT_SHOWN: still show it.
            records.update((r.run_id, r) for r in uow.collect_runs.list_running())
        now = self._clock.now()
        ordered = sorted(records.values(), key=lambda r: (r.started_at, r.run_id), reverse=True)
        return [self._shown(record, now) for record in ordered]

    def wait(self, run_id: str, timeout: float | None = None) -> CollectProgress:
        """Block until the run ends (or `timeout`), then return its snapshot.

        A run of this process is joined; one of another process is polled.
        """
        with self._lock:
            local = self._local.get(run_id)
        if local is not None:
            local.threads[0].join(timeout)
            return self.get(run_id)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            progress = self.get(run_id)
            if progress.state != RUNNING:
                return progress
            left = WAIT_POLL_S if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return progress
            time.sleep(min(WAIT_POLL_S, left))

    def stop_all(self, timeout: float | None = None) -> None:
        """Ask every run of this process to stop (between pages) and wait for them to end."""
        self._stopping.set()
        with self._lock:
            runs = list(self._local.values())
        for run in runs:
            run.stop.set()
        # One deadline for all: closing the app waits `timeout` at most, however many runs.
        deadline = None if timeout is None else time.monotonic() + timeout
        for run in runs:
            for thread in run.threads:
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def _run(self, feed: FeedSource, pages: int, run: _LocalRun) -> None:
        try:
            if feed.source.tag_name is not None and not self._take_tag_turn(run):
                self._record(
                    run,
                    replace(
                        run.last,
                        state=CANCELLED,
                        stopped_because="stopped",
                        finished_at=self._clock.now(),
                    ),
                )
                return
            try:
                self._collector.collect(
                    feed,
                    pages=pages,
                    stop=run.stop,
                    run_id=run.run_id,
                    on_progress=lambda p: self._record(run, p),
                )
            finally:
                if feed.source.tag_name is not None:
                    self._tag_turn.release()
        except Exception as exc:
            # A bug or a database outage must not leave the run "running" forever.
            logger.exception("collect run %s crashed", run.run_id)
            self._record(
                run,
                replace(
                    run.last, state=FAILED, error=type(exc).__name__, finished_at=self._clock.now()
                ),
            )
        finally:
            run.done.set()
            with self._lock:
                self._local.pop(run.run_id, None)

    def _take_tag_turn(self, run: _LocalRun) -> bool:
        """Wait for the other tag feeds to finish: one tag run pages at a time.

        The artist may follow 20 tags; read at once they would multiply our
        request rate by 20. False when the run is stopped while it waits.
        """
        while not run.stop.is_set():
            if self._tag_turn.acquire(timeout=WAIT_POLL_S):
                return True
        return False

    def _record(self, run: _LocalRun, progress: CollectProgress) -> None:
        """Write one snapshot; a database hiccup is logged and the collect goes on."""
        run.last = progress
        final = progress.state != RUNNING
        for attempt in range(FINAL_WRITE_ATTEMPTS if final else 1):
            if attempt:
                time.sleep(FINAL_WRITE_RETRY_S)
            try:
                still_running = self._write(run, progress, final=final)
            except Exception:
                logger.exception("could not record the progress of collect run %s", run.run_id)
                continue
            if not still_running:
                # Another process took the run for dead and ended it: stop at the next page.
                run.stop.set()
            return

    def _write(self, run: _LocalRun, progress: CollectProgress, *, final: bool) -> bool:
        record = replace(
            progress, run_id=run.run_id, source=run.source, heartbeat_at=self._clock.now()
        )
        with self._uow_factory() as uow:
            written = uow.collect_runs.save_progress(record)
            if written and final:
                uow.collect_runs.prune(run.source, KEPT_PER_SOURCE)
            uow.commit()
        return written

    def _beat(self, run: _LocalRun) -> None:
        """Refresh the run's heartbeat until it ends, so no process takes it for dead."""
        while not run.done.wait(self._heartbeat_every_s):
            try:
                with self._uow_factory() as uow:
                    alive = uow.collect_runs.touch(run.run_id, self._clock.now())
                    uow.commit()
            except Exception:
                logger.exception("could not refresh the heartbeat of collect run %s", run.run_id)
                continue
            if not alive and not run.done.is_set():
                run.stop.set()  # ended by another process meanwhile
                return

    def _shown(self, record: CollectProgress, now: datetime) -> CollectProgress:
        """The record as status shows it: a stale running row of another process is over."""
        with self._lock:
            local = record.run_id in self._local
        heartbeat = record.heartbeat_at or record.started_at
        if record.state == RUNNING and not local and now - heartbeat > STALE_AFTER:
            record = replace(record, state=INTERRUPTED, error=STOPPED_ERROR, finished_at=heartbeat)
        return record
