"""`photomanager collect watch|global|tags --pages N`, with a progress bar."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from photomanager.cli.common import console, fail, opened_container
from photomanager.domain.models import CollectProgress, Source
from photomanager.services.collecting.collector import FAILED, MAX_PAGES, RUNNING

collect_app = typer.Typer(help="Fill the queue from a DeviantArt feed.", no_args_is_help=True)

POLL_S = 0.2
Pages = Annotated[
    int, typer.Option("--pages", min=1, max=MAX_PAGES, help="Feed pages to read (50 each).")
]


def _summary(run: CollectProgress) -> str:
    filtered = ", ".join(f"{reason}: {n}" for reason, n in sorted(run.filtered.items()))
    return (
        f"{run.source.value}: {run.pages_done} page(s), {run.found} found, {run.new} new"
        + (f", filtered ({filtered})" if filtered else "")
        + (f"; stopped: {run.stopped_because}" if run.stopped_because else "")
    )


def _collect(ctx: typer.Context, source: Source, pages: int) -> None:
    out = console()
    with opened_container(ctx, needs_deviantart=True) as container:
        runs = container.collect_runs
        run = runs.start(source, pages=pages)
        try:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[found]} found, {task.fields[new]} new"),
                console=out,
                transient=True,
            ) as progress:
                task = progress.add_task(f"collecting {source.value}", total=pages, found=0, new=0)
                while run.state == RUNNING:
                    run = runs.wait(run.run_id, POLL_S)
                    progress.update(task, completed=run.pages_done, found=run.found, new=run.new)
        except KeyboardInterrupt:
            runs.stop_all()
            run = runs.get(run.run_id)
        out.print(_summary(run))
        if run.state == FAILED:
            fail(f"the collect failed: {run.error}")


@collect_app.command("watch")
def watch(ctx: typer.Context, pages: Pages = 1) -> None:
    """Collect from the deviants you watch."""
    _collect(ctx, Source.WATCH_FEED, pages)


@collect_app.command("global")
def global_feed(ctx: typer.Context, pages: Pages = 1) -> None:
    """Collect from DeviantArt's home feed (browse/home)."""
    _collect(ctx, Source.GLOBAL_FEED, pages)


@collect_app.command("tags")
def tags(
    ctx: typer.Context,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="A tag to collect (repeat it); default: the tags in settings."),
    ] = None,
    pages: Pages = 1,
) -> None:
    """Collect from tag feeds (browse/tags), one tag after another."""
    out = console()
    with opened_container(ctx, needs_deviantart=True) as container:
        runs = container.collect_runs
        started = runs.start_tags(tag or None, pages=pages)
        finished: list[CollectProgress] = []
        try:
            for run in started:
                with out.status(f"collecting {run.source}"):
                    finished.append(runs.wait(run.run_id))
        except KeyboardInterrupt:
            runs.stop_all()
            finished = [runs.get(run.run_id) for run in started]
        for run in finished:
            out.print(_summary(run))
        failures = [run for run in finished if run.state == FAILED]
        if failures:
            fail("; ".join(f"{run.source}: {run.error}" for run in failures))
