"""The CLI: the same services as the web app, exit codes 0/1/2, one-line reasons."""

from __future__ import annotations

import csv
import dataclasses
import io
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.support import post_one
from fixtures.database import add_unknown_row
from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.models import PENALTY_EDGE, QueueStatus, Source, WorkerDesired
from photomanager.services.reporting.status import StatusReport

VALID = "{Lovely|Great} work, {{author}}!"


def _collect_watch(container: Container) -> None:
    run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
    container.collect_runs.wait(run.run_id, timeout=30)


class TestStatusCommand:
    def test_prints_counts_and_mode(self, runner: CliRunner, container: Container) -> None:
        """`status` exits 0 and shows the queue table, the account and the SANDBOX mode."""
        result = runner.invoke(app, ["status"], obj=container)
        assert result.exit_code == 0, result.output
        assert "pending" in result.stdout
        assert "SANDBOX" in result.stdout
        assert "connected as" in result.stdout
        assert "sqlite:///" in result.stdout  # which database it read

    def test_every_shared_wait_is_listed_in_words(
        self, runner: CliRunner, container: Container
    ) -> None:
        """A pause DeviantArt's network imposed shows as a row with its next try."""
        now = container.clock.now()
        with container.uow_factory() as uow:
            uow.penalties.impose(
                PENALTY_EDGE,
                now + timedelta(minutes=5),
                "DeviantArt's network refused this machine",
                now,
                streak=1,
            )
            uow.commit()
        result = runner.invoke(app, ["status"], obj=container, terminal_width=240)
        assert result.exit_code == 0, result.output
        assert "DeviantArt wait" in result.stdout
        flat = " ".join(result.stdout.replace("│", " ").split())
        assert "refused this machine; next try at" in flat

    def test_a_silent_worker_shows_when_it_last_reported(
        self, runner: CliRunner, container: Container
    ) -> None:
        """A worker wanted running but silent for 10 min: status says how long ago it spoke."""
        container.worker_control.start()
        ten_minutes_ago = container.clock.now() - timedelta(minutes=10)
        with container.uow_factory() as uow:
            control = uow.worker_control.get_for_update()
            uow.worker_control.save(dataclasses.replace(control, heartbeat_at=ten_minutes_ago))
            uow.commit()
        result = runner.invoke(app, ["status"], obj=container, terminal_width=200)
        assert result.exit_code == 0, result.output
        assert "(10 min ago)" in result.stdout
        assert "NO WORKER RESPONDS" in result.stdout


class TestCollectCommand:
    def test_global_feed_fills_queue(self, runner: CliRunner, container: Container) -> None:
        """`collect global --pages 1` exits 0, prints a summary and fills the queue."""
        result = runner.invoke(app, ["collect", "global", "--pages", "1"], obj=container)
        assert result.exit_code == 0, result.output
        pending = container.queue.stats()[QueueStatus.PENDING]
        assert pending > 0
        assert f"{pending} new" in result.stdout

    @pytest.mark.parametrize("pages", ["0", "101", "many"])
    def test_bad_pages_is_usage_error(
        self, runner: CliRunner, container: Container, pages: str
    ) -> None:
        """An out-of-range --pages is a usage error (exit 2); nothing is collected."""
        result = runner.invoke(app, ["collect", "watch", "--pages", pages], obj=container)
        assert result.exit_code == 2
        assert container.collect_runs.recent() == []

    def test_failure_is_one_line(self, runner: CliRunner, container: Container) -> None:
        """Without an account, `collect watch` exits 1 with a one-line reason."""
        container.auth.tokens.forget()
        result = runner.invoke(app, ["collect", "watch"], obj=container)
        assert result.exit_code == 1
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: the collect failed")
        assert "Traceback" not in result.output


class TestMessagesCommands:
    def test_add_and_list(self, runner: CliRunner, container: Container) -> None:
        """`messages add` stores a template that `messages list` shows."""
        added = runner.invoke(
            app, ["messages", "add", "--title", "Thanks", "--body", VALID], obj=container
        )
        assert added.exit_code == 0, added.output
        [template] = container.templates.list_templates()
        assert template.body == VALID
        listed = runner.invoke(app, ["messages", "list"], obj=container)
        assert "Thanks" in listed.stdout

    def test_add_from_file(self, runner: CliRunner, container: Container, tmp_path: Path) -> None:
        """--file reads the template body from a file."""
        source = tmp_path / "t.txt"
        source.write_text(VALID, encoding="utf-8")
        result = runner.invoke(
            app, ["messages", "add", "--title", "F", "--file", str(source)], obj=container
        )
        assert result.exit_code == 0
        assert container.templates.list_templates()[0].body == VALID

    def test_invalid_template_is_one_line_failure(
        self, runner: CliRunner, container: Container
    ) -> None:
        """An invalid template exits 1 with where and what, and nothing is stored."""
        result = runner.invoke(
            app, ["messages", "add", "--title", "Bad", "--body", "{oops"], obj=container
        )
        assert result.exit_code == 1
        [line] = result.stderr.strip().splitlines()
        assert "line 1, column 1" in line
        assert container.templates.list_templates() == []

    def test_body_and_file_together_is_usage_error(
        self, runner: CliRunner, container: Container, tmp_path: Path
    ) -> None:
        """Giving neither or both of --body and --file is a usage error."""
        result = runner.invoke(app, ["messages", "add", "--title", "X"], obj=container)
        assert result.exit_code == 2

    def test_preview(self, runner: CliRunner, container: Container) -> None:
        """`messages preview` prints renderings and the variant count."""
        result = runner.invoke(
            app, ["messages", "preview", "--body", VALID, "-n", "3"], obj=container
        )
        assert result.exit_code == 0
        assert result.stdout.count("- ") == 3
        assert "2 variant(s)" in result.stdout


class TestQueueCommands:
    def test_list_shows_rows(self, runner: CliRunner, container: Container) -> None:
        """`queue list` shows the queued deviations."""
        _collect_watch(container)
        items, _ = container.queue.list_queue(limit=1)
        result = runner.invoke(app, ["queue", "list", "--limit", "5"], obj=container)
        assert result.exit_code == 0
        assert items[0].deviationid in result.stdout

    def test_clear_with_yes(self, runner: CliRunner, container: Container) -> None:
        """`queue clear --yes` empties the queue."""
        _collect_watch(container)
        result = runner.invoke(app, ["queue", "clear", "--yes"], obj=container)
        assert result.exit_code == 0
        assert sum(container.queue.stats().values()) == 0

    def test_clear_unconfirmed_changes_nothing(
        self, runner: CliRunner, container: Container
    ) -> None:
        """Answering no to the confirmation aborts with exit 1 and deletes nothing."""
        _collect_watch(container)
        before = container.queue.stats()
        result = runner.invoke(app, ["queue", "clear"], obj=container, input="n\n")
        assert result.exit_code == 1
        assert container.queue.stats() == before

    def test_bad_status_is_usage_error(self, runner: CliRunner, container: Container) -> None:
        """An unknown --status is a usage error."""
        result = runner.invoke(app, ["queue", "list", "--status", "nope"], obj=container)
        assert result.exit_code == 2

    def test_reset_failed(self, runner: CliRunner, container: Container) -> None:
        """`queue reset-failed` puts failed rows back to pending."""
        _collect_watch(container)
        container.templates.create_template(title="T", body=VALID)
        items, _ = container.queue.list_queue(limit=1)
        container.sandbox.delete_deviation(items[0].deviationid)  # type: ignore[union-attr]
        container.worker.run_once()
        result = runner.invoke(app, ["queue", "reset-failed"], obj=container)
        assert result.exit_code == 0
        assert "1 row(s)" in result.stdout
        assert container.queue.stats()[QueueStatus.FAILED] == 0


class TestLogsExport:
    def test_export_csv(self, runner: CliRunner, container: Container, tmp_path: Path) -> None:
        """`logs export --csv FILE` writes the log with its header."""
        _collect_watch(container)
        container.templates.create_template(title="T", body=VALID)
        posted = post_one(container)
        target = tmp_path / "log.csv"
        result = runner.invoke(app, ["logs", "export", "--csv", str(target)], obj=container)
        assert result.exit_code == 0
        with target.open(encoding="utf-8") as f:
            rows = list(csv.reader(f))
        assert rows[0][0] == "log_id"
        assert rows[1][3] == posted.deviationid

    def test_export_to_standard_output(
        self,
        runner: CliRunner,
        container: Container,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """`--csv -` prints the CSV (for a pipe) and writes no file named "-"."""
        _collect_watch(container)
        container.templates.create_template(title="T", body=VALID)
        posted = post_one(container)
        monkeypatch.chdir(tmp_path)
        result = runner.invoke(app, ["logs", "export", "--csv", "-"], obj=container)
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0][0] == "log_id"
        assert rows[1][3] == posted.deviationid
        assert not (tmp_path / "-").exists()


class TestDbUpgrade:
    def test_upgrade_on_given_database(self, runner: CliRunner, container: Container) -> None:
        """`db upgrade` is idempotent on a migrated database."""
        result = runner.invoke(app, ["db", "upgrade"], obj=container)
        assert result.exit_code == 0
        assert "up to date" in result.stdout

    def test_upgrade_creates_schema_from_settings(
        self, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without a container, `db upgrade` migrates the configured database file."""
        monkeypatch.setenv("PHOTOMANAGER_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0
        assert (tmp_path / "new.db").exists()

    def test_upgrade_on_a_fresh_data_dir_creates_it_private(
        self, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A data dir that does not exist yet is created (0700), the database in it 0600."""
        data = tmp_path / "not-yet" / "data"
        monkeypatch.delenv("PHOTOMANAGER_DATABASE_URL", raising=False)
        monkeypatch.setenv("PHOTOMANAGER_DATA_DIR", str(data))
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        database = data / "photomanager.sqlite3"
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert stat.S_IMODE(database.stat().st_mode) == 0o600


class TestWorkerCommand:
    def test_returns_when_desired_stopped(self, runner: CliRunner, container: Container) -> None:
        """`worker --exit-when-stopped` returns at once while the desired state is stopped."""
        result = runner.invoke(app, ["worker", "--exit-when-stopped"], obj=container)
        assert result.exit_code == 0
        assert "worker stopped" in result.stdout
        assert container.worker_control.status().desired is WorkerDesired.STOPPED


class _BrokenStatus:
    def status(self) -> StatusReport:
        raise RuntimeError("token abc123secret in a crash message")


class TestFailureReporting:
    def test_unknown_command_is_usage_error(self, runner: CliRunner) -> None:
        """An unknown command exits 2."""
        assert runner.invoke(app, ["frobnicate"]).exit_code == 2

    def test_unexpected_error_is_one_line_without_secret(
        self, runner: CliRunner, container: Container
    ) -> None:
        """A crash exits 1 with one line naming the error type, no trace, no message text."""
        container.status = _BrokenStatus()  # type: ignore[assignment]
        result = runner.invoke(app, ["status"], obj=container)
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            "error: unexpected RuntimeError (set PHOTOMANAGER_LOG_LEVEL=DEBUG for details)"
        )
        assert "abc123secret" not in result.output

    def test_bad_configuration_names_setting_not_value(
        self, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An invalid setting exits 1 naming the setting, never echoing its value."""
        monkeypatch.setenv("PHOTOMANAGER_PORT", "not-a-port-secret")
        result = runner.invoke(app, ["status"])
        assert result.exit_code == 1
        assert "port" in result.stderr
        assert "not-a-port-secret" not in result.output


class TestQueueResolve:
    def test_not_posted_queues_the_row_again(self, runner: CliRunner, container: Container) -> None:
        """`queue resolve ID --not-posted` puts the row back to pending."""
        deviationid = add_unknown_row(container.uow_factory, "UNK-2", container.clock.now())
        result = runner.invoke(
            app, ["queue", "resolve", deviationid, "--not-posted"], obj=container
        )
        assert result.exit_code == 0, result.output
        assert "pending" in result.stdout
        with container.uow_factory() as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert item.status is QueueStatus.PENDING

    @pytest.mark.parametrize("flags", [[], ["--posted", "--not-posted"]], ids=["none", "both"])
    def test_saying_nothing_or_both_is_a_usage_error(
        self, runner: CliRunner, container: Container, flags: list[str]
    ) -> None:
        """Neither or both of --posted/--not-posted: nothing changes, exit 2."""
        deviationid = add_unknown_row(container.uow_factory, "UNK-2", container.clock.now())
        result = runner.invoke(app, ["queue", "resolve", deviationid, *flags], obj=container)
        assert result.exit_code == 2
        with container.uow_factory() as uow:
            item = uow.queue.get(deviationid)
        assert item is not None
        assert item.status is QueueStatus.UNKNOWN

    def test_a_row_that_is_not_unknown_exits_1(
        self, runner: CliRunner, container: Container
    ) -> None:
        """A conflict is one line and exit 1."""
        deviationid = add_unknown_row(container.uow_factory, "UNK-2", container.clock.now())
        runner.invoke(app, ["queue", "resolve", deviationid, "--posted"], obj=container)
        result = runner.invoke(app, ["queue", "resolve", deviationid, "--posted"], obj=container)
        assert result.exit_code == 1
        assert "not unknown" in result.output
