"""Peak Python memory while enqueuing N rows and listing them all, at 100k vs N.

tracemalloc follows every allocation of this process (the drivers' C buffers
are not seen). Listing pages through the whole queue with the repository's
keyset cursor, keeping nothing. Flat memory means the ratio stays near 1;
target: peak(N) / peak(small) <= 1.5.
"""

from __future__ import annotations

import tracemalloc

from benchmarks.report import Row, mebibytes
from benchmarks.workload import START, open_uow_factory, queue_items

TARGET = 1.5
PAGE = 500


def peak_bytes(url: str, count: int) -> tuple[int, int]:
    """(tracemalloc peak in bytes, rows listed) for enqueue + list-all of `count` rows."""
    engine, factory = open_uow_factory(url)
    tracemalloc.start()
    try:
        with factory() as uow:
            uow.queue.add_many(queue_items(count, prefix=7), START)
            uow.commit()
        listed, cursor = 0, None
        while True:
            with factory() as uow:
                items, cursor = uow.queue.list_page(None, PAGE, cursor)
            listed += len(items)
            if cursor is None:
                break
        _, peak = tracemalloc.get_traced_memory()
        return peak, listed
    finally:
        tracemalloc.stop()
        engine.dispose()


def row(kind: str, big_rows: int, big: int, small_rows: int, small: int) -> Row:
    return Row(
        benchmark=f"peak memory, enqueue + list all: {big_rows:,} vs {small_rows:,} rows",
        database=kind,
        measured=f"{mebibytes(big)} vs {mebibytes(small)}",
        ratio=big / small,
        op="<=",
        target=TARGET,
    )
