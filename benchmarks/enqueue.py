"""Enqueue N rows through `QueueRepository.add_many` vs a raw executemany INSERT (the floor).

Both write the same rows into the same (indexed, trigger-counted) table of a
fresh database, in one transaction, in batches of the repository's size; the
floor skips the upsert and ledger checks that `add_many` must do. Ratio =
floor time / repo time.

The floor is the plain INSERT each backend is best at without COPY: on SQLite
one prepared INSERT per row through executemany; on PostgreSQL one INSERT of
a whole batch (unnested arrays). A row-per-statement floor on PostgreSQL would
fire the statement-level counting trigger once per row, rewriting the same
counter row a million times in one transaction (quadratic under MVCC) - a
floor nobody should write, so it is not the one we compare against.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks.databases import Databases, kind_of
from benchmarks.report import Row, seconds
from benchmarks.workload import START, enqueue, open_uow_factory, queue_items
from photomanager.storage.repositories.queue.adds import ADD_BATCH
from photomanager.storage.sql_helpers import chunked, timestamp_processor
from photomanager.storage.tables import queue

TARGET = 0.5
_COLUMNS = "deviationid, source, ts, status, attempts, author, title, url, updated_at"


def raw_insert(url: str, count: int) -> int:
    """The floor: a plain INSERT of the same rows, straight through the driver."""
    engine, _ = open_uow_factory(url)
    try:
        to_db: Callable[[object], object] = timestamp_processor(engine.dialect)
        sqlite = kind_of(url) == "sqlite"
        if sqlite:
            sql = (
                f"INSERT INTO {queue.name} ({_COLUMNS}) "  # noqa: S608 - constants only
                f"VALUES ({', '.join(['?'] * 9)})"
            )
        else:
            sql = (
                f"INSERT INTO {queue.name} ({_COLUMNS}) "  # noqa: S608 - constants only
                "SELECT b.d, b.s, b.ts, 'pending', 0, b.a, b.t, b.u, %s FROM unnest("
                "%s::text[], %s::text[], %s::timestamptz[], %s::text[], %s::text[], %s::text[]"
                ") AS b(d, s, ts, a, t, u)"
            )
        stamp = to_db(START)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")  # the engine turned implicit BEGIN off
            for batch in chunked(queue_items(count), ADD_BATCH):
                if sqlite:
                    cursor.executemany(
                        sql,
                        [
                            (
                                i.deviationid,
                                i.source.value,
                                to_db(i.ts),
                                "pending",
                                0,
                                i.author,
                                i.title,
                                i.url,
                                stamp,
                            )
                            for i in batch
                        ],
                    )
                else:
                    cursor.execute(
                        sql,
                        (
                            stamp,
                            [i.deviationid for i in batch],
                            [i.source.value for i in batch],
                            [to_db(i.ts) for i in batch],
                            [i.author for i in batch],
                            [i.title for i in batch],
                            [i.url for i in batch],
                        ),
                    )
            raw.commit()
            cursor.close()
        finally:
            raw.close()
        return count
    finally:
        engine.dispose()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run(dbs: Databases, kind: str, rows: int) -> tuple[Row, str]:
    """Measure both inserts; returns the row and the URL of the filled repository database."""
    floor_url = dbs.fresh(kind)
    floor_s = timed(lambda: raw_insert(floor_url, rows))
    dbs.drop(floor_url)
    repo_url = dbs.fresh(kind)
    added: list[int] = []
    repo_s = timed(lambda: added.append(enqueue(repo_url, rows)))
    assert added == [rows], f"add_many added {added} rows, expected {rows}"
    row = Row(
        benchmark=f"enqueue {rows:,} rows: add_many vs raw INSERT",
        database=kind,
        measured=f"add_many {seconds(repo_s)} ({rows / repo_s:,.0f}/s), "
        f"raw {seconds(floor_s)} ({rows / floor_s:,.0f}/s)",
        ratio=floor_s / repo_s,
        op=">=",
        target=TARGET,
    )
    return row, repo_url
