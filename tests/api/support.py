"""Helpers shared by the API and CLI tests: a wired container on the sandbox, a test client."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from photomanager.bootstrap import Container, bootstrap, connect_sandbox_account
from photomanager.config import Settings, load_settings
from photomanager.domain.models import QueueStatus
from photomanager.sandbox import ManualClock, Sandbox
from photomanager.services.posting.outcomes import StepOutcome, StepResult

with warnings.catch_warnings():
    # Starlette warns once, at import, that it prefers `httpx2`; we ship httpx.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

__all__ = [
    "APP_URL",
    "JSON",
    "PREFIX",
    "TestClient",
    "build_container",
    "make_settings",
    "pending_count",
    "post_one",
    "snapshot",
]

APP_URL = "http://127.0.0.1"
PREFIX = "/api/deviation-comments"
# State-changing requests without a body still declare JSON (the CSRF rule).
JSON = {"Content-Type": "application/json"}


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings that ignore the environment's .env, with the data dir under `tmp_path`."""
    return load_settings(_env_file=None, data_dir=tmp_path, **overrides)


def build_container(
    tmp_path: Path,
    sandbox: Sandbox,
    clock: ManualClock,
    *,
    template_db: Path | None = None,
    connected: bool = True,
    **overrides: Any,
) -> Container:
    """A container on `sandbox` with its own SQLite file (copied from a migrated template)."""
    db = tmp_path / "app.db"
    if template_db is not None:
        shutil.copyfile(template_db, db)
    # The sandbox's clock is manual, the client's waits real: the 1 s floor between two
    # requests would be slept for real on every request (a test that paces sets its own).
    overrides.setdefault("da_min_delay_s", 0.0)
    container = bootstrap(
        make_settings(tmp_path, database_url=f"sqlite:///{db}", **overrides),
        sandbox=sandbox,
        clock=clock,
    )
    if connected:
        connect_sandbox_account(container)
    return container


def snapshot(container: Container) -> dict[str, object]:
    """Everything the API can change, to assert that a refused request changed nothing."""
    items, _ = container.queue.list_queue(limit=500)
    entries, _ = container.logs.list_logs(limit=500)
    return {
        "queue": sorted((i.deviationid, i.status, i.attempts) for i in items),
        "counts": {s: n for s, n in container.queue.stats().items() if n},
        "templates": [
            (t.message_id, t.title, t.body, t.is_active)
            for t in container.templates.list_templates()
        ],
        "settings": container.comment_settings.get_settings(),
        "logs": [(e.log_id, e.status, e.body) for e in entries],
        "worker": container.worker_control.status().desired,
        "runs": len(container.collect_runs.recent()),
        "connected": container.auth.status().connected,
    }


def pending_count(container: Container) -> int:
    """Rows waiting to be commented."""
    return container.queue.stats().get(QueueStatus.PENDING, 0)


def post_one(container: Container) -> StepResult:
    """One worker step that must post a comment."""
    result = container.worker.run_once()
    assert result.outcome is StepOutcome.SENT, result
    return result
