"""`photomanager outcomes [--by template|source|week] [--since T] [--until T] [--refresh]`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from photomanager.cli.common import console, opened_container
from photomanager.cli.status import inbox_words
from photomanager.domain.outcomes import OutcomeGroup, Rate


def outcomes(
    ctx: typer.Context,
    by: Annotated[
        str, typer.Option("--by", help="template (default), source or week.")
    ] = "template",
    since: Annotated[
        datetime | None, typer.Option("--since", help="Comments sent on or after this UTC day.")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option("--until", help="Comments sent on or before this UTC day.")
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Read the message center first (when due).")
    ] = False,
) -> None:
    """What the comments earned: replies, watch-backs, faves and comments back, with rates.

    A rate is shown with its 95% interval: `67% [21-94]` is 2 of 3.
    """
    out = console()
    with opened_container(ctx, needs_deviantart=refresh) as container:
        if refresh:
            container.inbox_overview.refresh()
            container.inbox_overview.join()
        report = container.outcomes.figures(by, since=since, until=until)
        overview = container.inbox_overview.overview()
    table = Table(title=f"Outcomes by {report.group_by.value}", box=box.SIMPLE)
    table.add_column(report.group_by.value, no_wrap=True)
    for column in ("sent", "replies", "reply rate", "watches", "watch rate", "faves", "comments"):
        table.add_column(column, no_wrap=True, justify="right")
    for group in [*report.groups, report.totals]:
        marker = " (clearly lower)" if report.clearly_lower(group) else ""
        table.add_row(*_cells(group, marker))
    out.print(table)
    out.print(
        f"A watch, fave or comment back counts within {report.attribution_days} days of our "
        "latest comment under that deviant's work; DeviantArt says who, never why."
    )
    out.print(Text(f"inbox: {inbox_words(overview)}"))


def _cells(group: OutcomeGroup, marker: str) -> list[Text]:
    counts = group.counts
    cells = (
        group.label + marker,
        str(counts.comments),
        str(counts.replies),
        _rate(group.reply_rate),
        str(counts.watch_backs),
        _rate(group.watch_back_rate),
        str(counts.fave_backs),
        str(counts.comment_backs),
    )
    return [Text(cell) for cell in cells]  # template titles are the artist's, shown as text


def _rate(rate: Rate) -> str:
    if rate.value is None or rate.low is None or rate.high is None:
        return "-"
    return f"{rate.value * 100:.0f}% [{rate.low * 100:.0f}-{rate.high * 100:.0f}]"
