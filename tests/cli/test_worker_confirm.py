"""`worker --start` asks for the same one-time confirmation as the API; `messages list` usage."""

from __future__ import annotations

import threading
import time

from typer.testing import CliRunner

from api.support import post_one
from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.models import Source, SourceKind, WorkerDesired
from photomanager.services.posting.unreviewed import start_worker

STOP_AFTER_S = 20


def stop_once_running(container: Container, done: threading.Event) -> threading.Thread:
    """A helper thread that stops the worker once it was asked to run (or the command ended)."""

    def watch() -> None:
        deadline = time.monotonic() + STOP_AFTER_S
        while not done.is_set() and time.monotonic() < deadline:
            if container.worker_control.status().desired is WorkerDesired.RUNNING:
                container.worker_control.stop()
                return
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def run_started(runner: CliRunner, container: Container, *flags: str) -> tuple[int, str]:
    """`worker --start --exit-when-stopped FLAGS` with a template (so it idles, running),
    stopped from outside once it runs."""
    container.templates.create_template(title="T", body="{Lovely|Great} work, {{author}}!")
    done = threading.Event()
    helper = stop_once_running(container, done)
    try:
        result = runner.invoke(
            app, ["worker", "--start", "--exit-when-stopped", *flags], obj=container
        )
    finally:
        done.set()
        helper.join(timeout=STOP_AFTER_S)
    return result.exit_code, result.output


class TestStartNeedsConfirmation:
    def test_unreviewed_start_exits_1_saying_how_to_confirm(
        self, runner: CliRunner, container: Container
    ) -> None:
        """Watch Feed unreviewed, not confirmed: exit 1, one line naming the flag; nothing runs."""
        result = runner.invoke(app, ["worker", "--start", "--exit-when-stopped"], obj=container)
        assert result.exit_code == 1
        [line] = result.stderr.strip().splitlines()
        assert "--confirm-unreviewed" in line
        assert "watch feed" in line
        control = container.worker_control.status()
        assert control.desired is WorkerDesired.STOPPED
        assert control.confirmed_unreviewed is False

    def test_confirming_starts_and_is_remembered(
        self, runner: CliRunner, container: Container
    ) -> None:
        """--confirm-unreviewed starts the worker and stores the confirmation."""
        code, output = run_started(runner, container, "--confirm-unreviewed")
        assert code == 0, output
        assert "waiting for a start" not in output  # the desired state was running
        assert container.worker_control.status().confirmed_unreviewed is True
        assert "worker stopped" in output

    def test_a_stored_confirmation_is_enough(self, runner: CliRunner, container: Container) -> None:
        """Confirmed once (here through the service the API uses), --start alone works."""
        start_worker(
            uow_factory=container.uow_factory,
            clock=container.clock,
            control=container.worker_control,
            confirm_unreviewed=True,
        )
        container.worker_control.stop()
        code, output = run_started(runner, container)
        assert code == 0, output
        assert "waiting for a start" not in output  # the desired state was running

    def test_nothing_unreviewed_needs_no_confirmation(
        self, runner: CliRunner, container: Container
    ) -> None:
        """With every source in review mode, --start runs without asking or storing a yes."""
        container.comment_settings.update_settings(
            review_sources=(SourceKind.WATCH_FEED, SourceKind.GLOBAL_FEED, SourceKind.TAGS)
        )
        code, output = run_started(runner, container)
        assert code == 0, output
        assert "waiting for a start" not in output  # the desired state was running
        assert container.worker_control.status().confirmed_unreviewed is False


class TestMessagesListUsage:
    def test_list_shows_uses_and_variants(self, runner: CliRunner, container: Container) -> None:
        """`messages list` shows each template's uses and variant count, few ones flagged."""
        run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
        container.collect_runs.wait(run.run_id, timeout=30)
        container.templates.create_template(title="Plain", body="Lovely work!")
        post_one(container)
        result = runner.invoke(app, ["messages", "list"], obj=container)
        assert result.exit_code == 0, result.output
        [row] = [line for line in result.stdout.splitlines() if "Plain" in line]
        cells = [cell.strip() for cell in row.split("│")]
        assert "1" in cells  # uses
        assert "1 (few)" in cells  # variants
        assert "uses" in result.stdout
        assert "variants" in result.stdout
