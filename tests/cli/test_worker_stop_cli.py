"""`worker --stop` and `worker --start --detach`: change every worker's desired state, return."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.models import SourceKind, WorkerDesired


def _review_everything(container: Container) -> None:
    container.comment_settings.update_settings(
        review_sources=(SourceKind.WATCH_FEED, SourceKind.GLOBAL_FEED, SourceKind.TAGS)
    )


class TestStop:
    def test_stop_sets_desired_stopped_and_returns(
        self, runner: CliRunner, container: Container
    ) -> None:
        """A running desired state becomes stopped, with the reason the page shows."""
        _review_everything(container)
        container.worker_control.start()
        result = runner.invoke(app, ["worker", "--stop"], obj=container)
        assert result.exit_code == 0, result.output
        control = container.worker_control.status()
        assert control.desired is WorkerDesired.STOPPED
        assert control.reason == "stopped by request"
        assert "asked every worker to stop" in result.stdout

    def test_stop_does_not_run_a_worker(self, runner: CliRunner, container: Container) -> None:
        """`--stop` starts no worker thread (nothing would stop it again)."""
        result = runner.invoke(app, ["worker", "--stop"], obj=container)
        assert result.exit_code == 0, result.output
        assert container.worker_thread.alive is False
        assert "worker stopped" not in result.stdout

    @pytest.mark.parametrize(
        "flags",
        [
            ["--stop", "--start"],
            ["--stop", "--confirm-unreviewed"],
            ["--detach"],
            ["--confirm-unreviewed"],
        ],
    )
    def test_contradicting_flags_are_usage_errors(
        self, runner: CliRunner, container: Container, flags: list[str]
    ) -> None:
        """--stop with a start flag, or a start option without --start: exit 2, state untouched."""
        _review_everything(container)
        container.worker_control.start()
        result = runner.invoke(app, ["worker", *flags], obj=container)
        assert result.exit_code == 2
        assert container.worker_control.status().desired is WorkerDesired.RUNNING


class TestStartDetached:
    def test_sets_running_and_returns(self, runner: CliRunner, container: Container) -> None:
        """With nothing unreviewed, --start --detach sets running and runs nothing here."""
        _review_everything(container)
        result = runner.invoke(app, ["worker", "--start", "--detach"], obj=container)
        assert result.exit_code == 0, result.output
        assert container.worker_control.status().desired is WorkerDesired.RUNNING
        assert container.worker_thread.alive is False
        assert "no worker is running right now" in result.stdout

    def test_asks_the_same_confirmation_as_the_api(
        self, runner: CliRunner, container: Container
    ) -> None:
        """Unreviewed and unconfirmed: exit 1 naming --confirm-unreviewed; still stopped."""
        result = runner.invoke(app, ["worker", "--start", "--detach"], obj=container)
        assert result.exit_code == 1
        [line] = result.stderr.strip().splitlines()
        assert "--confirm-unreviewed" in line
        control = container.worker_control.status()
        assert control.desired is WorkerDesired.STOPPED
        assert control.confirmed_unreviewed is False

    def test_confirming_is_stored(self, runner: CliRunner, container: Container) -> None:
        """--confirm-unreviewed starts and stores the one-time confirmation."""
        result = runner.invoke(
            app, ["worker", "--start", "--detach", "--confirm-unreviewed"], obj=container
        )
        assert result.exit_code == 0, result.output
        control = container.worker_control.status()
        assert control.desired is WorkerDesired.RUNNING
        assert control.confirmed_unreviewed is True

    def test_needs_a_connected_account(self, runner: CliRunner, container: Container) -> None:
        """Without an account, exit 1 saying to connect it; the desired state stays stopped."""
        _review_everything(container)
        container.auth.tokens.forget()
        result = runner.invoke(app, ["worker", "--start", "--detach"], obj=container)
        assert result.exit_code == 1
        assert "connect your DeviantArt account" in result.stderr
        assert container.worker_control.status().desired is WorkerDesired.STOPPED
