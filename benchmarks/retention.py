"""Months of running, simulated: does the database stay flat once housekeeping works?

    .venv/bin/python -m benchmarks.retention [--days 90] [--db sqlite|postgresql|both]
    .venv/bin/python -m benchmarks --only retention

Each simulated day, hour by hour on a fake clock, with direct repository and
service calls (no HTTP to DeviantArt): a firehose collect offers DAILY_NEW
deviations published that hour, queued as the collector queues them (up to
`max_pending`, the rest turned away as "queue full"); the worker posts
DAILY_POSTS comments (claim, commented + ledger + log; one in twenty fails,
one in twenty is skipped); the worker's housekeeping runs when due (hourly).
Settings are the defaults (pending TTL 7 days, settled rows 30 days, 5,000
pending at most, log kept 365 days).

Measured after day CHECK_DAY and after the last day: the database size
(SQLite: the file after a WAL checkpoint, no VACUUM, so freed pages count as
size; PostgreSQL: `pg_total_relation_size` of our tables; a plain VACUUM
ends every simulated day, standing in for autovacuum, which runs many times
in 90 real days but hardly at all in the minutes the simulation takes), and
the median latency of `GET /status` and of one pending-queue page. Target:
day 90 over day 15 at most 1.2. The size row says which tables grew: the
ledger (kept forever) and the log (365 days) grow with every comment posted,
by design; a last row compares the queue's own size at day 90 with day
STEADY_DAY, once settled rows have started to leave (30 days).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from sqlalchemy import Engine, text  # noqa: E402

from benchmarks import reads  # noqa: E402
from benchmarks.databases import KINDS, SQLITE, Databases  # noqa: E402
from benchmarks.report import Row, markdown_table, seconds  # noqa: E402
from photomanager.api.app import create_app  # noqa: E402
from photomanager.bootstrap import bootstrap  # noqa: E402
from photomanager.config import load_settings  # noqa: E402
from photomanager.domain.models import (  # noqa: E402
    LogStatus,
    NewQueueItem,
    QueueStatus,
    Source,
)
from photomanager.sandbox import ManualClock  # noqa: E402
from photomanager.services.upkeep.housekeeping import Housekeeping  # noqa: E402
from photomanager.storage.engine import create_engine_for  # noqa: E402
from photomanager.storage.tables import metadata  # noqa: E402
from photomanager.storage.unit_of_work import sql_unit_of_work_factory  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's import-time note about httpx2
    from starlette.testclient import TestClient

DAILY_NEW = 5000
DAILY_POSTS = 200
CHECK_DAY = 15
STEADY_DAY = 45  # past `finished_ttl_days` (30): the queue's steady state
DAYS = 90
TARGET = 1.2
START = datetime(2026, 1, 1, tzinfo=UTC)
BODY = "Lovely colours and composition in this piece, {n}! Thank you for sharing it."


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Simulation:
    """One database, driven hour by hour."""

    def __init__(self, url: str, seed: int = 14, scale: int = 1) -> None:
        self.url = url
        self.daily_new = DAILY_NEW // scale
        self.daily_posts = DAILY_POSTS // scale
        self.engine: Engine = create_engine_for(url)
        self.factory = sql_unit_of_work_factory(self.engine)
        self.clock = ManualClock(START)
        self.rng = random.Random(seed)
        self.housekeeping = Housekeeping(
            uow_factory=self.factory, clock=self.clock, pause=lambda stop, _s: stop.is_set()
        )
        self.serial = 0
        self.posted = 0
        self.turned_away = 0

    def close(self) -> None:
        self.engine.dispose()

    def day(self, number: int) -> None:
        """Simulate day `number` (1-based), hour by hour."""
        for hour in range(24):
            at = START + timedelta(days=number - 1, hours=hour)
            self.clock.set(at)
            new = self.daily_new
            self._collect(at, new * (hour + 1) // 24 - new * hour // 24)
            posts = self.daily_posts
            self._post(at, posts * (hour + 1) // 24 - posts * hour // 24)
            self.housekeeping.run_if_due()
        if self.engine.dialect.name != SQLITE:
            self._vacuum()

    def _vacuum(self) -> None:
        """What autovacuum does many times in 90 real days, and cannot in the minute this takes."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")

    def _collect(self, at: datetime, count: int) -> None:
        """Queue `count` deviations published this hour, as the collector bounds them."""
        items = []
        for _ in range(count):
            self.serial += 1
            n = self.serial
            items.append(
                NewQueueItem(
                    deviationid=f"{n:08d}-0000-4000-8000-{n:012d}",
                    source=Source.GLOBAL_FEED,
                    ts=at + timedelta(seconds=self.rng.uniform(0, 3599)),
                    author=f"author{self.rng.randrange(20_000)}",
                    title=f"Deviation number {n}",
                    url=f"https://www.deviantart.com/author/art/deviation-{n}",
                )
            )
        with self.factory() as uow:
            settings = uow.settings.get()
            room = max(0, settings.max_pending - uow.queue.get_stats()[QueueStatus.PENDING])
            uow.queue.add_many(items[:room], at)
            uow.commit()
        self.turned_away += max(0, count - room)

    def _post(self, at: datetime, count: int) -> None:
        for i in range(count):
            now = at + timedelta(seconds=60 * i)
            with self.factory() as uow:
                claim = uow.queue.claim_one_pending(now)
                uow.commit()
            if claim is None:
                return
            roll = self.rng.random()
            body = BODY.format(n=claim.deviationid[:8])
            with self.factory() as uow:
                if roll < 0.05:
                    uow.queue.mark_failed(claim, "request_rejected: comments disabled", now)
                    uow.logs.append(
                        deviationid=claim.deviationid, status=LogStatus.FAILED, now=now, body=body
                    )
                elif roll < 0.10:
                    uow.queue.mark_skipped(claim, "author cooldown: commented 3 days ago", now)
                else:
                    uow.queue.mark_commented(
                        claim, commentid=f"c{self.posted}", message_id=None,
                        body_hash=f"h{self.posted}", body=body, now=now,
                    )  # fmt: skip
                    uow.logs.append(
                        deviationid=claim.deviationid,
                        status=LogStatus.SENT,
                        now=now,
                        commentid=f"c{self.posted}",
                        body=body,
                    )
                    self.posted += 1
                uow.commit()

    def size_bytes(self) -> int:
        """The database's size on disk (see the module docstring for how)."""
        if self.engine.dialect.name == SQLITE:
            raw = self.engine.raw_connection()  # outside a transaction: checkpoints need that
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
            return Path(str(self.engine.url.database)).stat().st_size
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
            names = ", ".join(f"'{name}'" for name in metadata.tables)
            total = conn.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "  # noqa: S608
                    f"WHERE c.relkind = 'r' AND c.relname IN ({names})"
                )
            ).scalar_one()
            return int(total)

    def table_bytes(self) -> dict[str, int]:
        """Bytes per table, its indexes included (SQLite: dbstat; PostgreSQL: total size)."""
        if self.engine.dialect.name == SQLITE:
            query = (
                "SELECT m.tbl_name, sum(s.pgsize) FROM dbstat s "
                "JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
            )
        else:
            query = (
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = 'public'"
            )
        with self.engine.connect() as conn:
            return {str(name): int(size) for name, size in conn.exec_driver_sql(query)}

    def counts(self) -> str:
        with self.factory(read_only=True) as uow:
            stats = uow.queue.get_stats()
            ledger = uow.ledger.count_all()
        queue = sum(stats.values())
        return f"queue {queue:,} (pending {stats[QueueStatus.PENDING]:,}), ledger {ledger:,}"


def measure(
    dbs: Databases, kind: str, url: str, days: int, repeats: int, scale: int = 1
) -> list[Row]:
    """Run the simulation on `url`; rows comparing the last day to CHECK_DAY.

    At CHECK_DAY the database is copied aside; after the last day both are read
    in turns (request by request), so a busy minute on the machine slows both.
    """
    simulation = Simulation(url, scale=scale)
    sizes: dict[int, int] = {}
    tables: dict[int, dict[str, int]] = {}
    early = ""
    try:
        for number in range(1, days + 1):
            simulation.day(number)
            if number in (CHECK_DAY, STEADY_DAY, days):
                sizes[number] = simulation.size_bytes()
                tables[number] = simulation.table_bytes()
                progress(
                    f"{kind}: day {number}: {sizes[number] / 2**20:.1f} MiB, {simulation.counts()}"
                )
            if number == CHECK_DAY:
                simulation.engine.dispose()  # a PostgreSQL template must have no connections
                early = dbs.copy(url)
            elif number % 10 == 0:
                progress(f"{kind}: day {number}: {simulation.counts()}")
        counts = simulation.counts()
    finally:
        simulation.close()
    try:
        late_reads, early_reads = paired_latencies(url, early, repeats)
    finally:
        dbs.drop(early)
    span = f"day {days} vs day {CHECK_DAY}"
    growth = _growth(tables[CHECK_DAY], tables[days])
    rows = [
        Row(
            benchmark=f"{days} simulated days, {simulation.daily_new:,} new + "
            f"{simulation.daily_posts} posted a day: database size, {span}",
            database=kind,
            measured=f"{sizes[days] / 2**20:.1f} MiB vs {sizes[CHECK_DAY] / 2**20:.1f} MiB "
            f"({counts}; grew by {growth})",
            ratio=sizes[days] / sizes[CHECK_DAY],
            op="<=",
            target=TARGET,
        )
    ]
    if STEADY_DAY in tables and days > STEADY_DAY:
        late_queue, steady_queue = _queue_bytes(tables[days]), _queue_bytes(tables[STEADY_DAY])
        rows.append(
            Row(
                benchmark=f"{days} simulated days: queue tables' size (what the TTL bounds), "
                f"day {days} vs day {STEADY_DAY}",
                database=kind,
                measured=f"{late_queue / 2**20:.1f} MiB vs {steady_queue / 2**20:.1f} MiB",
                ratio=late_queue / steady_queue,
                op="<=",
                target=TARGET,
            )
        )
    for name, label in (("status", "GET /status"), ("queue page", "GET one queue page")):
        rows.append(
            Row(
                benchmark=f"{days} simulated days: {label}, {span}",
                database=kind,
                measured=f"median {seconds(late_reads[name])} vs {seconds(early_reads[name])}",
                ratio=late_reads[name] / early_reads[name],
                op="<=",
                target=TARGET,
            )
        )
    return rows


def paired_latencies(
    late_url: str, early_url: str, repeats: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Medians of `GET /status` and one pending-queue page on both databases, in turns."""
    samples: dict[str, dict[str, list[float]]] = {
        which: {"status": [], "queue page": []} for which in ("late", "early")
    }
    with contextlib.ExitStack() as stack:
        clients = {
            which: stack.enter_context(_app_client(url, stack))
            for which, url in (("late", late_url), ("early", early_url))
        }
        paths = (("status", reads.STATUS), ("queue page", reads.QUEUE_PAGE))
        for _, path in paths:  # warm up: first-call imports and caches
            for client in clients.values():
                client.get(path).raise_for_status()
        for _ in range(repeats):
            for name, path in paths:
                for which, client in clients.items():
                    started = time.perf_counter()
                    client.get(path).raise_for_status()
                    samples[which][name].append(time.perf_counter() - started)
    medians = {
        which: {name: statistics.median(values) for name, values in by_name.items()}
        for which, by_name in samples.items()
    }
    return medians["late"], medians["early"]


def _app_client(url: str, stack: contextlib.ExitStack) -> TestClient:
    """The real app on `url` (no worker thread), closed with `stack`."""
    data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="pm-bench-app-"))
    settings = load_settings(_env_file=None, data_dir=Path(data_dir), database_url=url)
    container = bootstrap(settings, migrate=False)
    stack.callback(container.close)
    return TestClient(create_app(container), base_url=reads.APP_URL)


# Table groups in the size breakdown: what grows with comments posted, and what housekeeping
# bounds.
GROUPS = {
    "commented_deviations": "ledger",
    "deviation_comment_logs": "log",
    "deviation_comment_queue": "queue",
    "deviation_comment_queue_counts": "queue",
}


def _queue_bytes(tables: dict[str, int]) -> int:
    return sum(size for name, size in tables.items() if GROUPS.get(name) == "queue")


def _growth(before: dict[str, int], after: dict[str, int]) -> str:
    """How much each group of tables grew, largest first, in MiB."""
    grown: dict[str, int] = {}
    for name in set(before) | set(after):
        group = GROUPS.get(name, "other")
        grown[group] = grown.get(group, 0) + after.get(name, 0) - before.get(name, 0)
    parts = sorted(grown.items(), key=lambda item: -item[1])
    return ", ".join(f"{group} {size / 2**20:+.1f} MiB" for group, size in parts)


def run(
    dbs: Databases,
    kind: str,
    *,
    days: int = DAYS,
    repeats: int = 30,
    scale: int = 1,
) -> list[Row]:
    """The retention rows on one database kind (a fresh database, dropped afterwards).

    `scale` divides the day's collects and posts (the smoke run's tiny size).
    """
    url = dbs.fresh(kind)
    try:
        return measure(dbs, kind, url, days, repeats, scale)
    finally:
        dbs.drop(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.retention", description=__doc__)
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--db", choices=(*KINDS, "both"), default="both")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    if args.days <= CHECK_DAY:
        parser.error(f"--days must be more than {CHECK_DAY}")
    kinds = KINDS if args.db == "both" else (args.db,)
    rows: list[Row] = []
    with Databases(kinds) as dbs:
        for kind in kinds:
            rows.extend(run(dbs, kind, days=args.days, repeats=args.repeats))
    print(markdown_table(rows))
    missed = sum(not r.passed for r in rows)
    print(f"\n{len(rows) - missed} PASS, {missed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
