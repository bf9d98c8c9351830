"""Run the benchmarks and print a markdown table of ratios, targets and PASS/MISS.

    .venv/bin/python -m benchmarks [--rows N] [--db sqlite|postgresql|both] [--quick]
                                   [--only retention|scale|inbox|pacing-wallclock]
                                   [--inbox-rows N] [--wallclock-seconds S]
    .venv/bin/python benchmarks/run.py ...

Every ratio compares two measurements taken in the same run on the same
database kind. PostgreSQL is a throwaway server from Debian's binaries
(`tests/fixtures/postgres_server.py`). Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests"):  # `benchmarks`, then `fixtures` and `concurrency`
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from benchmarks import (  # noqa: E402
    claims,
    enqueue,
    inbox,
    inbox_ingest,
    inbox_polling,
    memory,
    pacing,
    reads,
    retention,
    throughput,
    wallclock,
)
from benchmarks.databases import KINDS, Databases  # noqa: E402
from benchmarks.report import Row, markdown_table  # noqa: E402
from benchmarks.workload import enqueue as fill  # noqa: E402

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each measurement is."""

    rows: int
    claim_small: int
    read_small: int
    memory_small: int
    claim_steps: int
    read_repeats: int
    rate: float
    window_s: float
    pacing_posts: int = pacing.POSTS
    # The inbox rows: comments and messages, big and small; messages ingested; hours polled.
    inbox_big: int = 1_000_000
    inbox_small: int = 10_000
    inbox_ingest: int = inbox_ingest.MESSAGES
    inbox_hours: int = inbox_polling.HOURS

    @classmethod
    def full(cls, rows: int, rate: float, inbox_rows: int | None = None) -> Sizes:
        return cls(rows, 10_000, 1_000, 100_000, 300, 30, rate, 60.0, inbox_big=inbox_rows or rows)

    @classmethod
    def quick(cls, rows: int, rate: float, inbox_rows: int | None = None) -> Sizes:
        return cls(
            rows,
            max(10, rows // 10),
            max(10, rows // 50),
            max(10, rows // 10),
            20,
            5,
            rate,
            3.0,
            pacing.QUICK_POSTS,
            inbox_big=inbox_rows or rows,
            inbox_small=max(100, rows // 10),
            inbox_ingest=100,
            inbox_hours=1,
        )


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def step(what: str, action: Callable[[], T]) -> T:
    progress(f"{what} ...")
    started = time.perf_counter()
    result = action()
    progress(f"{what}: done in {time.perf_counter() - started:.1f} s")
    return result


def bench_kind(dbs: Databases, kind: str, sizes: Sizes) -> list[Row]:
    """Every benchmark on one database kind."""
    n = sizes.rows
    out: list[Row] = []
    enqueue_row, big = step(f"{kind}: enqueue {n:,}", lambda: enqueue.run(dbs, kind, n))
    out.append(enqueue_row)
    big_reads = step(
        f"{kind}: reads at {n:,}", lambda: reads.read_latencies(big, sizes.read_repeats)
    )
    big_claim = step(
        f"{kind}: claims at {n:,}", lambda: claims.step_latency(big, sizes.claim_steps)
    )
    dbs.drop(big)

    small = dbs.fresh(kind)
    fill(small, sizes.claim_small)
    small_claim = step(
        f"{kind}: claims at {sizes.claim_small:,}",
        lambda: claims.step_latency(small, sizes.claim_steps),
    )
    dbs.drop(small)
    out.append(claims.row(kind, n, big_claim, sizes.claim_small, small_claim))

    small = dbs.fresh(kind)
    fill(small, sizes.read_small)
    small_reads = step(
        f"{kind}: reads at {sizes.read_small:,}",
        lambda: reads.read_latencies(small, sizes.read_repeats),
    )
    dbs.drop(small)
    out.extend(reads.rows(kind, n, big_reads, sizes.read_small, small_reads))

    peaks = []
    for count in (sizes.memory_small, n):
        url = dbs.fresh(kind)
        peak, listed = step(
            f"{kind}: memory at {count:,}",
            lambda url=url, count=count: memory.peak_bytes(url, count),  # type: ignore[misc]
        )
        assert listed == count, f"listed {listed} of {count} rows"
        peaks.append(peak)
        dbs.drop(url)
    out.append(memory.row(kind, n, peaks[1], sizes.memory_small, peaks[0]))

    url = dbs.fresh(kind)
    result = step(
        f"{kind}: worker at {sizes.rate:g} req/s",
        lambda: throughput.measure(url, rate=sizes.rate, window_s=sizes.window_s),
    )
    dbs.drop(url)
    out.extend(throughput.rows(kind, sizes.rate, result))
    out.extend(
        step(
            f"{kind}: worker vs the velocity filter, {sizes.pacing_posts} POSTs each",
            lambda: pacing.run_kind(lambda: dbs.fresh(kind), kind, posts=sizes.pacing_posts),
        )
    )
    return out


def bench_inbox(dbs: Databases, kind: str, sizes: Sizes) -> list[Row]:
    """The inbox rows on one database kind: reads at scale, ingest, polling's cost."""
    big, small = sizes.inbox_big, sizes.inbox_small
    out = step(
        f"{kind}: inbox reads at {big:,} vs {small:,}",
        lambda: inbox.run(dbs, kind, big, small, sizes.read_repeats),
    )
    result = step(
        f"{kind}: inbox ingest of {sizes.inbox_ingest:,}",
        lambda: inbox_ingest.measure(dbs, kind, sizes.inbox_ingest),
    )
    out.append(inbox_ingest.row(kind, result))
    url = dbs.fresh(kind)
    day = step(
        f"{kind}: inbox polling, {sizes.inbox_hours} simulated hours",
        lambda: inbox_polling.measure(url, hours=sizes.inbox_hours),
    )
    dbs.drop(url)
    out.append(inbox_polling.row(kind, day))
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=None, help="big size (default 1,000,000)")
    parser.add_argument(
        "--inbox-rows",
        type=int,
        default=None,
        help="comments and messages of the big inbox database (default: --rows)",
    )
    parser.add_argument("--db", choices=(*KINDS, "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument(
        "--rate", type=float, default=10.0, help="sandbox rate limit for the worker, req/s"
    )
    parser.add_argument(
        "--only",
        choices=("retention", "scale", "inbox", "pacing-wallclock"),
        default=None,
        help="retention: only the 90 simulated days; inbox: only the inbox rows (reads, "
        "ingest, polling); pacing-wallclock: only the real app against the velocity filter "
        "on the real clock (not in the default run: about an hour); scale: everything else",
    )
    parser.add_argument(
        "--wallclock-seconds",
        type=float,
        default=wallclock.SECONDS,
        help="pacing-wallclock: seconds of posting per row (default 300)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks; print the table. Exit 0 even when a target is missed."""
    args = parse_args(argv)
    kinds = KINDS if args.db == "both" else (args.db,)
    if args.quick:
        sizes = Sizes.quick(args.rows or 2_000, args.rate, args.inbox_rows)
    else:
        sizes = Sizes.full(args.rows or 1_000_000, args.rate, args.inbox_rows)
    progress(f"sizes: {sizes}")
    rows: list[Row] = []
    with Databases(kinds) as dbs:
        for kind in kinds:
            measured: list[Row] = []
            if args.only == "pacing-wallclock":
                measured += wallclock.run_kind(
                    lambda kind=kind: dbs.fresh(kind),  # type: ignore[misc]
                    kind,
                    seconds=5.0 if args.quick else args.wallclock_seconds,
                    scenarios=("drain",) if args.quick else wallclock.ALL_SCENARIOS,
                    progress=progress,
                )
                progress("\n" + markdown_table(measured))
                rows.extend(measured)
                continue
            if args.only in (None, "scale"):
                measured += bench_kind(dbs, kind, sizes)
            if args.only in (None, "scale", "inbox"):
                measured += bench_inbox(dbs, kind, sizes)
            if args.only in (None, "retention"):
                days = retention.CHECK_DAY + 5 if args.quick else retention.DAYS
                measured += step(
                    f"{kind}: {days} simulated days",
                    lambda kind=kind, days=days: retention.run(  # type: ignore[misc]
                        dbs,
                        kind,
                        days=days,
                        repeats=sizes.read_repeats,
                        scale=20 if args.quick else 1,
                    ),
                )
            # Also on stderr as they come: a long run that is cut short still says something.
            progress("\n" + markdown_table(measured))
            rows.extend(measured)
    print(markdown_table(rows))
    missed = sum(not r.passed for r in rows)
    print(f"\n{len(rows) - missed} PASS, {missed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
