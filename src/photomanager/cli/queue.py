"""`photomanager queue list|reset-failed|clear|resolve|prune`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from photomanager.cli.common import console, opened_container
from photomanager.domain.models import QueueStatus
from photomanager.services.upkeep.housekeeping import TRIGGER_CLI, Housekeeping

queue_app = typer.Typer(help="Inspect and clean the comment queue.", no_args_is_help=True)

StatusOption = Annotated[QueueStatus | None, typer.Option("--status", help="Only this status.")]


@queue_app.command("list")
def list_queue(
    ctx: typer.Context,
    status: StatusOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
) -> None:
    """Show the newest queued deviations."""
    out = console()
    with opened_container(ctx) as container:
        items, next_cursor = container.queue.list_queue(status=status, limit=limit)
        table = Table()
        table.add_column("deviationid", no_wrap=True, min_width=36)  # ids are copied whole
        for column in ("source", "status", "failed tries", "author", "title", "error"):
            table.add_column(column)
        for item in items:
            table.add_row(
                item.deviationid,
                item.source.value,
                item.status.value,
                str(item.attempts),
                item.author or "",
                item.title or "",
                item.last_error or "",
            )
        out.print(table)
        if next_cursor:
            out.print(f"(more rows: showing the newest {limit})")


@queue_app.command("reset-failed")
def reset_failed(ctx: typer.Context) -> None:
    """Put every failed row back to pending."""
    with opened_container(ctx) as container:
        console().print(f"{container.queue.reset_failed()} row(s) back to pending")


@queue_app.command("clear")
def clear(
    ctx: typer.Context,
    status: StatusOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete queued rows (of one status); rows being sent are kept."""
    what = f"every {status.value} row" if status else "every row"
    if not yes:
        typer.confirm(f"Delete {what} from the queue?", abort=True)
    with opened_container(ctx) as container:
        console().print(f"{container.queue.clear(status=status)} row(s) deleted")


@queue_app.command("resolve")
def resolve(
    ctx: typer.Context,
    deviationid: Annotated[str, typer.Argument(help="The deviation id of an unknown row.")],
    posted: Annotated[
        bool, typer.Option("--posted", help="Our comment IS on the deviation: record it.")
    ] = False,
    not_posted: Annotated[
        bool, typer.Option("--not-posted", help="Our comment is NOT there: post it again.")
    ] = False,
) -> None:
    """Settle a row of unknown outcome after checking the deviation on DeviantArt."""
    if posted == not_posted:
        # Neither, or both: a wrong guess here either loses a comment or posts it twice.
        raise typer.BadParameter("say what you saw: exactly one of --posted or --not-posted")
    with opened_container(ctx) as container:
        item = container.queue.resolve_unknown(deviationid=deviationid, posted=posted)
    console().print(f"{item.deviationid}: {item.status.value}")


@queue_app.command("prune")
def prune(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would go, and why; remove nothing.")
    ] = False,
) -> None:
    """Remove expired queue rows and old log entries now (the worker does it hourly)."""
    out = console()
    with opened_container(ctx) as container:
        if dry_run:
            _print_preview(container.housekeeping)
            return
        run = container.housekeeping.prune(trigger=TRIGGER_CLI)
    removed = ", ".join(f"{n} {status.value}" for status, n in run.removed.items() if n)
    out.print(
        f"removed {sum(run.removed.values())} queue row(s) ({removed or 'none'}) "
        f"and {run.logs} log entries"
        + ("" if run.complete else " (stopped early: run it again to go on)")
    )


def _print_preview(housekeeping: Housekeeping) -> None:
    """What a pass would remove now: the oldest rows of each status with the reason."""
    out = console()
    preview = housekeeping.preview()
    if preview.examples:
        table = Table(title="Would leave the queue (oldest first per status)")
        table.add_column("deviationid", no_wrap=True, min_width=36)
        for column in ("status", "title", "why"):
            table.add_column(column)
        for candidate in preview.examples:
            item = candidate.item
            table.add_row(item.deviationid, item.status.value, item.title or "", candidate.reason)
        out.print(table)
    counts = ", ".join(f"{n} {status.value}" for status, n in preview.removed.items() if n)
    shown = len(preview.examples)
    more = sum(preview.removed.values()) - shown
    out.print(
        f"dry run: {sum(preview.removed.values())} queue row(s) would go ({counts or 'none'})"
        + (f", {more} of them not listed" if more > 0 else "")
        + f"; {preview.logs} log entries"
        + (
            f" written before {preview.cutoffs.logs:%Y-%m-%d %H:%M} UTC"
            if preview.cutoffs.logs is not None
            else " (the log is kept forever)"
        )
        + "; nothing was removed"
    )
