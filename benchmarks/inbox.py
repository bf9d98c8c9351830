"""What the inbox and outcomes pages read, at N comments and N messages vs 10,000.

`GET /outcomes` (by template and by week) and `GET /inbox` (unread replies, and
every message) through the real app, on a database holding N sent comments,
N DeviantArt messages and a credit for every fourth message, spread over a
year. Target: median at N / median at 10,000 <= 1.5. The figures come from the
daily buckets (`outcome_counts`), the inbox from keyset pages on indexes: both
cost the same whatever the size.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from benchmarks.report import Row, seconds
from photomanager.api.app import create_app
from photomanager.bootstrap import bootstrap
from photomanager.config import load_settings
from photomanager.storage.engine import create_engine_for
from photomanager.storage.tables import (
    inbox_messages,
    logs,
    messages,
    outcome_counts,
    outcome_credits,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's import-time note about httpx2
    from starlette.testclient import TestClient

TARGET = 1.5
SMALL = 10_000
APP_URL = "http://127.0.0.1"
PREFIX = "/api/deviation-comments"
PATHS = {
    "outcomes by template": f"{PREFIX}/outcomes?group_by=template",
    "outcomes by week": f"{PREFIX}/outcomes?group_by=week",
    "inbox, unread replies": f"{PREFIX}/inbox?status=unread&limit=50",
    "inbox, everything": f"{PREFIX}/inbox?status=all&kind=all&limit=50",
}
TEMPLATES = 5
SOURCES = ("watch_feed", "global_feed", "tag:dragons")
BATCH = 10_000
START = datetime(2025, 1, 1, tzinfo=UTC)
KINDS = ("reply", "watch", "favourite", "comment")
OUTCOME = {
    "reply": "replies",
    "watch": "watch_backs",
    "favourite": "fave_backs",
    "comment": "comment_backs",
}


def fill(url: str, n: int) -> None:
    """N sent comments, N messages, N/4 credits and their daily buckets, over a year."""
    engine = create_engine_for(url)
    step = timedelta(days=365) / n
    buckets: Counter[tuple[str, int, str, str]] = Counter()
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(messages),
                [
                    {
                        "message_id": t,
                        "title": f"T{t}",
                        "body": "Nice!",
                        "is_active": True,
                        "created_at": START,
                        "updated_at": START,
                    }
                    for t in range(1, TEMPLATES + 1)
                ],
            )
        for first in range(0, n, BATCH):
            log_rows, message_rows, credit_rows = [], [], []
            for i in range(first, min(n, first + BATCH)):
                at = START + step * i
                template, source = i % TEMPLATES + 1, SOURCES[i % len(SOURCES)]
                day = at.date().isoformat()
                log_rows.append(
                    {
                        "log_id": i + 1,
                        "deviationid": f"D{i}",
                        "message_id": template,
                        "commentid": f"C{i}",
                        "status": "sent",
                        "body": "Nice!",
                        "sent_at": at,
                        "source": source,
                        "author": f"a{i % 50_000}",
                    }
                )
                buckets[(day, template, source, "comments")] += 1
                kind = KINDS[i % len(KINDS)]
                message_rows.append(
                    {
                        "messageid": f"M{i}",
                        "type": f"feedback.{kind}",
                        "kind": kind,
                        "view": "replies" if kind == "reply" else "other",
                        "status": ("unread", "read", "answered")[i % 3],
                        "received_at": at + timedelta(hours=1),
                        "originator_username": f"a{i}",
                        "deviationid": f"D{i}",
                        "commentid": f"R{i}",
                        "parentid": f"C{i}",
                        "body": "Thanks!",
                        "our_commentid": f"C{i}" if kind == "reply" else None,
                        "stored_at": at + timedelta(hours=1),
                    }
                )
                if i % 4 == 0:
                    credit_rows.append(
                        {
                            "messageid": f"M{i}",
                            "kind": OUTCOME[kind][:-1].rstrip("_"),
                            "log_id": i + 1,
                            "commentid": f"C{i}",
                            "message_id": template,
                            "source": source,
                            "comment_sent_at": at,
                            "credited_at": at,
                        }
                    )
                    buckets[(day, template, source, OUTCOME[kind][1])] += 1
            with engine.begin() as conn:
                conn.execute(insert(logs), log_rows)
                conn.execute(insert(inbox_messages), message_rows)
                if credit_rows:
                    conn.execute(insert(outcome_credits), credit_rows)
        rows: dict[tuple[str, int, str], dict[str, object]] = {}
        for (day, template, source, column), count in buckets.items():
            row = rows.setdefault(
                (day, template, source),
                {"day": day, "template_key": template, "source": source},
            )
            row[column] = count
        with engine.begin() as conn:
            conn.execute(insert(outcome_counts), list(rows.values()))
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load (as in retention.py): statistics and
            # the visibility map, without which the first reads pay for the load.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def latencies(url: str, repeats: int) -> dict[str, float]:
    """Median seconds of each read in `PATHS`."""
    with tempfile.TemporaryDirectory(prefix="pm-bench-inbox-") as data_dir:
        settings = load_settings(_env_file=None, data_dir=Path(data_dir), database_url=url)
        container = bootstrap(settings, migrate=False)
        try:
            with TestClient(create_app(container), base_url=APP_URL) as client:
                results = {}
                for name, path in PATHS.items():
                    client.get(path).raise_for_status()  # warm up
                    samples = []
                    for _ in range(repeats):
                        started = time.perf_counter()
                        client.get(path).raise_for_status()
                        samples.append(time.perf_counter() - started)
                    results[name] = statistics.median(samples)
                return results
        finally:
            container.close()


def rows(
    kind: str, big_n: int, big: dict[str, float], small_n: int, small: dict[str, float]
) -> list[Row]:
    return [
        Row(
            benchmark=f"GET {name}: {big_n:,} vs {small_n:,} comments and messages",
            database=kind,
            measured=f"median {seconds(big[name])} vs {seconds(small[name])}",
            ratio=big[name] / small[name],
            op="<=",
            target=TARGET,
        )
        for name in PATHS
    ]
