"""CLI fixtures: Typer's CliRunner, and a container on the sandbox passed as `obj`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.support import build_container
from photomanager.bootstrap import Container
from photomanager.sandbox import ManualClock, Sandbox


@pytest.fixture
def runner() -> CliRunner:
    """Invokes commands in process, capturing stdout and stderr apart."""
    return CliRunner()


@pytest.fixture
def container(
    tmp_path: Path, sandbox: Sandbox, sandbox_clock: ManualClock, sqlite_template: Path
) -> Iterator[Container]:
    """Services over the sandbox and a migrated SQLite file, account connected."""
    built = build_container(tmp_path, sandbox, sandbox_clock, template_db=sqlite_template)
    try:
        yield built
    finally:
        built.close()
