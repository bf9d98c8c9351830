"""Helpers for the multi-process tests: a commentable sandbox world, a prepared
database, worker processes started from `worker_main.py`, and waiting for them.

Also used by `benchmarks/throughput.py`, so it depends on nothing pytest-specific.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fixtures.database import METADATA_READ
from photomanager.domain.clock import SystemClock
from photomanager.domain.models import (
    CommentSettings,
    NewQueueItem,
    QueueStatus,
    Source,
    WorkerControl,
    WorkerDesired,
)
from photomanager.sandbox import Sandbox
from photomanager.storage.engine import create_engine_for
from photomanager.storage.unit_of_work import SqlUnitOfWork, sql_unit_of_work_factory

WORKER_MAIN = Path(__file__).with_name("worker_main.py")
TEMPLATE_BODY = "{Lovely|Beautiful|Great} {work|piece}, {{author}}{!|!!}"
# Zero pacing and caps no test reaches: the workers go as fast as they can.
ZERO_PACING = CommentSettings(
    min_interval_s=0,
    max_interval_s=0,
    max_per_hour=10_000_000,
    max_per_day=10_000_000,
    review_sources=(),
    author_cooldown_days=0,
    max_per_author=None,
    max_consecutive_failures=1_000,
)
UNSETTLED = (QueueStatus.PENDING, QueueStatus.SENDING, QueueStatus.UNKNOWN)

UowFactory = Callable[[], SqlUnitOfWork]


def commentable_sandbox(count: int, *, seed: int = 7) -> tuple[Sandbox, list[str]]:
    """A real-time sandbox with `count` fresh deviations a post succeeds on (newest first)."""
    sandbox = Sandbox.seeded(seed=seed, deviations=0, clock=SystemClock())
    for user in sandbox.users:
        probe = sandbox.publish(1, author=user)[0]
        if probe in sandbox.deviation_ids(commentable=True):
            break
    else:  # pragma: no cover - the seed always has users who did not block the artist
        raise RuntimeError("no user in the sandbox lets the artist comment")
    ids = sandbox.publish(count - 1, author=user) if count > 1 else []
    return sandbox, [*reversed(ids), probe][:count]


def queue_items(sandbox: Sandbox, ids: Sequence[str]) -> list[NewQueueItem]:
    """Queue rows for `ids` as the watch-feed collector would write them."""
    start = datetime.now(UTC)
    items = []
    for n, deviationid in enumerate(ids):
        deviation = sandbox.deviation(deviationid)
        items.append(
            NewQueueItem(
                deviationid=deviationid,
                source=Source.WATCH_FEED,
                ts=start - timedelta(microseconds=n),
                author=deviation["author"]["username"],
                title=deviation["title"],
                url=deviation["url"],
                enriched_at=METADATA_READ,
            )
        )
    return items


def prepare_database(
    factory: UowFactory,
    sandbox: Sandbox,
    ids: Sequence[str],
    *,
    settings: CommentSettings = ZERO_PACING,
) -> None:
    """A template, zero pacing, a stored user token, `ids` queued, workers asked to run."""
    now = datetime.now(UTC)
    with factory() as uow:
        uow.messages.add("concurrency", TEMPLATE_BODY, True, now)
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
        uow.queue.add_many(queue_items(sandbox, ids), now)
        uow.commit()


@dataclass
class WorkerProcess:
    """One `worker_main.py` process and the file its stdout and stderr go to."""

    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def worker_env(
    database_url: str, base_url: str, sandbox: Sandbox, data_dir: Path, **extra: str
) -> dict[str, str]:
    """The environment of a worker process: our database, the sandbox as DeviantArt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOMANAGER_")}
    env.update(
        PHOTOMANAGER_DATABASE_URL=database_url,
        PHOTOMANAGER_DA_BASE_URL=base_url,
        PHOTOMANAGER_DA_CLIENT_ID=sandbox.client_id,
        PHOTOMANAGER_DA_CLIENT_SECRET=sandbox.client_secret or "",
        PHOTOMANAGER_DATA_DIR=str(data_dir),
        **extra,
    )
    return env


def start_workers(
    count: int,
    *,
    database_url: str,
    base_url: str,
    sandbox: Sandbox,
    log_dir: Path,
    delay_floor: float | None = 0.0,
    **extra_env: str,
) -> list[WorkerProcess]:
    """Start `count` worker processes running the real worker loop.

    `delay_floor` 0 (the default here) lifts the client's 1 s politeness floor
    (`PHOTOMANAGER_DA_MIN_DELAY_S`), so "zero pacing" really means as fast as
    the site answers; None keeps the product's default.
    """
    argv = [sys.executable, str(WORKER_MAIN)]
    if delay_floor is not None:
        extra_env = {"PHOTOMANAGER_DA_MIN_DELAY_S": str(delay_floor), **extra_env}
    env = worker_env(database_url, base_url, sandbox, log_dir, **extra_env)
    workers = []
    for n in range(count):
        log_path = log_dir / f"worker-{n}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                argv,
                env=env,
                cwd=log_dir,  # no stray .env file is read
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        workers.append(WorkerProcess(popen, log_path))
    return workers


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def unsettled_rows(factory: UowFactory) -> int:
    """Rows still pending, being sent, or of unknown outcome."""
    with factory() as uow:
        stats = uow.queue.get_stats()
    return sum(stats[s] for s in UNSETTLED)


def set_desired(factory: UowFactory, desired: WorkerDesired) -> None:
    with factory() as uow:
        control = uow.worker_control.get_for_update()
        uow.worker_control.save(replace(control, desired=desired))
        uow.commit()


def stop_workers(
    factory: UowFactory, workers: Sequence[WorkerProcess], *, timeout: float = 40.0
) -> list[int]:
    """Ask every worker to stop through the database; kill any that does not obey in time.

    Returns the exit codes (negative: killed by that signal).
    """
    set_desired(factory, WorkerDesired.STOPPED)
    deadline = time.monotonic() + timeout
    codes = []
    for worker in workers:
        try:
            codes.append(worker.popen.wait(max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            worker.popen.kill()
            codes.append(worker.popen.wait())
    return codes


def kill_all(workers: Sequence[WorkerProcess]) -> None:
    """Last-resort cleanup: SIGKILL the workers that are still alive (ours only)."""
    for worker in workers:
        if worker.popen.poll() is None:
            worker.popen.kill()
            worker.popen.wait()


def open_factory(url: str) -> tuple[Callable[[], None], UowFactory]:
    """Units of work on `url` and the callable that disposes their engine."""
    engine = create_engine_for(url)
    return engine.dispose, sql_unit_of_work_factory(engine)


def process_state(pid: int) -> str:
    """The one-letter state of a process from /proc ("T" when stopped by a signal)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]
