"""Helpers of the worker loop tests: fill the queue, run the loop on the fake clock, threads."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from photomanager.domain.models import LogStatus, Source, WorkerControl
from photomanager.services.posting.worker import CommentWorker
from services.service_harness import Harness


def fill(h: Harness, n: int, **settings: Any) -> list[str]:
    """Store a template, queue `n` watched deviations, then apply `settings`; returns the ids."""
    h.add_template()
    ids = h.sandbox.publish(n, watched=True)
    h.collect(Source.WATCH_FEED, pages=1)
    if settings:
        h.settings.update_settings(**settings)
    return ids


def sent_times(h: Harness) -> list[datetime]:
    """When each logged comment was sent, oldest first."""
    entries = list(h.logs.export(status=LogStatus.SENT))
    return sorted(e.sent_at for e in entries)


def most_in_any_window(times: list[datetime], window: timedelta) -> int:
    """The most of `times` that fall in one `window`, over windows starting at each of them."""
    return max((sum(t <= s < t + window for s in times) for t in times), default=0)


def run_loop_for(
    h: Harness, duration: timedelta, *, seen: list[WorkerControl] | None = None
) -> None:
    """Start and run the loop until `duration` of fake time has passed.

    Its sleep moves the fake clock instead of waiting, and notes the control
    row in `seen` (read only when asked: it costs a query per sleep).
    """
    end = h.clock.now() + duration

    def sleep(stop: threading.Event, seconds: float) -> bool:
        if seen is not None:
            seen.append(h.control.status())
        h.clock.advance(max(seconds, 0.001))
        if h.clock.now() >= end:
            stop.set()
        return stop.is_set()

    h.control.start()
    loop_worker(h, sleep, max_wait_chunk=24 * 3600).run(h.stop)


def loop_worker(
    h: Harness, sleep: Callable[[threading.Event, float], bool], *, max_wait_chunk: float
) -> CommentWorker:
    """A worker whose loop waits through `sleep` (tests move the fake clock there)."""
    return CommentWorker(
        uow_factory=h.uow_factory,
        api=h.api,
        clock=h.clock,
        rng=random.Random(5),
        reconciler=h.worker.reconciler,
        sleep=sleep,
        max_wait_chunk=max_wait_chunk,
    )


def statuses_while_running(h: Harness, duration: timedelta) -> list[WorkerControl]:
    """Run the loop as `run_loop_for` does; the control row as it stood at each sleep."""
    seen: list[WorkerControl] = []
    run_loop_for(h, duration, seen=seen)
    return seen


@contextmanager
def running(
    target: Callable[[threading.Event], None], stop: threading.Event
) -> Iterator[threading.Thread]:
    """Run `target(stop)` in a daemon thread; on leaving, set `stop` and join the thread."""
    thread = threading.Thread(target=target, args=(stop,), daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=5)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll `condition` until it holds; fail the test after `timeout` real seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)
