"""`photomanager status`: the overview as tables."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from photomanager.cli.common import console, opened_container
from photomanager.domain.models import (
    CollectProgress,
    HousekeepingRun,
    QueueStatus,
    WorkerControl,
    WorkerDesired,
)
from photomanager.services.inbox.overview import InboxOverview


def status(ctx: typer.Context) -> None:
    """Show queue counts, totals, the worker, the account and the caps."""
    out = console()
    with opened_container(ctx) as container:
        report = container.status.status()
        account = container.auth.status()
        queue = Table(title="Queue")
        queue.add_column("status")
        queue.add_column("rows", justify="right")
        for state in QueueStatus:
            queue.add_row(state.value, str(report.counts.get(state, 0)))
        out.print(queue)

        overview = Table(title="Overview", show_header=False)
        overview.add_column("what")
        overview.add_column("value", overflow="fold")  # paths are read whole
        worker = report.worker
        caps = report.caps
        waiting = f" until {worker.waiting_until:%Y-%m-%d %H:%M:%S}" if worker.waiting_until else ""
        rows = [
            (
                "mode",
                "SANDBOX (the demo's fake DeviantArt)" if container.sandbox_mode else "DeviantArt",
            ),
            # Which database: a CLI run from another folder may open another (empty) one.
            ("database", container.engine.url.render_as_string(hide_password=True)),
            (
                "account",
                f"connected as {account.username}" if account.connected else "not connected",
            ),
            ("worker", _worker_words(worker, container.clock.now())),
            ("last heartbeat", _heartbeat(worker.heartbeat_at, container.clock.now())),
            ("reason", f"{worker.reason or '-'}{waiting}"),
            ("consecutive failures", str(worker.consecutive_failures)),
            ("sent this hour", f"{report.sent_this_hour} / {caps.max_per_hour}"),
            ("sent today", f"{report.sent_today} / {caps.max_per_day}"),
            ("failed today", str(report.failed_today)),
            ("interval", f"{caps.min_interval_s}-{caps.max_interval_s} s"),
            ("active hours", f"{caps.active_hours or 'any time'} ({caps.timezone})"),
            ("housekeeping", housekeeping_words(report.housekeeping)),
            ("inbox", inbox_words(container.inbox_overview.overview())),
        ]
        rows += [("DeviantArt wait", wait.reason) for wait in report.waits]
        for name, value in rows:
            overview.add_row(name, value)
        out.print(overview)
        if report.collect_runs:
            out.print(_runs_table(report.collect_runs))
        else:
            out.print("collect runs: none running or finished in the last minutes")


def _runs_table(runs: list[CollectProgress]) -> Table:
    """Running collect runs and recently finished ones, with their counts."""
    table = Table(title="Collect runs")
    for column in ("source", "state", "pages", "found", "new", "filtered", "ended"):
        table.add_column(column)
    for run in runs:
        filtered = ", ".join(f"{reason} {n}" for reason, n in sorted(run.filtered.items()))
        outcome = run.error or run.stopped_because or ""
        table.add_row(
            run.source.value,
            run.state + (f" ({outcome})" if outcome else ""),
            f"{run.pages_done}/{run.pages_requested}",
            str(run.found),
            str(run.new),
            filtered or "-",
            "-" if run.finished_at is None else f"{run.finished_at:%H:%M:%S}",
        )
    return table


SILENT_S = 300


def _heartbeat(at: datetime | None, now: datetime) -> str:
    """When a worker last reported, and how long ago."""
    if at is None:
        return "never"
    seconds = max(0, int((now - at).total_seconds()))
    ago = f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"
    return f"{at:%Y-%m-%d %H:%M:%S} UTC ({ago})"


def _worker_words(worker: WorkerControl, now: datetime) -> str:
    """The worker's state; a worker that should run but went silent is called out."""
    words = f"{worker.state} (desired: {worker.desired.value})"
    # Workers report every few seconds, except inside one long request (retries included).
    silent = worker.heartbeat_at is None or (now - worker.heartbeat_at).total_seconds() > SILENT_S
    active = worker.state in ("running", "waiting", "paused")
    if worker.desired is WorkerDesired.RUNNING and active and silent:
        words += ": NO WORKER RESPONDS"
    return words


def inbox_words(inbox: InboxOverview) -> str:
    """Unread replies and the last poll; "reconnect to read replies" when the scope lacks."""
    poll = inbox.last_poll
    if poll.started_at is None:
        last = "never read"
    elif poll.finished_at is None or poll.finished_at < poll.started_at:
        last = f"reading since {poll.started_at:%Y-%m-%d %H:%M:%S} UTC"
    else:
        last = (
            f"last read {poll.finished_at:%Y-%m-%d %H:%M:%S} UTC: {poll.found} message(s), "
            f"{poll.new} new, {poll.credited} credited"
        )
        if poll.error:
            last += f" ({poll.error})"
    every = f"every {inbox.poll_minutes} min" if inbox.poll_minutes else "polling off"
    words = f"{inbox.unread} unread repl{'y' if inbox.unread == 1 else 'ies'}; {last}; {every}"
    if inbox.reconnect_to_read_replies:
        words = "RECONNECT TO READ REPLIES (`photomanager auth login`: the message scope); " + words
    return words


def housekeeping_words(run: HousekeepingRun | None) -> str:
    """When the last pass ran, who ran it, and what it removed."""
    if run is None:
        return "never ran (the worker runs it hourly; `queue prune` now)"
    removed = ", ".join(f"{n} {status.value}" for status, n in run.removed.items() if n)
    words = (
        f"{run.ran_at:%Y-%m-%d %H:%M:%S} UTC by {run.trigger}: removed "
        f"{removed or 'no queue rows'}, {run.logs} log entries"
    )
    return words if run.complete else words + " (stopped early)"
