"""What a new user's trial found: `--sandbox` on every command, and errors that say why."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from photomanager.bootstrap import Container, bootstrap, connect_sandbox_account
from photomanager.cli import app
from photomanager.cli.demo import DemoState, read_demo_state, state_path, write_demo_state
from photomanager.config import load_settings
from photomanager.domain.models import QueueStatus
from photomanager.sandbox import Sandbox

NOT_RUNNING = "start the demo first: scripts/start.sh --sandbox"
DEAD_PID = 2**22 + 12345  # above Linux's pid_max default: never a live process


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment whose data dir is `tmp_path/data` (no .env, no PHOTOMANAGER_*)."""
    for name in list(os.environ):
        if name.startswith("PHOTOMANAGER_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("PHOTOMANAGER_DATA_DIR", str(data))
    return data


@pytest.fixture
def running_demo(data_dir: Path, sandbox: Sandbox, sandbox_server: str) -> Sandbox:
    """What `serve --sandbox` leaves behind: a connected demo database and its state file."""
    settings = load_settings(_env_file=None)
    demo = bootstrap(
        settings, sandbox=sandbox, database_url=settings.resolved_database_url(sandbox=True)
    )
    try:
        connect_sandbox_account(demo)
    finally:
        demo.close()
    write_demo_state(
        data_dir,
        DemoState(
            base_url=sandbox_server,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
            pid=os.getpid(),
        ),
    )
    return sandbox


def _demo_queue(data_dir: Path) -> dict[QueueStatus, int]:
    settings = load_settings(_env_file=None)
    demo = bootstrap(settings, database_url=settings.resolved_database_url(sandbox=True))
    try:
        return demo.queue.stats()
    finally:
        demo.close()


class TestSandboxOption:
    def test_status_reads_the_demo_database(self, runner: CliRunner, data_dir: Path) -> None:
        """`--sandbox status` opens data/sandbox.sqlite3 and says mode SANDBOX."""
        result = runner.invoke(app, ["--sandbox", "status"])
        assert result.exit_code == 0, result.output
        assert "SANDBOX" in result.stdout
        assert (data_dir / "sandbox.sqlite3").exists()
        assert not (data_dir / "photomanager.sqlite3").exists()

    def test_environment_variable_turns_it_on(
        self, runner: CliRunner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """PHOTOMANAGER_SANDBOX=1 does what --sandbox does."""
        monkeypatch.setenv("PHOTOMANAGER_SANDBOX", "1")
        result = runner.invoke(app, ["status"])
        assert result.exit_code == 0, result.output
        assert "SANDBOX" in result.stdout
        assert (data_dir / "sandbox.sqlite3").exists()

    def test_without_it_the_real_database_is_used(self, runner: CliRunner, data_dir: Path) -> None:
        """Without --sandbox, status reads photomanager.sqlite3 and says DeviantArt."""
        result = runner.invoke(app, ["status"])
        assert result.exit_code == 0, result.output
        assert "SANDBOX" not in result.stdout
        assert (data_dir / "photomanager.sqlite3").exists()

    @pytest.mark.parametrize(
        "command", [["collect", "global"], ["worker"], ["auth", "status"], ["auth", "logout"]]
    )
    def test_deviantart_commands_need_the_demo(
        self, runner: CliRunner, data_dir: Path, command: list[str]
    ) -> None:
        """Commands that talk to DeviantArt exit 1 saying how to start the demo."""
        result = runner.invoke(app, ["--sandbox", *command])
        assert result.exit_code == 1
        assert NOT_RUNNING in result.stderr

    def test_a_dead_demo_counts_as_not_running(self, runner: CliRunner, data_dir: Path) -> None:
        """A state file left by a demo that is gone is ignored."""
        write_demo_state(
            data_dir,
            DemoState(
                base_url="http://127.0.0.1:9", client_id="c", client_secret="s", pid=DEAD_PID
            ),
        )
        result = runner.invoke(app, ["--sandbox", "collect", "global"])
        assert result.exit_code == 1
        assert NOT_RUNNING in result.stderr

    def test_collect_uses_the_running_demo(
        self, runner: CliRunner, data_dir: Path, running_demo: Sandbox
    ) -> None:
        """`--sandbox collect watch` reads the demo's fake DeviantArt into the demo database."""
        result = runner.invoke(app, ["--sandbox", "collect", "watch", "--pages", "1"])
        assert result.exit_code == 0, result.output
        assert _demo_queue(data_dir).get(QueueStatus.PENDING, 0) > 0

    def test_auth_status_on_the_demo_is_connected(
        self, runner: CliRunner, data_dir: Path, running_demo: Sandbox
    ) -> None:
        """`--sandbox auth status` says connected, without the app registration steps."""
        result = runner.invoke(app, ["--sandbox", "auth", "status"])
        assert result.exit_code == 0, result.output
        assert "Connected as" in result.stdout
        assert "No DeviantArt app" not in result.stdout


class TestDemoStateFile:
    def test_owner_only_and_round_trips(self, tmp_path: Path) -> None:
        """The state file is mode 0600 and reads back what was written."""
        state = DemoState(
            base_url="http://127.0.0.1:1234",
            client_id="id",
            client_secret="s3cr3t",
            pid=os.getpid(),
        )
        path = write_demo_state(tmp_path, state)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert read_demo_state(tmp_path) == state

    def test_repr_hides_the_secret(self) -> None:
        """The fake client secret never shows in a repr."""
        state = DemoState(base_url="http://x", client_id="id", client_secret="s3cr3t", pid=1)
        assert "s3cr3t" not in repr(state)

    def test_garbage_is_not_running(self, tmp_path: Path) -> None:
        """An unreadable state file counts as no demo."""
        state_path(tmp_path).write_text("{not json", encoding="utf-8")
        assert read_demo_state(tmp_path) is None


class TestAuthStatusWithoutClient:
    def test_connected_account_hides_registration_help(
        self, runner: CliRunner, tmp_path: Path, sandbox: Sandbox
    ) -> None:
        """A connected account without a configured client id prints only 'Connected as'."""
        settings = load_settings(
            _env_file=None, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'a.db'}"
        )
        bare = bootstrap(settings)
        try:
            bare.auth.tokens.store(sandbox.issue_user_token())
            result = runner.invoke(app, ["auth", "status"], obj=bare)
        finally:
            bare.close()
        assert result.exit_code == 0, result.output
        assert "Connected as" in result.stdout
        assert "No DeviantArt app" not in result.stdout


class TestErrorsSayWhy:
    def test_export_to_missing_directory(
        self, runner: CliRunner, container: Container, tmp_path: Path
    ) -> None:
        """Exporting into a missing directory names the path and the reason, exit 1."""
        target = tmp_path / "nonexistent" / "x.csv"
        result = runner.invoke(app, ["logs", "export", "--csv", str(target)], obj=container)
        assert result.exit_code == 1
        assert str(target) in result.stderr
        assert "No such file or directory" in result.stderr

    def test_every_template_error_is_listed(self, runner: CliRunner, container: Container) -> None:
        """An invalid template lists each error with its line and column, nothing stored."""
        result = runner.invoke(
            app, ["messages", "add", "--title", "Bad", "--body", "{a|b}}  {{"], obj=container
        )
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 3
        assert all("line 1, column" in line for line in lines)
        assert "more)" not in result.stderr
        assert container.templates.list_templates() == []

    def test_preview_lists_every_error(self, runner: CliRunner, container: Container) -> None:
        """`messages preview` of an invalid template lists each error too."""
        result = runner.invoke(app, ["messages", "preview", "--body", "}{"], obj=container)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert [line.split(": ")[2] for line in lines] == [
            "line 1, column 1",
            "line 1, column 1",
            "line 1, column 2",
        ]

    def test_serve_on_a_busy_port(self, runner: CliRunner, data_dir: Path) -> None:
        """`serve` on a port in use exits 1 saying how to pick another."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            result = runner.invoke(app, ["serve", "--port", str(port)])
        assert result.exit_code == 1
        assert f"port {port} is in use: use --port or PHOTOMANAGER_PORT" in result.stderr
