"""`photomanager review list|approve ID [--body]|skip ID|approve-all`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from photomanager.bootstrap import Container
from photomanager.cli.common import console, opened_container
from photomanager.services.upkeep.review import MAX_PAGE, ReviewService

review_app = typer.Typer(
    help="Review the rendered comments before anything is posted.", no_args_is_help=True
)

LimitOption = Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE)]


def _service(container: Container) -> ReviewService:
    return container.review


@review_app.command("list")
def list_review(ctx: typer.Context, limit: LimitOption = 50) -> None:
    """Show the comments awaiting review, newest first."""
    out = console()
    with opened_container(ctx) as container:
        items, next_cursor = _service(container).list_awaiting(limit=limit)
        if not items:
            out.print("nothing awaits review")
            return
        table = Table()
        table.add_column("deviationid", no_wrap=True, min_width=36)  # ids are copied whole
        for column in ("author", "title", "comment"):
            table.add_column(column)
        for item in items:
            table.add_row(item.deviationid, item.author or "", item.title or "", item.body or "")
        out.print(table)
        if next_cursor:
            out.print(f"(more awaiting review: showing the newest {limit})")


@review_app.command("approve")
def approve(
    ctx: typer.Context,
    deviationid: Annotated[str, typer.Argument(help="The deviation to comment.")],
    body: Annotated[
        str | None, typer.Option("--body", help="Post this text instead of the rendered one.")
    ] = None,
) -> None:
    """Approve one comment (optionally edited); the worker posts exactly that text."""
    with opened_container(ctx) as container:
        item = _service(container).approve(deviationid, body)
        console().print(f"approved {item.deviationid}: {item.body}")


@review_app.command("skip")
def skip(
    ctx: typer.Context,
    deviationid: Annotated[str, typer.Argument(help="The deviation not to comment.")],
) -> None:
    """Never post this comment."""
    with opened_container(ctx) as container:
        item = _service(container).skip(deviationid)
        console().print(f"skipped {item.deviationid}")


@review_app.command("approve-all")
def approve_all(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE)] = 50,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Approve, unedited, the newest comments awaiting review (as `review list` shows them)."""
    out = console()
    with opened_container(ctx) as container:
        service = _service(container)
        items, _ = service.list_awaiting(limit=limit)
        if not items:
            out.print("nothing awaits review")
            return
        if not yes:
            typer.confirm(f"Approve {len(items)} comment(s) as shown by `review list`?", abort=True)
        result = service.approve_all([item.deviationid for item in items])
        out.print(f"{len(result.approved)} comment(s) approved")
