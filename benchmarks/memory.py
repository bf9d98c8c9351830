"""Peak memory while enqueuing N rows and listing them all, at 100k vs N.

Measured in a fresh child process as its peak resident set (`getrusage`
max RSS), so the drivers' C buffers count too and nothing slows the work
down (tracemalloc made the 1M-row phase take many minutes). The interpreter
and its imports (the baseline, taken once the database is connected) are
part of both peaks; the growth over that baseline goes to stderr. Holding
every row, or even every id, of a million-row queue would add hundreds of
MiB, far past the target. Listing pages through the whole queue with the
repository's keyset cursor, keeping nothing. Target: peak(N) / peak(small) <= 1.5.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from benchmarks.report import Row, mebibytes

TARGET = 1.5
PAGE = 500
ROOT = Path(__file__).resolve().parent.parent


def peak_bytes(url: str, count: int) -> tuple[int, int]:
    """(peak RSS in bytes, rows listed) for enqueue + list-all of `count` rows."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", url, str(count)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )
    if result.returncode != 0:
        raise RuntimeError(f"memory child failed: {result.stderr[-2000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    peak, baseline = int(measured["peak"]), int(measured["baseline"])
    print(
        f"memory at {count:,}: peak RSS {mebibytes(peak)}, "
        f"{mebibytes(peak - baseline)} over the {mebibytes(baseline)} baseline",
        file=sys.stderr,
        flush=True,
    )
    return peak, int(measured["listed"])


def _max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _measure(url: str, count: int) -> dict[str, int]:
    """In the child: enqueue `count` rows, page through all of them, report peak RSS."""
    from benchmarks.workload import START, open_uow_factory, queue_items

    engine, factory = open_uow_factory(url)
    try:
        with factory(read_only=True) as uow:  # connect, and warm the statement caches
            uow.queue.list_page(None, 1, None)
        baseline = _max_rss_bytes()
        with factory() as uow:
            uow.queue.add_many(queue_items(count, prefix=7), START)
            uow.commit()
        listed, cursor = 0, None
        while True:
            with factory(read_only=True) as uow:
                items, cursor = uow.queue.list_page(None, PAGE, cursor)
            listed += len(items)
            if cursor is None:
                break
        return {"peak": _max_rss_bytes(), "baseline": baseline, "listed": listed}
    finally:
        engine.dispose()


def row(kind: str, big_rows: int, big: int, small_rows: int, small: int) -> Row:
    return Row(
        benchmark=f"peak memory (RSS), enqueue + list all: {big_rows:,} vs {small_rows:,} rows",
        database=kind,
        measured=f"{mebibytes(big)} vs {mebibytes(small)}",
        ratio=big / small,
        op="<=",
        target=TARGET,
    )


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[1], int(sys.argv[2]))))
