"""`db backup` while the demo posts, `db restore` refused while it runs and complete after."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

STARTUP_TIMEOUT_S = 60
POSTING_TIMEOUT_S = 90
PRIVATE_FILE = 0o600


@dataclass
class Demo:
    """A running `serve --sandbox` and how to reach its database."""

    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[str]

    @property
    def database(self) -> Path:
        """The demo's SQLite file."""
        return self.data_dir / "sandbox.sqlite3"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `photomanager --sandbox ARGS` against the demo's data dir."""
        return subprocess.run(
            [sys.executable, "-m", "photomanager.cli", "--sandbox", *args],
            cwd=self.data_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def stop(self) -> None:
        """SIGINT, as Ctrl-C does; wait for the server to end."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def ledger_ids(database: Path) -> set[str]:
    """Every deviation id in a database's anti-repeat ledger."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as conn:
        return {row[0] for row in conn.execute("SELECT deviationid FROM commented_deviations")}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """`serve --sandbox` in a subprocess, its worker posting every second."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOMANAGER_")}
    env["PHOTOMANAGER_DATA_DIR"] = str(tmp_path)
    env["PHOTOMANAGER_LOG_LEVEL"] = "WARNING"
    process = subprocess.Popen(
        [sys.executable, "-m", "photomanager.cli", "serve", "--sandbox", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True
    )
    reader.start()
    running = Demo(data_dir=tmp_path, env=env, process=process)
    try:
        line = lines.get(timeout=STARTUP_TIMEOUT_S)
        assert "listening on" in line, line
        yield running
    finally:
        running.stop()
        reader.join(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def start_posting(demo: Demo) -> None:
    """Fast pacing, no review, a collect, and the worker started."""
    settings = demo.cli(
        "settings",
        "set",
        "min_interval_s=1",
        "max_interval_s=1",
        "max_per_hour=1000",
        "max_per_day=10000",
        "author_cooldown_days=0",
        "review_sources=none",
    )
    assert settings.returncode == 0, settings.stderr
    collected = demo.cli("collect", "watch", "--pages", "2")
    assert collected.returncode == 0, collected.stderr
    started = demo.cli("worker", "--start", "--detach", "--confirm-unreviewed")
    assert started.returncode == 0, started.stderr


def wait_for_comments(database: Path, at_least: int) -> set[str]:
    """The ledger once it holds `at_least` deviations (fails after POSTING_TIMEOUT_S)."""
    deadline = time.monotonic() + POSTING_TIMEOUT_S
    while time.monotonic() < deadline:
        ids = ledger_ids(database)
        if len(ids) >= at_least:
            return ids
        time.sleep(0.5)
    pytest.fail(f"the demo worker posted fewer than {at_least} comments in time")


@pytest.mark.slow
class TestBackupWhileTheWorkerPosts:
    def test_a_backup_taken_mid_run_restores_every_comment_before_it(
        self, demo: Demo, tmp_path: Path
    ) -> None:
        """Every comment in the ledger before the backup is in the restored ledger."""
        start_posting(demo)
        before = wait_for_comments(demo.database, 2)
        target = tmp_path / "backups" / "mid-run.db"

        backed_up = demo.cli("db", "backup", str(target))
        after_backup = wait_for_comments(demo.database, len(before) + 1)
        refused = demo.cli("db", "restore", str(target), "--yes")
        demo.stop()
        restored = demo.cli("db", "restore", str(target), "--yes")

        assert backed_up.returncode == 0, backed_up.stderr
        assert os.stat(target).st_mode & 0o777 == PRIVATE_FILE
        assert refused.returncode == 1
        assert "worker is running" in refused.stderr
        assert restored.returncode == 0, restored.stderr
        assert "the worker is stopped" in restored.stdout
        restored_ids = ledger_ids(demo.database)
        assert before <= restored_ids
        assert restored_ids <= after_backup  # nothing invented, the live one went on past it
