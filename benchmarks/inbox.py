"""What the Inbox and Outcomes sections read, at a million comments and messages vs 10,000.

Through the real app (`bootstrap()` + `create_app()`, Starlette's TestClient,
no worker thread), on a database filled by `inbox_data.fill` (a year of sent
comments and as many messages, with their credits, answers and daily counts):

- `GET /outcomes?group_by=template|source|week`;
- `GET /inbox` (the page's default: replies, every status, 50 a page), its first
  page, the first page of unread replies, the first page of every message
  (`kind=all`), and a page half-way down the replies (the cursor of the item
  there, as the API would have handed it out after as many pages).

The big and the small database are read in turns, request by request, so a busy
moment of the shared machine slows both alike; median of `repeats`. Target:
big / small <= 1.5.

Alone: `.venv/bin/python -m benchmarks.inbox [--rows N] [--small N] [--db ...]`.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _extra in (ROOT, ROOT / "tests"):
    if str(_extra) not in sys.path:
        sys.path.insert(0, str(_extra))

from benchmarks import inbox_data  # noqa: E402
from benchmarks.databases import Databases  # noqa: E402
from benchmarks.report import Row, seconds  # noqa: E402
from photomanager.api.app import create_app  # noqa: E402
from photomanager.bootstrap import bootstrap  # noqa: E402
from photomanager.config import load_settings  # noqa: E402
from photomanager.storage.sql_helpers import encode_cursor  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's import-time note about httpx2
    from starlette.testclient import TestClient

TARGET = 1.5
APP_URL = "http://127.0.0.1"
PREFIX = "/api/deviation-comments"
OUTCOMES = {
    f"GET /outcomes?group_by={by}": f"{PREFIX}/outcomes?group_by={by}"
    for by in ("template", "source", "week")
}
INBOX_FIRST = "GET /inbox, first page"
INBOX_UNREAD = "GET /inbox?status=unread, first page"
INBOX_ALL = "GET /inbox?kind=all, first page"
INBOX_DEEP = "GET /inbox, a page half-way down by cursor"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def deep_cursor(data: inbox_data.Dataset) -> str:
    """The cursor the API hands out for the reply half-way down the replies, newest first."""
    replies = [m for m in data.messages if m.type == "feedback.reply"]
    replies.sort(key=lambda m: (m.ts, m.inbox_id), reverse=True)
    middle = replies[len(replies) // 2]
    return encode_cursor(middle.ts, middle.inbox_id)


def paths(data: inbox_data.Dataset) -> dict[str, str]:
    return {
        **OUTCOMES,
        INBOX_FIRST: f"{PREFIX}/inbox",
        INBOX_UNREAD: f"{PREFIX}/inbox?status=unread",
        INBOX_ALL: f"{PREFIX}/inbox?kind=all",
        INBOX_DEEP: f"{PREFIX}/inbox?cursor={deep_cursor(data)}",
    }


def paired_latencies(
    big: tuple[str, dict[str, str]], small: tuple[str, dict[str, str]], repeats: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Median seconds of every read on both databases, taken in turns."""
    samples: dict[str, dict[str, list[float]]] = {"big": {}, "small": {}}
    with contextlib.ExitStack() as stack:
        clients = {
            which: (_app_client(url, stack), reads)
            for which, (url, reads) in (("big", big), ("small", small))
        }
        for client, reads in clients.values():  # warm up: imports, caches, the first pages
            for path in reads.values():
                _checked(client.get(path))
        for _ in range(repeats):
            for name in big[1]:
                for which, (client, reads) in clients.items():
                    started = time.perf_counter()
                    _checked(client.get(reads[name]))
                    samples[which].setdefault(name, []).append(time.perf_counter() - started)
    medians = {
        which: {name: statistics.median(values) for name, values in by_name.items()}
        for which, by_name in samples.items()
    }
    return medians["big"], medians["small"]


def _checked(response: object) -> None:
    status = getattr(response, "status_code", 0)
    if status != 200:
        raise RuntimeError(f"{status}: {getattr(response, 'text', '')[:300]}")
    body = response.json()  # type: ignore[attr-defined]
    if "items" in body and not body["items"]:
        raise RuntimeError("an empty inbox page: the benchmark reads nothing")


def _app_client(url: str, stack: contextlib.ExitStack) -> TestClient:
    data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="pm-bench-app-"))
    settings = load_settings(_env_file=None, data_dir=Path(data_dir), database_url=url)
    container = bootstrap(settings, migrate=False)
    stack.callback(container.close)
    return stack.enter_context(TestClient(create_app(container), base_url=APP_URL))


def filled(dbs: Databases, kind: str, size: int) -> tuple[str, inbox_data.Dataset]:
    """A fresh database holding `size` comments and `size` messages."""
    url = dbs.fresh(kind)
    data = inbox_data.generate(size, size)
    started = time.perf_counter()
    inbox_data.fill(url, data)
    progress(f"{kind}: filled {size:,} comments + {size:,} messages "
             f"in {time.perf_counter() - started:.1f} s{inbox_data.all_visible(url)}")  # fmt: skip
    return url, data


def run(
    dbs: Databases,
    kind: str,
    big_size: int,
    small_size: int,
    repeats: int,
) -> list[Row]:
    """The read rows on one database kind (both databases dropped afterwards)."""
    big_url, big_data = filled(dbs, kind, big_size)
    small_url, small_data = filled(dbs, kind, small_size)
    try:
        big, small = paired_latencies(
            (big_url, paths(big_data)), (small_url, paths(small_data)), repeats
        )
    finally:
        dbs.drop(big_url)
        dbs.drop(small_url)
    sizes = f"{big_size:,} vs {small_size:,} comments and messages"
    return [
        Row(
            benchmark=f"{name}: {sizes}",
            database=kind,
            measured=f"median {seconds(big[name])} vs {seconds(small[name])}",
            ratio=big[name] / small[name],
            op="<=",
            target=TARGET,
        )
        for name in big
    ]


def main(argv: list[str] | None = None) -> int:
    import argparse

    from benchmarks.databases import KINDS
    from benchmarks.report import markdown_table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.inbox", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--db", choices=(*KINDS, "both"), default="both")
    args = parser.parse_args(argv)
    kinds = KINDS if args.db == "both" else (args.db,)
    out: list[Row] = []
    with Databases(kinds) as dbs:
        for kind in kinds:
            out.extend(run(dbs, kind, args.rows, args.small, args.repeats))
    print(markdown_table(out))
    missed = sum(not r.passed for r in out)
    print(f"\n{len(out) - missed} PASS, {missed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
