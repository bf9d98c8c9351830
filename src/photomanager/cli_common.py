"""What every CLI command shares: error reporting, the container, the console.

Exit codes: 0 ok, 2 usage (Click's own), 1 failure with a one-line reason.
Domain errors carry messages written for the artist (never secrets); anything
unexpected is reported by type only, the traceback going to the debug log.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from typer.core import TyperGroup

from photomanager.bootstrap import Container, bootstrap
from photomanager.config import load_settings
from photomanager.domain.errors import PhotomanagerError
from photomanager.logging_setup import configure_logging

logger = logging.getLogger("photomanager.cli")


def fail(reason: str) -> NoReturn:
    """Print a one-line reason on stderr and exit with code 1."""
    typer.echo(f"error: {' '.join(reason.split()) or 'failed'}", err=True)
    raise typer.Exit(1)


class ReportingGroup(TyperGroup):
    """The root command group: every failure becomes one line and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # Typer's own exits and usage errors (code 2) pass through
        except PhotomanagerError as exc:
            fail(exc.message)
        except ValidationError as exc:
            # Name the setting and the rule, never the value (it may be a secret).
            first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
            where = ".".join(str(part) for part in first["loc"]) or "settings"
            fail(f"invalid configuration: {where}: {first['msg']}")
        except Exception as exc:
            logger.debug("unexpected CLI failure", exc_info=exc)
            fail(f"unexpected {type(exc).__name__} (set PHOTOMANAGER_LOG_LEVEL=DEBUG for details)")


def valid_log_level(name: str | None, default: str = "WARNING") -> str:
    """`name` upper-cased when it is a logging level, else `default`."""
    level = (name or "").strip().upper()
    return level if level in logging.getLevelNamesMapping() else default


def install_logging() -> None:
    """Redacting log handlers for every command; level from PHOTOMANAGER_LOG_LEVEL.

    The root command's callback, so it runs whichever way the app is invoked
    (console script, `python -m`, tests); `serve` raises the level afterwards.
    """
    configure_logging(valid_log_level(os.environ.get("PHOTOMANAGER_LOG_LEVEL")))


def console() -> Console:
    """Where commands print tables and progress (stdout)."""
    return Console(highlight=False, soft_wrap=True)


@contextmanager
def opened_container(ctx: typer.Context) -> Iterator[Container]:
    """The container for this command: the one the caller passed (tests) or a new one.

    A container built here is closed when the command ends.
    """
    given = ctx.obj
    if given is not None:
        yield given
        return
    container = bootstrap(load_settings())
    try:
        yield container
    finally:
        container.close()
