"""The `photomanager` command line: the same services as the web app, no HTTP in between.

Every command takes its container from `bootstrap()` (or from the caller, in
tests: `CliRunner().invoke(app, args, obj=container)`).
"""

from __future__ import annotations

import typer

from photomanager.cli.auth import auth_app
from photomanager.cli.collect import collect_app
from photomanager.cli.common import ReportingGroup, root
from photomanager.cli.db import db_app
from photomanager.cli.inbox import inbox_app
from photomanager.cli.logs import logs_app
from photomanager.cli.messages import messages_app
from photomanager.cli.outcomes import outcomes
from photomanager.cli.queue import queue_app
from photomanager.cli.review import review_app
from photomanager.cli.serve import serve
from photomanager.cli.settings import settings_app
from photomanager.cli.status import status
from photomanager.cli.worker import worker

app = typer.Typer(
    cls=ReportingGroup,
    help="Auto Comments for a DeviantArt artist, through the official API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # never a stack trace on the terminal
    add_completion=False,
)
# Quiet by default on a terminal (serve raises it to the configured level); every
# handler redacts secrets either way, for every command. `--sandbox` lives here too.
app.callback()(root)
app.command("serve")(serve)
app.command("worker")(worker)
app.command("status")(status)
app.command("outcomes")(outcomes)
app.add_typer(collect_app, name="collect")
app.add_typer(messages_app, name="messages")
app.add_typer(queue_app, name="queue")
app.add_typer(logs_app, name="logs")
app.add_typer(db_app, name="db")
app.add_typer(auth_app, name="auth")
app.add_typer(review_app, name="review")
app.add_typer(settings_app, name="settings")
app.add_typer(inbox_app, name="inbox")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="photomanager")
