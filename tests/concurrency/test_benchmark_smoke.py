"""The benchmark runs end to end: `python -m benchmarks --quick` prints every row.

Only the shape of the table is checked, never the targets: tiny sizes say
nothing about performance.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS_PER_DB = (
    "enqueue",
    "claim + mark latency",
    "GET /status",
    "GET one queue page",
    "peak memory",
    "whole run: achieved / R",
    "whole run: 429 share",
    "steady state: achieved / R",
    "steady state: 429 share",
    "6 per 10 s, no Retry-After: achieved / allowed",
    "6 per 10 s, no Retry-After: throttled POSTs",
    "30 per 60 s, no Retry-After: achieved / allowed",
    "30 per 60 s, no Retry-After: throttled POSTs",
    "1 per 5 s, no Retry-After: achieved / allowed",
    "1 per 5 s, no Retry-After: throttled POSTs",
    "with Retry-After: requests inside it",
    "GET /outcomes?group_by=template",  # the inbox rows: reads, ingest, polling's cost
    "GET /outcomes?group_by=source",
    "GET /outcomes?group_by=week",
    "GET /inbox, first page",
    "GET /inbox?status=unread, first page",
    "GET /inbox?kind=all, first page",
    "GET /inbox, a page half-way down by cursor",
    "inbox ingest of",
    "inbox polling at default settings",
    "simulated days",  # the retention rows: database size, then the two reads
    "days: GET /status",
    "days: GET one queue page",
)


RUN_TIMEOUT_S = 420


# Not in the `slow` group: one process (its own PostgreSQL aside), nothing timed. One test
# per database, so two workers can share the run.
@pytest.mark.timeout(RUN_TIMEOUT_S + 60)  # the run's own timeout speaks first
class TestBenchmarkSmoke:
    @pytest.mark.parametrize(
        "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
    )
    def test_quick_run_prints_every_row(self, database: str) -> None:
        """`--quick` prints one PASS/MISS row per benchmark on the database."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks",
                "--quick",
                "--rows",
                "300",
                "--rate",
                "2",
                "--db",
                database,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )

        assert result.returncode == 0, result.stderr[-3000:]
        rows = [line for line in result.stdout.splitlines() if line.endswith(("PASS |", "MISS |"))]
        names = [r.split("|")[1] for r in rows if r.split("|")[2].strip() == database]
        assert len(names) == len(rows) == len(BENCHMARKS_PER_DB)
        for expected, name in zip(BENCHMARKS_PER_DB, names, strict=True):
            assert expected in name
