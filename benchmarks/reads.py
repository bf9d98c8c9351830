"""What the page reads: `GET /status` and one queue page, through the real app.

The FastAPI app is built by `bootstrap()` + `create_app()` on the benchmark
database and called with Starlette's TestClient (no worker thread, no network).
Medians at N rows vs at a small queue; target: big / small <= 3.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import warnings
from pathlib import Path

from benchmarks.report import Row, seconds
from photomanager.api.app import create_app
from photomanager.bootstrap import bootstrap
from photomanager.config import load_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's import-time note about httpx2
    from starlette.testclient import TestClient

TARGET = 3.0
APP_URL = "http://127.0.0.1"
PREFIX = "/api/deviation-comments"
STATUS = f"{PREFIX}/status"
QUEUE_PAGE = f"{PREFIX}/queue?status=pending&limit=50"


def read_latencies(url: str, repeats: int) -> dict[str, float]:
    """Median seconds of `GET /status` and of one pending-queue page."""
    with tempfile.TemporaryDirectory(prefix="pm-bench-app-") as data_dir:
        settings = load_settings(_env_file=None, data_dir=Path(data_dir), database_url=url)
        container = bootstrap(settings, migrate=False)
        try:
            with TestClient(create_app(container), base_url=APP_URL) as client:
                results = {}
                for name, path in (("status", STATUS), ("queue page", QUEUE_PAGE)):
                    response = client.get(path)  # warm up: first-call imports and caches
                    response.raise_for_status()
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
    kind: str, big_rows: int, big: dict[str, float], small_rows: int, small: dict[str, float]
) -> list[Row]:
    return [
        Row(
            benchmark=f"GET {'/status' if name == 'status' else 'one queue page'}: "
            f"{big_rows:,} vs {small_rows:,} rows",
            database=kind,
            measured=f"median {seconds(big[name])} vs {seconds(small[name])}",
            ratio=big[name] / small[name],
            op="<=",
            target=TARGET,
        )
        for name in ("status", "queue page")
    ]
