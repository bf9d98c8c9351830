"""The composition root: migrations on start, nothing at import, the worker thread."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from api.support import build_container, make_settings
from photomanager.bootstrap import (
    STARTER_TEMPLATES,
    Container,
    bootstrap,
    seed_starter_templates,
)
from photomanager.domain.models import LogStatus, QueueStatus, Source
from photomanager.domain.templates import count_variants
from photomanager.sandbox import ManualClock, Sandbox
from photomanager.services.posting.repeat_guard import FEW_VARIANTS


def _eventually(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll `condition` until it holds or `timeout` passes (a background thread acts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class TestBootstrap:
    def test_fresh_database_is_migrated(
        self, tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock
    ) -> None:
        """A new SQLite file (in a new directory) is created and migrated on start."""
        settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'new' / 'x.db'}")
        container = bootstrap(settings, sandbox=sandbox, clock=sandbox_clock)
        try:
            assert container.queue.stats()[QueueStatus.PENDING] == 0
            assert (tmp_path / "new" / "x.db").exists()
        finally:
            container.close()

    def test_without_sandbox_nothing_is_configured(self, tmp_path: Path) -> None:
        """Without a DeviantArt app configured, status says so and it is not demo mode."""
        container = bootstrap(make_settings(tmp_path, database_url="sqlite://"))
        try:
            assert container.sandbox_mode is False
            assert container.auth.status().client_configured is False
        finally:
            container.close()

    def test_nothing_is_built_at_import(self, tmp_path: Path) -> None:
        """Importing the app, the CLI and the root creates no file and opens no database."""
        code = "import photomanager.cli, photomanager.api.app, photomanager.bootstrap"
        subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=60)
        assert list(tmp_path.iterdir()) == []

    def test_starter_templates_only_when_empty(self, container: Container) -> None:
        """Starter templates are added once, and only to an empty list."""
        assert seed_starter_templates(container) == 2
        assert seed_starter_templates(container) == 0
        assert len(container.templates.list_templates()) == 2

    def test_starter_templates_have_enough_variety(self) -> None:
        """No starter template is flagged for having few variants."""
        for _title, body in STARTER_TEMPLATES:
            assert count_variants(body) >= FEW_VARIANTS, body

    def test_close_is_idempotent(self, container: Container) -> None:
        """Closing twice is harmless."""
        container.close()
        container.close()


class TestWorkerThread:
    def test_posts_when_started_and_stops(
        self, tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
    ) -> None:
        """The worker thread obeys the desired state: it posts after start, ends on stop()."""
        container = build_container(tmp_path, sandbox, sandbox_clock, template_db=sqlite_template)
        try:
            run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
            container.collect_runs.wait(run.run_id, timeout=30)
            # The fake clock stands still: let the turns the collect's requests took pass.
            sandbox_clock.advance(60)
            seed_starter_templates(container)
            container.worker_thread.start()
            container.worker_control.start()
            posted = _eventually(
                lambda: bool(container.logs.list_logs(status=LogStatus.SENT, limit=1)[0])
            )
            container.worker_thread.stop()
            assert posted
            assert not container.worker_thread.alive
            assert sandbox.ledger.duplicates() == []
        finally:
            container.close()


class TestCommentMaxLength:
    def test_the_worker_obeys_the_configured_length(
        self, tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
    ) -> None:
        """PHOTOMANAGER_COMMENT_MAX_LENGTH bounds what the worker posts, not only templates."""
        container = build_container(
            tmp_path, sandbox, sandbox_clock, template_db=sqlite_template, comment_max_length=40
        )
        try:
            run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
            container.collect_runs.wait(run.run_id, timeout=30)
            # Written under a larger limit (the template service refuses it under this one).
            with container.uow_factory() as uow:
                text = "A comment of more than forty characters, plain."
                uow.messages.add("long", text, True, sandbox_clock.now())
                uow.commit()
            container.worker.run_once()
            failed, _ = container.logs.list_logs(status=LogStatus.FAILED, limit=5)
            sent, _ = container.logs.list_logs(status=LogStatus.SENT, limit=5)
            assert sent == []
            assert len(failed) == 1
            assert "at most 40" in (failed[0].error_message or "")
            assert sandbox.ledger.all_comments() == []
        finally:
            container.close()
