"""Pacing without Retry-After: the real worker against DeviantArt's velocity filter.

DeviantArt throttles with a velocity filter (at most N requests in any W
seconds per user) and answers 429 without Retry-After; requests while
throttled lengthen the penalty (docs/deviantart.md, "Rate limits"). For each
limit in `LIMITS`, one `CommentWorker` runs its real loop on a real database
(SQLite or PostgreSQL) against the sandbox's `VelocityFilter` with no
Retry-After, zero pacing and no floor under the client's learned delay. The
sandbox, the client and the loop share one `ManualClock`: every wait moves
it, so a run of more than 1,000 POSTs at 1 per 5 s takes seconds, not hours.

Reported over the whole run, warm-up included: achieved / allowed (comments
per simulated second / (N / W)) and the share of POSTs answered 429. One more
row sends Retry-After (an option of the sandbox) and counts requests made
inside the penalty it announced: Retry-After is still never undercut.
Targets: achieved / allowed >= 0.9, throttled <= 2%, inside an announced
penalty 0. Alone: `.venv/bin/python -m benchmarks.pacing [--db ...] [--posts N]`
(about a minute per database kind).
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _extra in (ROOT, ROOT / "tests"):  # `benchmarks`, then `fixtures` and `concurrency`
    if str(_extra) not in sys.path:
        sys.path.insert(0, str(_extra))

from benchmarks.report import Row  # noqa: E402
from photomanager.deviantart import DeviantArtApiClient, DeviantArtHttpClient, RetryPolicy  # noqa: E402
from photomanager.deviantart.retry import AdaptiveDelay  # noqa: E402
from photomanager.domain.models import TokenKind  # noqa: E402
from photomanager.sandbox import ManualClock, Sandbox, VelocityFilter  # noqa: E402
from photomanager.sandbox.adapters import SandboxTransport  # noqa: E402
from photomanager.services.posting.worker import CommentWorker  # noqa: E402
from photomanager.storage.engine import create_engine_for  # noqa: E402
from photomanager.storage.penalty_store import SqlPenaltyStore  # noqa: E402
from photomanager.storage.unit_of_work import sql_unit_of_work_factory  # noqa: E402

TARGET_RATIO = 0.9
TARGET_THROTTLED = 0.02
POSTS = 1000
QUICK_POSTS = 60
# (requests, seconds): 6 per 10 s, 30 per minute, 1 per 5 s.
LIMITS = ((6, 10.0), (30, 60.0), (1, 5.0))
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PaceRun:
    """POSTs against an N-per-W limit: accepted, throttled, over how many seconds.

    Shared with `benchmarks/wallclock.py`, which measures the same on the real clock.
    """

    limit: int
    window_s: float
    ok: int
    throttled: int
    seconds: float

    @property
    def allowed(self) -> float:
        """Requests per second the limit allows."""
        return self.limit / self.window_s

    @property
    def achieved(self) -> float:
        """Accepted POSTs per second."""
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.achieved / self.allowed

    @property
    def posts(self) -> int:
        return self.ok + self.throttled

    @property
    def share(self) -> float:
        """The share of POSTs answered 429."""
        return self.throttled / self.posts if self.posts else 0.0


@dataclass(frozen=True, slots=True)
class Pacing(PaceRun):
    """One run on the simulated clock, and the requests sent inside an announced penalty."""

    inside_announced: int


def pace_rows(
    kind: str,
    run: PaceRun,
    *,
    pace: tuple[str, str],
    throttled: tuple[str, str],
    ratio: float | None = None,
) -> list[Row]:
    """A run's two rows, each named and described by a (benchmark, measured) pair.

    Its pace / the allowed one (`ratio` when the pace judged is not the POSTs' own), at
    least `TARGET_RATIO`; its share of throttled POSTs, at most `TARGET_THROTTLED`.
    """
    return [
        Row(pace[0], kind, pace[1], run.ratio if ratio is None else ratio, ">=", TARGET_RATIO),
        Row(throttled[0], kind, throttled[1], run.share, "<=", TARGET_THROTTLED),
    ]


class _Tokens:
    """Tokens straight from the sandbox; a rejected one is simply issued again."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._token = sandbox.issue_user_token().access_token

    def get_token(self, kind: TokenKind) -> str:
        return self._token

    def refresh_token(self, kind: TokenKind, rejected: str) -> str:
        self._token = self._sandbox.issue_user_token().access_token
        return self._token


def measure(
    url: str, *, limit: int, window_s: float, posts: int = POSTS, retry_after: bool = False
) -> Pacing:
    """Run the worker until `posts` POSTs were made against an N-per-W velocity filter."""
    from concurrency.harness import prepare_database

    clock = ManualClock(START)
    sandbox = Sandbox.seeded(seed=5, deviations=0, clock=clock)
    author = next(u for u in sandbox.users if u.userid not in sandbox.watched_userids)
    ids = sandbox.publish(posts + 50, author=author)
    commentable = set(sandbox.deviation_ids(commentable=True))
    ids = [d for d in reversed(ids) if d in commentable]
    sandbox.faults.rate_limit = VelocityFilter(
        user_limit=limit, user_window_s=window_s, client_limit=None, send_retry_after=retry_after
    )
    engine = create_engine_for(url)
    try:
        factory = sql_unit_of_work_factory(engine)
        prepare_database(factory, sandbox, ids)
        policy = RetryPolicy(delay_floor_s=0.0, min_wait_s=0.0)
        http = DeviantArtHttpClient(
            tokens=_Tokens(sandbox),
            transport=SandboxTransport(sandbox),
            clock=clock,
            policy=policy,
            sleep=lambda seconds: clock.advance(max(seconds, 0.0)),
            rng=random.Random(3),
            delay=AdaptiveDelay(policy, monotonic=lambda: clock.now().timestamp()),
            penalties=SqlPenaltyStore(engine),
        )
        stop = threading.Event()

        def sleep(event: threading.Event, seconds: float) -> bool:
            clock.advance(max(seconds, 0.001))
            if len(sandbox.ledger.requests("post_comment")) >= posts:
                event.set()
            return event.is_set()

        worker = CommentWorker(
            uow_factory=factory,
            api=DeviantArtApiClient(http),
            clock=clock,
            rng=random.Random(3),
            sleep=sleep,
            max_wait_chunk=3600.0,
        )
        worker.run(stop)
        http.close()
    finally:
        engine.dispose()
    requests = sandbox.ledger.requests("post_comment")[:posts]
    seconds = (requests[-1].at - requests[0].at) / timedelta(seconds=1) if requests else 0.0
    return Pacing(
        limit=limit,
        window_s=window_s,
        ok=sum(r.status == 200 for r in requests),
        throttled=sum(r.status == 429 for r in requests),
        seconds=seconds,
        inside_announced=len(sandbox.ledger.inside_declared_penalty()),
    )


def rows(kind: str, result: Pacing) -> list[Row]:
    """Achieved / allowed and the throttled share for one limit."""
    name = f"worker vs velocity filter {result.limit} per {result.window_s:g} s, no Retry-After"
    return pace_rows(
        kind,
        result,
        pace=(
            f"{name}: achieved / allowed",
            f"{result.ok} comments in {result.seconds:,.0f} s simulated "
            f"({result.achieved:.3f}/s of {result.allowed:.3f}/s)",
        ),
        throttled=(f"{name}: throttled POSTs", f"{result.throttled} x 429 in {result.posts} POSTs"),
    )


def retry_after_row(kind: str, result: Pacing) -> Row:
    """Requests inside a penalty the sandbox announced with Retry-After (must be none)."""
    what = f"{result.limit} per {result.window_s:g} s"
    return Row(
        benchmark=f"worker vs velocity filter {what}, with Retry-After: requests inside it",
        database=kind,
        measured=f"{result.inside_announced} of {result.posts} POSTs",
        ratio=float(result.inside_announced),
        op="<=",
        target=0.0,
    )


def run_kind(url_for: Callable[[], str], kind: str, *, posts: int) -> list[Row]:
    """Every pacing row on one database kind (`url_for()` gives a fresh database)."""
    out: list[Row] = []
    for limit, window_s in LIMITS:
        out.extend(rows(kind, measure(url_for(), limit=limit, window_s=window_s, posts=posts)))
    limit, window_s = LIMITS[0]
    announced = measure(url_for(), limit=limit, window_s=window_s, posts=posts, retry_after=True)
    out.append(retry_after_row(kind, announced))
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.pacing [--db sqlite|postgresql|both] [--posts N]`: these rows only."""
    import argparse
    import logging

    from benchmarks.databases import KINDS, Databases
    from benchmarks.report import markdown_table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.pacing", description=__doc__)
    parser.add_argument("--db", choices=(*KINDS, "both"), default="both")
    parser.add_argument("--posts", type=int, default=POSTS)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # "every rendering was posted recently", 1,000 times
    kinds = KINDS if args.db == "both" else (args.db,)
    out: list[Row] = []
    with Databases(kinds) as dbs:
        for kind in kinds:
            out.extend(run_kind(lambda kind=kind: dbs.fresh(kind), kind, posts=args.posts))  # type: ignore[misc]
    print(markdown_table(out))
    missed = sum(not r.passed for r in out)
    print(f"\n{len(out) - missed} PASS, {missed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
