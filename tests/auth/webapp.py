"""The real app (`create_app` over `bootstrap`) on the sandbox, and Starlette's TestClient.

`TestClient` is imported here without Starlette's import-time warning that it
prefers `httpx2` (pytest turns warnings into errors; we ship httpx).
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.exceptions import StarletteDeprecationWarning

from photomanager.api.app import create_app
from photomanager.bootstrap import Container, bootstrap
from photomanager.config import load_settings
from photomanager.sandbox import ManualClock, Sandbox

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["APP_URL", "TestClient", "app_container", "browser_on"]

# The app as the artist opens it: the loopback IP and the default port.
APP_URL = "http://127.0.0.1:8000"


@contextmanager
def app_container(
    tmp_path: Path,
    sandbox: Sandbox | None,
    clock: ManualClock,
    *,
    template_db: Path,
    transport: httpx.BaseTransport | None = None,
    **overrides: Any,
) -> Iterator[Container]:
    """A container on the sandbox (not connected) with its own migrated SQLite file.

    Without a sandbox, DeviantArt is unreachable and no app is configured.
    """
    db = tmp_path / "auth.db"
    shutil.copyfile(template_db, db)
    # A manual clock and real waits: the 1 s floor between requests would be slept for real.
    overrides.setdefault("da_min_delay_s", 0.0)
    settings = load_settings(
        _env_file=None, data_dir=tmp_path, database_url=f"sqlite:///{db}", **overrides
    )
    container = bootstrap(settings, sandbox=sandbox, clock=clock, transport=transport)
    try:
        yield container
    finally:
        container.close()


@contextmanager
def browser_on(container: Container, base_url: str = APP_URL) -> Iterator[TestClient]:
    """The artist's browser on the real app."""
    with TestClient(create_app(container), base_url=base_url) as client:
        yield client
