"""`photomanager logs export --csv FILE`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from photomanager.cli.common import console, fail, opened_container
from photomanager.domain.models import LogStatus
from photomanager.services.reporting.log_export import csv_chunks

logs_app = typer.Typer(help="The comment log.", no_args_is_help=True)


@logs_app.command("export")
def export(
    ctx: typer.Context,
    csv_file: Annotated[
        Path,
        typer.Option(
            "--csv",
            dir_okay=False,
            writable=True,
            help="Write the log here (- for standard output).",
        ),
    ],
    status: Annotated[LogStatus | None, typer.Option("--status", help="Only this outcome.")] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since", help="Only entries at or after this time (UTC unless a zone is given)."
        ),
    ] = None,
) -> None:
    """Export the comment log as CSV (`--csv -` writes it to standard output)."""
    with opened_container(ctx) as container:
        covered = container.logs.export_range(since=since)
        entries = container.logs.export(status=status, since=since)
        if str(csv_file) == "-":
            for chunk in csv_chunks(entries):
                sys.stdout.write(chunk)
            sys.stdout.flush()
            typer.echo(covered.describe(), err=True)  # stdout is the CSV
            return
        try:
            f = csv_file.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            fail(f"cannot write {csv_file}: {exc.strerror or type(exc).__name__}")
        with f:
            for chunk in csv_chunks(entries):
                f.write(chunk)
    console().print(f"log written to {csv_file}: {covered.describe()}")
