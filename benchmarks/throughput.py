"""Worker throughput under a rate limit: one real worker process, zero pacing,
against the sandbox DeviantArt limiting comment posts to R requests/s.

The sandbox's token bucket has a small, DeviantArt-like burst (capacity 5),
answers 429 with a whole-second Retry-After and punishes requests made while
throttled. Zero pacing means zero: the artist's pacing is 0 and so is the
client's floor (`PHOTOMANAGER_DA_MIN_DELAY_S=0`), so only the client's learned
delay stands between the worker and the limit. R defaults to 10/s, where one
worker is not CPU-bound, over 60 s (600 posts), so one learning 429 is not 1%
by itself.

Reported over the WHOLE window from the first post (warm-up and learning 429s
included) and over its second half (steady state). Process start-up is not
counted. Targets: achieved / R >= 0.9 and 429s <= 1% of requests.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.report import Row
from photomanager.sandbox import RateLimit
from photomanager.sandbox.adapters import SandboxServer

TARGET_RATIO = 0.9
TARGET_429_SHARE = 0.01
BURST = 5


@dataclass(frozen=True, slots=True)
class Span:
    """Posts and 429s over one stretch of the run."""

    seconds: float
    ok: int
    limited: int

    @property
    def requests(self) -> int:
        return self.ok + self.limited

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def share(self) -> float:
        return self.limited / self.requests if self.requests else 0.0


@dataclass(frozen=True, slots=True)
class Throughput:
    """The whole run and its steady-state second half."""

    whole: Span
    steady: Span


def measure(url: str, *, rate: float, window_s: float) -> Throughput:
    """Posts and 429s of one worker process over `window_s` seconds from its first post."""
    from concurrency.harness import (
        commentable_sandbox,
        kill_all,
        open_factory,
        prepare_database,
        start_workers,
        stop_workers,
        wait_for,
    )

    rows = int(rate * window_s * 2) + 20
    sandbox, ids = commentable_sandbox(rows)
    sandbox.faults.rate_limit = RateLimit(
        capacity=BURST, refill_per_s=rate, endpoints=frozenset({"post_comment"})
    )
    dispose, factory = open_factory(url)
    try:
        prepare_database(factory, sandbox, ids)
        with (
            tempfile.TemporaryDirectory(prefix="pm-bench-worker-") as log_dir,
            SandboxServer(sandbox) as base_url,
        ):
            workers = start_workers(
                1,
                database_url=url,
                base_url=base_url,
                sandbox=sandbox,
                log_dir=Path(log_dir),
                delay_floor=0.0,  # zero pacing: no floor under the learned delay
            )
            try:
                wait_for(
                    lambda: bool(sandbox.ledger.requests("post_comment")),
                    timeout=60,
                    what="the first post",
                )
                time.sleep(window_s + 0.5)
                stop_workers(factory, workers)
            finally:
                kill_all(workers)
    finally:
        dispose()
    requests = sandbox.ledger.requests("post_comment")
    start = requests[0].at
    half = window_s / 2
    return Throughput(
        whole=_span([r.at for r in requests], [r.status for r in requests], start, window_s),
        steady=_span(
            [r.at for r in requests],
            [r.status for r in requests],
            start + timedelta(seconds=half),
            half,
        ),
    )


def _span(times: list[datetime], statuses: list[int], start: datetime, seconds: float) -> Span:
    end = start + timedelta(seconds=seconds)
    inside = [s for t, s in zip(times, statuses, strict=True) if start <= t < end]
    return Span(seconds, sum(s == 200 for s in inside), sum(s == 429 for s in inside))


def rows(kind: str, rate: float, result: Throughput) -> list[Row]:
    """Achieved / R and the 429 share, over the whole run and in steady state."""
    out = []
    for label, span in (("whole run", result.whole), ("steady state", result.steady)):
        out += [
            Row(
                benchmark=f"worker at a {rate:g} req/s limit, {label}: achieved / R",
                database=kind,
                measured=f"{span.rate:.2f} posts/s of {rate:g} over {span.seconds:g} s",
                ratio=span.rate / rate,
                op=">=",
                target=TARGET_RATIO,
            ),
            Row(
                benchmark=f"worker at a {rate:g} req/s limit, {label}: 429 share",
                database=kind,
                measured=f"{span.limited} x 429 in {span.requests} requests",
                ratio=span.share,
                op="<=",
                target=TARGET_429_SHARE,
            ),
        ]
    return out
