"""Pacing on the real clock: `photomanager serve` against the sandbox over loopback HTTP.

The simulated-clock rows (`benchmarks/pacing.py`) hide everything that takes
real time and everything that is not a POST. Here the real app runs as a user
runs it: `photomanager serve` in a child process (its worker thread, its API,
SQLite or PostgreSQL), with DeviantArt played by the sandbox in this process
behind a real HTTP server on 127.0.0.1, rate limited by a velocity filter
without Retry-After. Cold start: a fresh database (no learned pace, no waits),
`min_interval_s = max_interval_s = 1`, caps and per-author limits out of the
way, the client's default 1 s floor.

Scenarios, each run for `--wallclock-seconds` (default 300) from the first POST:

- drain: the worker drains a queue of rows that need no review;
- review: the same, with half the queue from the global feed (reviewed): the
  worker parks those for review, and every `APPROVE_EVERY_S` this process lists
  the page of rows awaiting review and approves them through the API, as the
  page's "approve all" does;
- collect: the drain while the watch feed is collected through the API every
  `COLLECT_EVERY_S` (user token: feed pages and metadata reads share the user's
  budget with posting).

Reported from the sandbox's own ledger (what DeviantArt saw): accepted
comments per second over the span of the POSTs / the allowed N / W, throttled
POSTs / POSTs, and the gaps between the starts of consecutive POSTs (median,
p90). A timeline of every request (and the app's log, with its waits) is kept
in `--keep-logs DIR` for diagnosis.

    .venv/bin/python -m benchmarks --only pacing-wallclock [--wallclock-seconds 300]
    .venv/bin/python -m benchmarks.wallclock --db sqlite --wallclock-seconds 60 --keep-logs /tmp/x
"""

from __future__ import annotations

import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _extra in (ROOT, ROOT / "tests"):
    if str(_extra) not in sys.path:
        sys.path.insert(0, str(_extra))

from benchmarks.pacing import PaceRun, pace_rows  # noqa: E402
from benchmarks.report import Row  # noqa: E402
from photomanager.api.routes import PREFIX  # noqa: E402
from photomanager.domain.models import (  # noqa: E402
    CommentSettings,
    NewQueueItem,
    Source,
    SourceKind,
    TokenKind,
    WorkerControl,
    WorkerDesired,
)
from photomanager.sandbox import Sandbox, VelocityFilter  # noqa: E402
from photomanager.sandbox.adapters import SandboxServer  # noqa: E402
from photomanager.storage.engine import create_engine_for  # noqa: E402
from photomanager.storage.unit_of_work import sql_unit_of_work_factory  # noqa: E402

SECONDS = 300.0
LIMITS = ((6, 10.0), (30, 60.0))
SCENARIOS = ("drain", "review")
ALL_SCENARIOS = (*SCENARIOS, "collect")
APPROVE_EVERY_S = 3.0
COLLECT_EVERY_S = 20.0
COLLECT_PAGES = 2
COLLECT_NEW = 20  # deviations published by watched artists before each collect
POST = "post_comment"
BOOT_TIMEOUT_S = 60.0
FIRST_POST_TIMEOUT_S = 60.0
TEMPLATE_BODY = "{Lovely|Beautiful|Great} {work|piece}, {{author}}{!|!!}"
PACED = CommentSettings(
    min_interval_s=1,
    max_interval_s=1,
    max_per_hour=10_000_000,
    max_per_day=10_000_000,
    review_sources=(),
    author_cooldown_days=0,
    max_per_author=None,
    max_consecutive_failures=1_000,
)
_LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass(frozen=True, slots=True)
class WallClock(PaceRun):
    """One run as the sandbox saw it."""

    scenario: str
    gaps: list[float] = field(default_factory=list)
    other_user_requests: int = 0
    other_throttled: int = 0
    load: str = ""
    helper_calls: int = 0  # approve-all calls, or collects started
    helper_rows: int = 0  # rows approved

    @property
    def token_ratio(self) -> float:
        """Every accepted request of the user token (POSTs and reads) / the allowed rate."""
        accepted = self.ok + self.other_user_requests - self.other_throttled
        return accepted / self.seconds / self.allowed if self.seconds else 0.0

    def gap(self, quantile: float) -> float:
        if not self.gaps:
            return 0.0
        ordered = sorted(self.gaps)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def _sandbox(rows: int) -> tuple[Sandbox, list[str]]:
    from concurrency.harness import commentable_sandbox

    return commentable_sandbox(rows, seed=11)


def _queue(sandbox: Sandbox, ids: list[str], *, review: bool) -> list[NewQueueItem]:
    from fixtures.database import METADATA_READ

    start = datetime.now(UTC)
    items = []
    for n, deviationid in enumerate(ids):
        deviation = sandbox.deviation(deviationid)
        # Interleaved, as the feeds deliver them: every other row needs review.
        source = Source.GLOBAL_FEED if review and n % 2 else Source.WATCH_FEED
        items.append(
            NewQueueItem(
                deviationid=deviationid,
                source=source,
                ts=start - timedelta(milliseconds=n),
                author=deviation["author"]["username"],
                title=deviation["title"],
                url=deviation["url"],
                enriched_at=METADATA_READ,
            )
        )
    return items


def _prepare(url: str, sandbox: Sandbox, ids: list[str], *, review: bool) -> None:
    """A fresh database: template, settings, token, queue; the worker asked to run."""
    engine = create_engine_for(url)
    try:
        factory = sql_unit_of_work_factory(engine)
        now = datetime.now(UTC)
        settings = replace(PACED, review_sources=(SourceKind.GLOBAL_FEED,) if review else ())
        with factory() as uow:
            uow.messages.add("wallclock", TEMPLATE_BODY, True, now)
            uow.settings.save(settings, now)
            uow.tokens.save(sandbox.issue_user_token())
            uow.worker_control.save(
                WorkerControl(
                    desired=WorkerDesired.RUNNING,
                    state="stopped",
                    confirmed_unreviewed=True,
                    updated_at=now,
                )
            )
            uow.queue.add_many(_queue(sandbox, ids, review=review), now)
            uow.commit()
    finally:
        engine.dispose()


class _App:
    """`photomanager serve` in a child process, on a free loopback port."""

    def __init__(self, url: str, base_url: str, sandbox: Sandbox, log_dir: Path) -> None:
        from concurrency.harness import worker_env

        self.log_path = log_dir / "serve.log"
        env = worker_env(
            url,
            base_url,
            sandbox,
            log_dir,
            PHOTOMANAGER_LOG_LEVEL=os.environ.get("WALLCLOCK_LOG_LEVEL", "INFO"),
        )
        with self.log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "photomanager.cli", "serve", "--port", "0"],
                env=env,
                cwd=log_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        self.url = ""
        while not self.url:
            match = _LISTENING.search(self.log_path.read_text(errors="replace"))
            if match:
                self.url = match.group(1)
            elif self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start:\n{self.output()[-3000:]}")
            else:
                time.sleep(0.1)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def call(self, method: str, path: str, body: object | None = None) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own app on loopback
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Origin": self.url},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return json.loads(response.read() or b"null")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def _approver(app: _App, stop: threading.Event, done: list[int]) -> None:
    """Every few seconds: read the review page, approve what it shows (as the page does)."""
    while not stop.wait(APPROVE_EVERY_S):
        page = app.call("GET", f"{PREFIX}/review?limit=50")
        ids = [item["deviationid"] for item in page["items"]]  # type: ignore[index]
        if ids:
            answer = app.call("POST", f"{PREFIX}/review/approve-all", {"deviationids": ids})
            done.append(len(answer["approved"]))  # type: ignore[index]


def _collector(app: _App, sandbox: Sandbox, stop: threading.Event, done: list[int]) -> None:
    """Every `COLLECT_EVERY_S`: new deviations by watched artists, then a collect through
    the API (user token: feed pages, then the metadata of what is new)."""
    while True:
        sandbox.publish(COLLECT_NEW, watched=True)
        try:
            app.call("POST", f"{PREFIX}/collect/watch-feed", {"pages": COLLECT_PAGES})
            done.append(1)
        except urllib.error.HTTPError as exc:
            if exc.code != HTTPStatus.CONFLICT:
                raise
            done.append(0)  # the previous collect still runs (its requests wait for turns)
        if stop.wait(COLLECT_EVERY_S):
            return


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def measure(
    url: str,
    *,
    limit: int,
    window_s: float,
    seconds: float,
    scenario: str,
    log_dir: Path,
) -> WallClock:
    """Run `photomanager serve` on `url` for `seconds` of posting; what the sandbox saw."""
    rows = int(seconds * limit / window_s * 1.5) + 60
    review = scenario == "review"
    sandbox, ids = _sandbox(rows * (2 if review else 1))
    sandbox.faults.rate_limit = VelocityFilter(
        user_limit=limit, user_window_s=window_s, client_limit=None, send_retry_after=False
    )
    _prepare(url, sandbox, ids, review=review)
    helpers: list[threading.Thread] = []
    done: list[int] = []  # rows approved per call; per collect round 1 (started) or 0
    stop = threading.Event()
    with SandboxServer(sandbox) as base_url:
        app = _App(url, base_url, sandbox, log_dir)
        try:
            deadline = time.monotonic() + FIRST_POST_TIMEOUT_S
            while not sandbox.ledger.requests(POST):
                if time.monotonic() > deadline or app.popen.poll() is not None:
                    raise RuntimeError(f"no POST:\n{app.output()[-3000:]}")
                time.sleep(0.05)
            if review:
                helpers.append(threading.Thread(target=_approver, args=(app, stop, done)))
            if scenario == "collect":
                helpers.append(threading.Thread(target=_collector, args=(app, sandbox, stop, done)))
            for helper in helpers:
                helper.start()
            load = _load()
            time.sleep(seconds)
            load += " / " + _load()
        finally:
            stop.set()
            for helper in helpers:
                helper.join()
            app.stop()
    requests = sandbox.ledger.requests()
    _write_timeline(log_dir / "requests.tsv", requests)
    posts = [r for r in requests if r.endpoint == POST]
    first = posts[0].at
    posts = [r for r in posts if (r.at - first).total_seconds() <= seconds]
    ok = [r for r in posts if r.status == 200]
    span = (posts[-1].at - first).total_seconds() if len(posts) > 1 else 0.0
    starts = [r.at for r in posts]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    others = [
        r
        for r in requests
        if r.endpoint != POST
        and r.token_kind is TokenKind.USER
        and first <= r.at <= first + timedelta(seconds=seconds)
    ]
    return WallClock(
        limit=limit,
        window_s=window_s,
        scenario=scenario,
        ok=len(ok),
        throttled=sum(r.status == 429 for r in posts),
        seconds=span,
        gaps=gaps,
        other_user_requests=len(others),
        other_throttled=sum(r.status == 429 for r in others),
        load=load,
        helper_calls=len(done),
        helper_rows=sum(done),
    )


def _write_timeline(path: Path, requests: list[object]) -> None:
    lines = ["at\tmethod\tendpoint\ttoken\tstatus\tinside_penalty"]
    for r in requests:
        lines.append(
            f"{r.at:%H:%M:%S.%f}\t{r.method}\t{r.endpoint}\t"  # type: ignore[attr-defined]
            f"{r.token_kind}\t{r.status}\t{r.inside_penalty}"  # type: ignore[attr-defined]
        )
    path.write_text("\n".join(lines) + "\n")


def rows(kind: str, result: WallClock) -> list[Row]:
    """Accepted / allowed and the throttled share for one run."""
    what = f"{result.limit} per {result.window_s:g} s"
    label = {
        "drain": "drain",
        "review": "drain + review approved through the API",
        "collect": "drain + watch-feed collect (user token) alongside",
    }[result.scenario]
    gaps = (
        f"gap median {statistics.median(result.gaps) if result.gaps else 0:.2f} s, "
        f"p90 {result.gap(0.9):.2f} s of {result.window_s / result.limit:.2f} s"
    )
    extra = ""
    if result.scenario == "collect":
        extra = (
            f"; {result.helper_rows} collects ({result.helper_calls - result.helper_rows} "
            f"skipped: one still ran), {result.other_user_requests} other "
            f"user-token requests ({result.other_throttled} x 429)"
        )
    elif result.scenario == "review":
        extra = f"; {result.helper_rows} rows approved in {result.helper_calls} calls"
    name = f"wall clock, velocity filter {what}, {label}"
    pace = (
        f"{name}: accepted / allowed",
        f"{result.ok} comments in {result.seconds:,.0f} s "
        f"({result.achieved:.3f}/s of {result.allowed:.3f}/s); {gaps}; load {result.load}",
    )
    ratio = None
    if result.scenario == "collect":
        # Reads and posts spend one budget: the token's accepted requests are judged, the
        # POSTs' own share of the allowed rate is shown.
        pace = (
            f"{name}: the user token's accepted requests (POSTs + reads) / allowed",
            f"{pace[1]}; POSTs alone {result.ratio:.2f} of allowed, with the reads "
            f"{result.token_ratio:.2f}",
        )
        ratio = result.token_ratio
    return pace_rows(
        kind,
        result,
        ratio=ratio,
        pace=pace,
        throttled=(
            f"{name}: throttled POSTs",
            f"{result.throttled} x 429 in {result.posts} POSTs{extra}",
        ),
    )


def run_kind(
    url_for: Callable[[], str],
    kind: str,
    *,
    seconds: float,
    log_root: Path | None = None,
    scenarios: tuple[str, ...] = ALL_SCENARIOS,
    progress: Callable[[str], None] | None = None,
) -> list[Row]:
    """Every wall-clock row on one database kind (`url_for()` gives a fresh database)."""
    out: list[Row] = []
    root = log_root or Path(tempfile.mkdtemp(prefix="pm-wallclock-"))
    plan = [(limit, window, s) for s in scenarios if s != "collect" for limit, window in LIMITS]
    if "collect" in scenarios:
        plan.append((*LIMITS[0], "collect"))
    for limit, window_s, scenario in plan:
        log_dir = root / f"{kind}-{limit}per{window_s:g}-{scenario}"
        log_dir.mkdir(parents=True, exist_ok=True)
        if progress:
            progress(f"{kind}: {limit}/{window_s:g} s {scenario}, {seconds:g} s ({log_dir})")
        result = measure(
            url_for(),
            limit=limit,
            window_s=window_s,
            seconds=seconds,
            scenario=scenario,
            log_dir=log_dir,
        )
        new = rows(kind, result)
        if progress:
            from benchmarks.report import markdown_table

            progress("\n" + markdown_table(new))
        out.extend(new)
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.wallclock [--db ...] [--wallclock-seconds S] [--scenario ...]`."""
    import argparse

    from benchmarks.databases import KINDS, Databases
    from benchmarks.report import markdown_table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.wallclock", description=__doc__)
    parser.add_argument("--db", choices=(*KINDS, "both"), default="both")
    parser.add_argument("--wallclock-seconds", type=float, default=SECONDS)
    parser.add_argument(
        "--scenario", choices=(*SCENARIOS, "collect"), action="append", default=None
    )
    parser.add_argument("--limit", choices=("6/10", "30/60"), default=None)
    parser.add_argument("--keep-logs", type=Path, default=None)
    args = parser.parse_args(argv)
    kinds = KINDS if args.db == "both" else (args.db,)
    scenarios = tuple(args.scenario or (*SCENARIOS, "collect"))
    if args.limit:
        n, w = args.limit.split("/")
        global LIMITS
        LIMITS = ((int(n), float(w)),)

    def progress(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    out: list[Row] = []
    with Databases(kinds) as dbs:
        for kind in kinds:
            out.extend(
                run_kind(
                    lambda kind=kind: dbs.fresh(kind),  # type: ignore[misc]
                    kind,
                    seconds=args.wallclock_seconds,
                    log_root=args.keep_logs,
                    scenarios=scenarios,
                    progress=progress,
                )
            )
    print(markdown_table(out))
    missed = sum(not r.passed for r in out)
    print(f"\n{len(out) - missed} PASS, {missed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
