"""Ingest of DeviantArt's messages vs raw inserts of the same rows (the floor).

Both start from the same database: a year of COMMENTS sent comments (from
`inbox_data`), no messages yet. The messages are the ones `inbox_data` draws
for them (replies, watch-, fave- and comment-backs, strangers, unknown types),
rendered as DeviantArt's `messages/feed?stack=false` JSON pages of
PAGE_SIZE, the sandbox's page size (DeviantArt's own is unpublished).

- ingest: the real `InboxPoller.poll` reads every page from a stub of the
  message-center API that parses each page with the product's parser when it is
  asked for it; per page, one transaction: known-id lookup, candidates for
  attribution, each message stored, its credit and daily count, the resume
  point and the lease (`services/inbox/ingest.py`, `poller.py`).
- raw: the rows ingest left in `inbox_messages` and `outcome_credits`, read
  back beforehand, inserted with one executemany per table and page, one
  transaction per page, into the same tables of an identical database. One
  transaction per page is the floor because it is what crash safety asks of the
  poll (a page and its resume point commit together); a single transaction for
  all rows is printed too, for scale.

Ratio = raw time / ingest time; target >= 0.2 (ingest may cost five raw
inserts per message: it reads our comments to credit them, keeps a daily
counter, and writes the poll's row per page).

Alone: `.venv/bin/python -m benchmarks.inbox_ingest [--messages N] [--db ...]`.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _extra in (ROOT, ROOT / "tests"):
    if str(_extra) not in sys.path:
        sys.path.insert(0, str(_extra))

from sqlalchemy import select  # noqa: E402

from benchmarks import inbox_data  # noqa: E402
from benchmarks.databases import Databases  # noqa: E402
from benchmarks.report import Row, seconds  # noqa: E402
from photomanager.deviantart.messages_parsing import parse_message_page  # noqa: E402
from photomanager.domain.inbox import MessagePage  # noqa: E402
from photomanager.sandbox import ManualClock, SandboxConfig  # noqa: E402
from photomanager.services.inbox.poller import InboxPoller  # noqa: E402
from photomanager.storage.engine import create_engine_for  # noqa: E402
from photomanager.storage.tables import inbox_messages, outcome_credits  # noqa: E402
from photomanager.storage.unit_of_work import sql_unit_of_work_factory  # noqa: E402

MESSAGES = 10_000
COMMENTS = 10_000
PAGE_SIZE = SandboxConfig().messages_page_size
TARGET = 0.2
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class PagesApi:
    """The message center as a list of JSON pages; a page is parsed when it is read."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self._pages = pages
        self.served = 0

    def messages_feed(self, cursor: str | None = None, *, stack: bool = False) -> MessagePage:
        self.served += 1
        return parse_message_page(self._pages[int(cursor or 0)])

    def messages_feedback_stack(self, stackid: str, *, offset: int, limit: int) -> MessagePage:
        raise AssertionError("the pages hold no stacks")

    def get_recommended_delay(self) -> float:
        return 0.0

    def post_reply(self, *_args: object) -> Any:
        raise AssertionError("not used")

    def list_replies(self, *_args: object, **_kwargs: object) -> Any:
        raise AssertionError("not used")

    def whoami(self) -> Any:
        raise AssertionError("not used")


@dataclass(frozen=True, slots=True)
class Ingest:
    messages: int
    pages: int
    credited: int
    ingest_s: float
    raw_s: float
    raw_one_tx_s: float


def _ingest(url: str, pages: list[dict[str, Any]]) -> tuple[float, int, int]:
    engine = create_engine_for(url)
    try:
        api = PagesApi(pages)
        poller = InboxPoller(
            uow_factory=sql_unit_of_work_factory(engine),
            api=api,
            clock=ManualClock(NOW),
            max_pages=len(pages),
        )
        started = time.perf_counter()
        result = poller.poll(threading.Event())
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    if result.error or api.served != len(pages):
        raise RuntimeError(f"the poll stopped early: {result}, {api.served} pages")
    return elapsed, result.new, result.credited


def _stored(url: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The rows ingest left: messages in the order stored, credits by messageid."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            stored = [
                dict(r._mapping)
                for r in conn.execute(select(inbox_messages).order_by(inbox_messages.c.inbox_id))
            ]
            credits = {r.messageid: dict(r._mapping) for r in conn.execute(select(outcome_credits))}
    finally:
        engine.dispose()
    for row in stored:
        del row["inbox_id"]  # the floor's own autoincrement, as ingest's
    return stored, credits


def _raw(url: str, stored: list[dict[str, Any]], credits: dict[str, dict[str, Any]]) -> float:
    """The same rows, one executemany per table and page, one transaction per page."""
    engine = create_engine_for(url)
    try:
        pages = [stored[i : i + PAGE_SIZE] for i in range(0, len(stored), PAGE_SIZE)]
        with engine.connect():  # connected before the clock starts, as ingest's pool is
            pass
        started = time.perf_counter()
        for page in pages:
            credited = [credits[m["messageid"]] for m in page if m["messageid"] in credits]
            with engine.begin() as conn:
                conn.execute(inbox_messages.insert(), page)
                if credited:
                    conn.execute(outcome_credits.insert(), credited)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def _raw_one_transaction(
    url: str, stored: list[dict[str, Any]], credits: dict[str, dict[str, Any]]
) -> float:
    engine = create_engine_for(url)
    try:
        with engine.connect():
            pass
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(inbox_messages.insert(), stored)
            conn.execute(outcome_credits.insert(), list(credits.values()))
        return time.perf_counter() - started
    finally:
        engine.dispose()


def measure(dbs: Databases, kind: str, messages: int = MESSAGES) -> Ingest:
    """Ingest `messages` page by page, then the floors, each on a fresh identical database."""
    data = inbox_data.generate(max(COMMENTS, messages), messages, seed=21)
    pages = inbox_data.feed_pages(data, PAGE_SIZE)
    urls = []
    for _ in range(3):
        url = dbs.fresh(kind)
        inbox_data.fill(url, data, with_messages=False)
        urls.append(url)
    try:
        ingest_s, new, credited = _ingest(urls[0], pages)
        if new != messages:
            raise RuntimeError(f"ingest stored {new} of {messages} messages")
        stored, credits = _stored(urls[0])
        raw_s = _raw(urls[1], stored, credits)
        one_tx_s = _raw_one_transaction(urls[2], stored, credits)
    finally:
        for url in urls:
            dbs.drop(url)
    return Ingest(messages, len(pages), credited, ingest_s, raw_s, one_tx_s)


def row(kind: str, result: Ingest) -> Row:
    return Row(
        benchmark=f"inbox ingest of {result.messages:,} messages "
        f"({result.pages:,} pages of {PAGE_SIZE}): poller vs raw INSERT, a transaction a page",
        database=kind,
        measured=(
            f"ingest {seconds(result.ingest_s)} ({result.messages / result.ingest_s:,.0f}/s, "
            f"{result.credited:,} credited), raw {seconds(result.raw_s)} "
            f"({result.messages / result.raw_s:,.0f}/s; in one transaction "
            f"{seconds(result.raw_one_tx_s)})"
        ),
        ratio=result.raw_s / result.ingest_s,
        op=">=",
        target=TARGET,
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    from benchmarks.databases import KINDS
    from benchmarks.report import markdown_table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.inbox_ingest", description=__doc__)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--db", choices=(*KINDS, "both"), default="both")
    args = parser.parse_args(argv)
    kinds = KINDS if args.db == "both" else (args.db,)
    out: list[Row] = []
    with Databases(kinds) as dbs:
        for kind in kinds:
            out.append(row(kind, measure(dbs, kind, args.messages)))
    print(markdown_table(out))
    missed = sum(not r.passed for r in out)
    print(f"\n{len(out) - missed} PASS, {missed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
