"""Claim + mark latency: one worker step's database work at N rows vs at a small queue.

A step is two short transactions, as in the worker: claim the newest due
pending row (committed; with `one_per_author`, as under the default cooldown),
then mark it commented (committed, with the ledger).
The median over many steps is compared; target: big / small <= 2.
"""

from __future__ import annotations

import statistics
import time

from benchmarks.report import Row, seconds
from benchmarks.workload import START, open_uow_factory

TARGET = 2.0


def step_latency(url: str, steps: int) -> float:
    """Median seconds of one claim + mark_commented pair over `steps` steps."""
    engine, factory = open_uow_factory(url)
    samples = []
    try:
        for n in range(steps):
            started = time.perf_counter()
            with factory() as uow:
                # As the worker claims with the default settings (a per-author cooldown):
                # authors in flight are passed over, and PostgreSQL claims take their lock.
                claim = uow.queue.claim_one_pending(START, one_per_author=True)
                uow.commit()
            assert claim is not None, "the queue ran dry"
            with factory() as uow:
                ok = uow.queue.mark_commented(
                    claim,
                    commentid=f"C-{n}",
                    message_id=None,
                    body_hash="h",
                    body="bench",
                    now=START,
                )
                uow.commit()
            assert ok
            samples.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return statistics.median(samples)


def row(kind: str, big_rows: int, big_s: float, small_rows: int, small_s: float) -> Row:
    return Row(
        benchmark=f"claim + mark latency: {big_rows:,} vs {small_rows:,} rows",
        database=kind,
        measured=f"median {seconds(big_s)} vs {seconds(small_s)}",
        ratio=big_s / small_s,
        op="<=",
        target=TARGET,
    )
