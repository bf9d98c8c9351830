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
from typing import Annotated, Any, NoReturn

import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console
from typer.core import TyperGroup

from photomanager.bootstrap import Container, bootstrap
from photomanager.cli.demo import NOT_RUNNING, read_demo_state
from photomanager.config import Settings, load_settings
from photomanager.domain.errors import PhotomanagerError
from photomanager.logging_setup import configure_logging

logger = logging.getLogger("photomanager.cli")

SANDBOX_META = "photomanager.sandbox"  # ctx.meta is shared by every sub-command's context


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


def root(
    ctx: typer.Context,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            envvar="PHOTOMANAGER_SANDBOX",
            help="Use the demo (scripts/start.sh --sandbox): its database and fake DeviantArt.",
        ),
    ] = False,
) -> None:
    """The root command's options: logging for every command, and demo mode."""
    install_logging()
    ctx.meta[SANDBOX_META] = sandbox


def sandbox_requested(ctx: typer.Context) -> bool:
    """True when `photomanager --sandbox` (or PHOTOMANAGER_SANDBOX=1) was given."""
    return bool(ctx.meta.get(SANDBOX_META, False))


def demo_settings(settings: Settings, *, needs_deviantart: bool) -> Settings:
    """`settings` pointed at the demo: its database and, when needed, its fake DeviantArt.

    Exits 1 when a command needs DeviantArt and the demo is not running.
    """
    update: dict[str, object] = {"database_url": settings.resolved_database_url(sandbox=True)}
    if needs_deviantart:
        state = read_demo_state(settings.data_dir)
        if state is None:
            fail(NOT_RUNNING)
        update |= {
            "da_base_url": state.base_url.rstrip("/"),
            "da_client_id": state.client_id,
            "da_client_secret": SecretStr(state.client_secret) if state.client_secret else None,
        }
    return settings.model_copy(update=update)


def console() -> Console:
    """Where commands print tables and progress (stdout)."""
    return Console(highlight=False, soft_wrap=True)


@contextmanager
def opened_container(ctx: typer.Context, *, needs_deviantart: bool = False) -> Iterator[Container]:
    """The container for this command: the one the caller passed (tests) or a new one.

    Under `--sandbox` it opens the demo's database, and for commands that talk
    to DeviantArt (`needs_deviantart`) the running demo's fake DeviantArt.
    A container built here is closed when the command ends.
    """
    given = ctx.obj
    if given is not None:
        yield given
        return
    settings = load_settings()
    demo = sandbox_requested(ctx)
    if demo:
        settings = demo_settings(settings, needs_deviantart=needs_deviantart)
    container = bootstrap(settings, demo=demo)
    try:
        yield container
    finally:
        container.close()
