"""Collect runs: validation, background threads, progress by id, failures and stops."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from photomanager.domain.errors import Conflict, InvalidInput, NotFound
from photomanager.domain.models import QueueStatus, Source
from photomanager.services.collector import CANCELLED, DONE, FAILED
from photomanager.services.ports import UnitOfWorkFactory
from services.service_harness import Harness


@pytest.fixture
def uow_factory(sqlite_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """SQLite only: run bookkeeping holds no backend-specific SQL (test_collect covers both)."""
    return sqlite_uow_factory


class TestCollectValidation:
    @pytest.mark.parametrize("pages", [0, -1, 101, True, 2.5])
    def test_pages_out_of_range_are_refused(self, harness: Harness, pages: Any) -> None:
        """pages must be a whole number from 1 to 100."""
        with pytest.raises(InvalidInput):
            harness.collect(Source.WATCH_FEED, pages=pages)

    def test_unknown_source_is_refused(self, harness: Harness) -> None:
        """Starting a run for an unknown source says which ones exist."""
        with pytest.raises(InvalidInput, match="watch_feed"):
            harness.runs.start("instagram", pages=1)


class TestCollectRunsInBackground:
    def test_a_run_reports_progress_and_result_by_id(self, harness: Harness) -> None:
        """start() returns at once with a run id; the result is readable by that id."""
        first = harness.runs.start(Source.WATCH_FEED, pages=2)
        final = harness.runs.wait(first.run_id, timeout=30)
        assert final.state == DONE
        assert final.new > 0
        assert harness.runs.get(first.run_id) == final
        assert harness.runs.running() == []

    def test_a_second_run_of_the_same_source_is_refused(
        self, harness: Harness, gated_threads: tuple[threading.Event, Callable[..., Any]]
    ) -> None:
        """While a source is being collected, another run of it is a Conflict."""
        gate, factory = gated_threads
        runs = type(harness.runs)(
            collector=harness.collector,
            sources=harness.sources,
            clock=harness.clock,
            thread_factory=factory,
        )
        first = runs.start(Source.WATCH_FEED, pages=1)
        with pytest.raises(Conflict):
            runs.start(Source.WATCH_FEED, pages=1)
        other = runs.start(Source.GLOBAL_FEED, pages=1)
        gate.set()
        assert runs.wait(first.run_id, timeout=30).state == DONE
        assert runs.wait(other.run_id, timeout=30).state == DONE

    def test_an_unknown_run_id_is_not_found(self, harness: Harness) -> None:
        """Asking for a run that never existed raises NotFound."""
        with pytest.raises(NotFound):
            harness.runs.get("nope")

    def test_deviantart_errors_end_the_run_as_failed(self, harness: Harness) -> None:
        """Maintenance on DeviantArt's side makes the run fail with the reason."""
        harness.sandbox.faults.maintenance = True
        harness.sandbox.faults.maintenance_retry_after_s = 100_000
        run = harness.runs.start(Source.GLOBAL_FEED, pages=1)
        final = harness.runs.wait(run.run_id, timeout=30)
        assert final.state == FAILED
        assert final.error is not None
        assert "service_unavailable" in final.error

    def test_a_stop_request_cancels_the_run(self, harness: Harness) -> None:
        """A set stop event ends the run as cancelled before the next page."""
        harness.stop.set()
        result = harness.collect(Source.WATCH_FEED, pages=3)
        assert result.state == CANCELLED
        assert harness.queue.stats()[QueueStatus.PENDING] == 0


@pytest.fixture
def gated_threads() -> tuple[threading.Event, Callable[..., Any]]:
    """A thread factory whose threads wait for a gate before running their target."""
    gate = threading.Event()

    def factory(*, target: Callable[..., None], args: tuple[Any, ...], **kw: Any) -> Any:
        def gated() -> None:
            gate.wait(30)
            target(*args)

        return threading.Thread(target=gated, **kw)

    return gate, factory
