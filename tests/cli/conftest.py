"""CLI fixtures: Typer's CliRunner, and a container on the sandbox passed as `obj`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    """Invokes commands in process, capturing stdout and stderr apart."""
    return CliRunner()
