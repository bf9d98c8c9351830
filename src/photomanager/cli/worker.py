"""`photomanager worker`: run a worker process, or just start/stop every worker.

The desired state lives in the database, so `--stop` and `--start --detach`
only write it and return: the worker inside `serve` and any `worker`
process obey within a second.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated

import typer

from photomanager.bootstrap import Container
from photomanager.cli.common import console, fail, opened_container
from photomanager.domain.errors import ConfirmationRequired, NotConnected
from photomanager.domain.models import WorkerControl, WorkerDesired
from photomanager.services.posting.unreviewed import start_worker
from photomanager.services.reporting.status import HEARTBEAT_FRESH


def _start(container: Container, *, confirm_unreviewed: bool) -> None:
    """The same one-time confirmation as the API; without it, exit 1 saying how to confirm."""
    try:
        start_worker(
            uow_factory=container.uow_factory,
            clock=container.clock,
            control=container.worker_control,
            confirm_unreviewed=confirm_unreviewed,
        )
    except ConfirmationRequired as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        names = ", ".join(
            str(source).replace("_", " ") for source in details.get("unreviewed_sources", [])
        )
        fail(
            f"comments from the {names or 'feeds'} would be posted without review, which "
            "DeviantArt counts as abuse of the system: to confirm once, run again with "
            "--start --confirm-unreviewed (or turn review mode or dry run on)"
        )


START_WAIT_S = 3.0


def _someone_listening(container: Container, control: WorkerControl) -> bool:
    """True when a worker reported recently (one will see the new desired state)."""
    beat = control.heartbeat_at
    return beat is not None and container.clock.now() - beat <= HEARTBEAT_FRESH


def _check_flags(*, start: bool, stop: bool, detach: bool, confirm_unreviewed: bool) -> None:
    if stop and (start or detach or confirm_unreviewed):
        raise typer.BadParameter(
            "--stop cannot be combined with --start, --detach or --confirm-unreviewed"
        )
    if detach and not start:
        raise typer.BadParameter("--detach only applies to --start")
    if confirm_unreviewed and not start:
        raise typer.BadParameter("--confirm-unreviewed only applies to --start")


def _stop(container: Container) -> None:
    control = container.worker_control.stop()
    console().print(f"asked every worker to stop (state: {control.state})")


def _start_detached(container: Container, *, confirm_unreviewed: bool) -> None:
    # The API refuses a start without an account; with nothing running here, so do we.
    if not container.auth.status().connected:
        raise NotConnected("connect your DeviantArt account first: the worker posts as you")
    _start(container, confirm_unreviewed=confirm_unreviewed)
    control = container.worker_control.status()
    out = console()
    out.print("asked every worker to run")
    # Idle workers only poll the desired state (about every second): give one the time to
    # answer before saying that none runs.
    deadline = time.monotonic() + START_WAIT_S
    while not _someone_listening(container, control) and time.monotonic() < deadline:
        time.sleep(0.25)
        control = container.worker_control.status()
    if not _someone_listening(container, control):
        out.print(
            "no worker is running right now: it starts posting with `photomanager serve` "
            "or `photomanager worker`"
        )


def _run(container: Container, *, exit_when_stopped: bool) -> None:
    out = console()
    desired = container.worker_control.status().desired
    if desired is not WorkerDesired.RUNNING:
        out.print("the desired state is stopped: waiting for a start (page or --start)")
    container.worker_thread.start()
    watch = threading.Event()
    try:
        while container.worker_thread.alive:
            if exit_when_stopped and (
                container.worker_control.status().desired is not WorkerDesired.RUNNING
            ):
                break
            watch.wait(0.5)
    except KeyboardInterrupt:
        out.print("stopping the worker...")
    finally:
        container.worker_thread.stop()
    out.print("worker stopped")


def worker(
    ctx: typer.Context,
    start: Annotated[
        bool, typer.Option("--start", help="Set the desired state to running first.")
    ] = False,
    stop: Annotated[
        bool,
        typer.Option("--stop", help="Ask every worker (page's and processes') to stop; returns."),
    ] = False,
    detach: Annotated[
        bool,
        typer.Option(
            "--detach", help="With --start: only set the desired state and return (no process)."
        ),
    ] = False,
    exit_when_stopped: Annotated[
        bool,
        typer.Option("--exit-when-stopped", help="Return once the desired state is stopped."),
    ] = False,
    confirm_unreviewed: Annotated[
        bool,
        typer.Option(
            "--confirm-unreviewed",
            help="With --start: confirm, once, that comments may be posted without review.",
        ),
    ] = False,
) -> None:
    """Run the comment worker until Ctrl-C, obeying start/stop from the page or CLI.

    `--stop` and `--start --detach` change the desired state of every worker and return.
    """
    _check_flags(start=start, stop=stop, detach=detach, confirm_unreviewed=confirm_unreviewed)
    # Only a running worker talks to DeviantArt: stop and detach work on the demo's
    # database even when the demo is down.
    runs_here = not (stop or detach)
    with opened_container(ctx, needs_deviantart=runs_here) as container:
        if stop:
            _stop(container)
        elif detach:
            _start_detached(container, confirm_unreviewed=confirm_unreviewed)
        else:
            if start:
                _start(container, confirm_unreviewed=confirm_unreviewed)
            _run(container, exit_when_stopped=exit_when_stopped)
