"""API fixtures: the real app (`create_app`) over a container wired to the sandbox."""

from __future__ import annotations

import pytest

from photomanager.bootstrap import Container
from photomanager.domain.models import Source


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
