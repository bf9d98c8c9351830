"""Worker throughput under a rate limit: one real worker process, zero pacing,
against the sandbox DeviantArt limiting comment posts to R requests/s.

The sandbox's token bucket (capacity 1: no burst credit to flatter the result)
answers 429 with Retry-After and punishes requests made while throttled.
The worker runs as configured for production (the client's own adaptive
delay and its 1 s floor included); only the artist's pacing is zero.
Measured over a window that starts at the first post (process start-up is
not counted). Targets: achieved / R >= 0.9 and 429s <= 1% of requests.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.report import Row
from photomanager.sandbox import RateLimit

TARGET_RATIO = 0.9
TARGET_429_SHARE = 0.01


def measure(url: str, *, rate: float, window_s: float) -> tuple[float, int, int]:
    """(achieved posts/s, requests, 429s) of one worker process over `window_s` seconds."""
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
        capacity=1, refill_per_s=rate, endpoints=frozenset({"post_comment"})
    )
    dispose, factory = open_factory(url)
    try:
        prepare_database(factory, sandbox, ids)
        with (
            tempfile.TemporaryDirectory(prefix="pm-bench-worker-") as log_dir,
            sandbox.serve_in_thread() as base_url,
        ):
            workers = start_workers(
                1,
                database_url=url,
                base_url=base_url,
                sandbox=sandbox,
                log_dir=Path(log_dir),
                delay_floor=None,  # the product's own client policy
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
    end = start + timedelta(seconds=window_s)
    in_window = [r for r in requests if start <= r.at < end]
    ok = sum(r.status == 200 for r in in_window)
    limited = sum(r.status == 429 for r in in_window)
    return ok / window_s, len(in_window), limited


def rows(kind: str, rate: float, achieved: float, requests: int, limited: int) -> list[Row]:
    share = limited / requests if requests else 0.0
    return [
        Row(
            benchmark=f"worker throughput at a {rate:g} req/s limit: achieved / R",
            database=kind,
            measured=f"{achieved:.2f} posts/s of {rate:g}",
            ratio=achieved / rate,
            op=">=",
            target=TARGET_RATIO,
        ),
        Row(
            benchmark=f"worker throughput at a {rate:g} req/s limit: 429 share",
            database=kind,
            measured=f"{limited} x 429 in {requests} requests",
            ratio=share,
            op="<=",
            target=TARGET_429_SHARE,
        ),
    ]
