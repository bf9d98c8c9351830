"""Every CLI command, not only `serve`, logs through the redacting handlers."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from photomanager.bootstrap import Container
from photomanager.cli import app
from photomanager.logging_setup import RedactingFilter, register_secret

SECRET = "cli-leak-secret-8d1c3a77"


@pytest.fixture
def root_handler() -> Iterator[logging.StreamHandler[io.StringIO]]:
    """A plain root handler (no filter yet) writing to a string; root restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = logging.StreamHandler(io.StringIO())
    root.handlers = [handler]
    yield handler
    root.handlers, root.level = saved


class TestCommandsInstallRedaction:
    @pytest.mark.parametrize("args", [["status"], ["queue", "list"], ["messages", "list"]])
    def test_a_command_makes_the_root_handlers_redact(
        self,
        runner: CliRunner,
        container: Container,
        root_handler: logging.StreamHandler[io.StringIO],
        args: list[str],
    ) -> None:
        """After any command, a registered secret logged anywhere comes out scrubbed."""
        register_secret(SECRET)

        result = runner.invoke(app, args, obj=container)

        assert result.exit_code == 0, result.output
        assert any(isinstance(f, RedactingFilter) for f in root_handler.filters)
        logging.getLogger("photomanager.test").warning("token is %s", SECRET)
        assert "token is [REDACTED]" in root_handler.stream.getvalue()
        assert SECRET not in root_handler.stream.getvalue()
