"""`queue prune [--dry-run]`, `status`, `logs export`, `db backup|restore|upgrade` edges."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api.support import post_one
from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.domain.models import QueueStatus, Source
from photomanager.sandbox import ManualClock
from photomanager.storage.engine import create_engine_for
from photomanager.storage.migrate import upgrade_database

DAY_S = 86_400
WIDE = 250


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables as wide as a desktop terminal: reasons are read on one line."""
    monkeypatch.setenv("COLUMNS", str(WIDE))


def _collect_watch(container: Container) -> None:
    run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
    container.collect_runs.wait(run.run_id, timeout=30)


class TestQueuePrune:
    def test_the_dry_run_lists_what_would_go_and_why(
        self, runner: CliRunner, container: Container, sandbox_clock: ManualClock
    ) -> None:
        """Each expiring row with its reason, the totals, and nothing removed."""
        _collect_watch(container)
        pending = container.queue.stats()[QueueStatus.PENDING]
        sandbox_clock.advance(8 * DAY_S)

        result = runner.invoke(app, ["queue", "prune", "--dry-run"], obj=container)

        assert result.exit_code == 0, result.output
        assert "more than 7 days ago" in result.stdout
        assert f"dry run: {pending} queue row(s) would go ({pending} pending)" in result.stdout
        assert "nothing was removed" in result.stdout
        assert container.queue.stats()[QueueStatus.PENDING] == pending

    def test_a_prune_removes_and_status_shows_it(
        self, runner: CliRunner, container: Container, sandbox_clock: ManualClock
    ) -> None:
        """`queue prune` removes expired rows; `status` says when and what, by the CLI."""
        _collect_watch(container)
        pending = container.queue.stats()[QueueStatus.PENDING]
        sandbox_clock.advance(8 * DAY_S)

        pruned = runner.invoke(app, ["queue", "prune"], obj=container)
        status = runner.invoke(app, ["status"], obj=container)

        assert pruned.exit_code == 0, pruned.output
        assert f"removed {pending} queue row(s) ({pending} pending)" in pruned.stdout
        assert container.queue.stats()[QueueStatus.PENDING] == 0
        assert f"by cli: removed {pending} pending, 0 log entries" in status.stdout


class TestLogExportRange:
    def test_the_export_says_which_range_it_covers(
        self, runner: CliRunner, container: Container, tmp_path: Path
    ) -> None:
        """After writing the file, the CLI names the first and last moment covered."""
        _collect_watch(container)
        container.templates.create_template(title="t", body="{Lovely|Great} work, {{author}}!")
        post_one(container)
        target = tmp_path / "log.csv"

        result = runner.invoke(app, ["logs", "export", "--csv", str(target)], obj=container)

        assert result.exit_code == 0, result.output
        assert "entries from" in result.stdout
        assert "the log keeps 365 days" in result.stdout


class TestDatabaseCommands:
    def test_restore_is_refused_while_a_worker_reports(
        self, runner: CliRunner, container: Container, tmp_path: Path
    ) -> None:
        """A fresh heartbeat of a running worker: exit 1, nothing restored."""
        backup = tmp_path / "b.db"
        made = runner.invoke(app, ["db", "backup", str(backup)], obj=container)
        assert made.exit_code == 0, made.output
        container.worker_control.start()
        with container.uow_factory() as uow:
            control = uow.worker_control.get_for_update()
            now = container.clock.now()
            uow.worker_control.save(dataclasses.replace(control, heartbeat_at=now))
            uow.commit()

        result = runner.invoke(app, ["db", "restore", str(backup), "--yes"], obj=container)

        assert result.exit_code == 1
        assert "a worker is running" in result.stderr

    def test_an_existing_backup_file_is_refused(
        self, runner: CliRunner, container: Container, tmp_path: Path
    ) -> None:
        """`db backup` onto an existing file: exit 1 with a reason, the file untouched."""
        target = tmp_path / "exists.db"
        target.write_text("mine")

        result = runner.invoke(app, ["db", "backup", str(target)], obj=container)

        assert result.exit_code == 1
        assert "already exists" in result.stderr
        assert target.read_text() == "mine"

    def test_a_newer_database_is_refused_with_a_clear_message(
        self, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`db upgrade` on a database a newer release migrated: exit 1, one line, no trace."""
        url = f"sqlite:///{tmp_path / 'newer.db'}"
        upgrade_database(url)
        engine = create_engine_for(url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        engine.dispose()
        monkeypatch.setenv("PHOTOMANAGER_DATABASE_URL", url)

        result = runner.invoke(app, ["db", "upgrade"])

        assert result.exit_code == 1
        assert "newer photomanager" in result.stderr
        assert "Traceback" not in result.output
