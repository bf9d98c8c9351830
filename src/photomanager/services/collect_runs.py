"""Collect runs in the background: one thread per run, progress snapshots by run id.

An HTTP request starts a run and returns at once with the run id; the status
page polls `get(run_id)` or `running()`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace

from photomanager.domain.clock import Clock
from photomanager.domain.errors import Conflict, NotFound
from photomanager.domain.models import Source
from photomanager.services.collector import (
    FAILED,
    RUNNING,
    CollectProgress,
    FeedCollector,
    validate_pages,
)
from photomanager.services.sources import FeedSource, resolve_source

MAX_FINISHED_KEPT = 50

logger = logging.getLogger(__name__)


class CollectRuns:
    """Starts collect runs in threads and keeps their latest progress."""

    def __init__(
        self,
        *,
        collector: FeedCollector,
        sources: dict[Source, FeedSource],
        clock: Clock,
        thread_factory: Callable[..., threading.Thread] = threading.Thread,
    ) -> None:
        self._collector = collector
        self._sources = sources
        self._clock = clock
        self._thread_factory = thread_factory
        self._lock = threading.Lock()
        self._progress: dict[str, CollectProgress] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._stop = threading.Event()

    def start(self, source: str | Source, *, pages: int) -> CollectProgress:
        """Start collecting `source` in the background; the first snapshot holds the run id.

        Conflict when the same source is already being collected.
        """
        feed = resolve_source(self._sources, source)
        validate_pages(pages)
        run_id = uuid.uuid4().hex
        with self._lock:
            if any(p.source is feed.source and p.state == RUNNING for p in self._progress.values()):
                raise Conflict(f"a {feed.source.value} collect is already running")
            first = CollectProgress(
                run_id=run_id,
                source=feed.source,
                pages_requested=pages,
                started_at=self._clock.now(),
            )
            self._progress[run_id] = first
            thread = self._thread_factory(
                target=self._run,
                args=(feed, pages, run_id),
                name=f"collect-{feed.source.value}-{run_id[:8]}",
                daemon=True,
            )
            self._threads[run_id] = thread
        thread.start()
        return first

    def get(self, run_id: str) -> CollectProgress:
        """The latest snapshot of a run; NotFound for an unknown id."""
        with self._lock:
            progress = self._progress.get(run_id)
        if progress is None:
            raise NotFound(f"no collect run {run_id!r}")
        return progress

    def running(self) -> list[CollectProgress]:
        """Snapshots of the runs still in progress."""
        with self._lock:
            return [p for p in self._progress.values() if p.state == RUNNING]

    def recent(self) -> list[CollectProgress]:
        """Every kept run, newest first."""
        with self._lock:
            return sorted(self._progress.values(), key=lambda p: p.started_at, reverse=True)

    def wait(self, run_id: str, timeout: float | None = None) -> CollectProgress:
        """Block until the run ends (or `timeout`), then return its snapshot."""
        with self._lock:
            thread = self._threads.get(run_id)
        if thread is not None:
            thread.join(timeout)
        return self.get(run_id)

    def stop_all(self, timeout: float | None = None) -> None:
        """Ask every run to stop (between pages) and wait for them to end."""
        self._stop.set()
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)

    def _run(self, feed: FeedSource, pages: int, run_id: str) -> None:
        try:
            self._collector.collect(
                feed,
                pages=pages,
                stop=self._stop,
                run_id=run_id,
                on_progress=lambda p: self._record(run_id, p),
            )
        except Exception as exc:
            # A bug or a database outage must not leave the run "running" forever.
            logger.exception("collect run %s crashed", run_id)
            last = self.get(run_id)
            self._record(
                run_id,
                replace(
                    last, state=FAILED, error=type(exc).__name__, finished_at=self._clock.now()
                ),
            )

    def _record(self, run_id: str, progress: CollectProgress) -> None:
        with self._lock:
            self._progress[run_id] = progress
            if progress.state != RUNNING:
                self._threads.pop(run_id, None)
                self._forget_old()

    def _forget_old(self) -> None:
        finished = [p for p in self._progress.values() if p.state != RUNNING]
        finished.sort(key=lambda p: p.started_at)
        for old in finished[: max(0, len(finished) - MAX_FINISHED_KEPT)]:
            del self._progress[old.run_id]
