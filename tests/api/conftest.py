"""API fixtures: the real app (`create_app`) over a container wired to the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.support import APP_URL, TestClient, build_container
from photomanager.api.app import create_app
from photomanager.bootstrap import Container
from photomanager.domain.models import Source
from photomanager.sandbox import ManualClock, Sandbox


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


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """A test client on the real app, addressed as 127.0.0.1 (so the Host check passes)."""
    with TestClient(create_app(container), base_url=APP_URL) as test_client:
        yield test_client


@pytest.fixture
def collected(container: Container) -> Container:
    """The container after one finished collect of the watch feed (one page, no review)."""
    run = container.collect_runs.start(Source.WATCH_FEED, pages=1)
    container.collect_runs.wait(run.run_id, timeout=30)
    return container


@pytest.fixture
def posting(collected: Container) -> Container:
    """A collected queue plus one active template: the worker can post."""
    collected.templates.create_template(title="Thanks", body="{Lovely|Great} work, {{author}}!")
    return collected
