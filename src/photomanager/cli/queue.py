"""`photomanager queue list|reset-failed|clear|resolve`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from photomanager.cli.common import console, opened_container
from photomanager.domain.models import QueueStatus

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
