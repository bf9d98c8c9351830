"""Collect runs: validation, background threads, progress by id, failures, stops, processes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

import pytest

from photomanager.domain.errors import Conflict, InvalidInput, NotFound
from photomanager.domain.models import (
    CollectProgress,
    Comment,
    CommentPage,
    DeviantArtUser,
    DeviationMetadata,
    FeedPage,
    QueueStatus,
    Source,
    TokenKind,
)
from photomanager.services.collecting import collect_runs as collect_runs_module
from photomanager.services.collecting.collect_runs import STOPPED_ERROR, CollectRuns
from photomanager.services.collecting.collector import (
    CANCELLED,
    DONE,
    FAILED,
    INTERRUPTED,
    RUNNING,
    FeedCollector,
)
from photomanager.services.ports import DeviantArtApi, UnitOfWork, UnitOfWorkFactory
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


class GatedApi:
    """The sandbox API, except that the second page waits for `gate` (after setting `reached`)."""

    def __init__(self, api: DeviantArtApi) -> None:
        self._api = api
        self.pages = 0
        self.reached = threading.Event()
        self.gate = threading.Event()

    def browse(
        self, path: str, *, token_kind: TokenKind, offset: int, limit: int, mature_content: bool
    ) -> FeedPage:
        self.pages += 1
        if self.pages == 2:
            self.reached.set()
            self.gate.wait(30)
        return self._api.browse(
            path, token_kind=token_kind, offset=offset, limit=limit, mature_content=mature_content
        )

    def post_comment(
        self, deviationid: str, body: str, *, deadline: datetime | None = None
    ) -> Comment:
        return self._api.post_comment(deviationid, body, deadline=deadline)

    def list_comments(self, deviationid: str, *, offset: int, limit: int) -> CommentPage:
        return self._api.list_comments(deviationid, offset=offset, limit=limit)

    def whoami(self) -> DeviantArtUser:
        return self._api.whoami()

    def deviation_metadata(
        self, deviationids: Sequence[str], *, token_kind: TokenKind = TokenKind.USER
    ) -> list[DeviationMetadata]:
        return self._api.deviation_metadata(deviationids, token_kind=token_kind)

    def get_recommended_delay(self) -> float:
        return self._api.get_recommended_delay()

    def waited_in_last_request(self) -> float:
        return self._api.waited_in_last_request()

    def spare_turn(self, before: datetime) -> bool:
        return self._api.spare_turn(before)


class FlakyUnitsOfWork:
    """Units of work whose next `failures` writing ones fail on enter (a database hiccup)."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.failures = 0

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        with self._lock:
            fail = not read_only and self.failures > 0
            self.failures -= fail
        return _Failing() if fail else self._inner(read_only=read_only)  # type: ignore[return-value]


class _Failing:
    def __enter__(self) -> Self:
        raise OSError("database is locked")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def _process(harness: Harness, api: DeviantArtApi | None = None, **kw: Any) -> CollectRuns:
    """Collect runs as another process on the same database would have them."""
    collector = FeedCollector(
        uow_factory=harness.uow_factory, api=api or harness.api, clock=harness.clock
    )
    return CollectRuns(collector=collector, sources=harness.sources, clock=harness.clock, **kw)


def _stored(harness: Harness, run_id: str) -> CollectProgress:
    with harness.uow_factory(read_only=True) as uow:
        record = uow.collect_runs.get(run_id)
    assert record is not None
    return record


def _eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def gated(harness: Harness) -> Iterator[tuple[GatedApi, CollectRuns]]:
    """Runs (in "process A") whose collect pauses before its second page."""
    api = GatedApi(harness.api)
    runs = _process(harness, api)
    yield api, runs
    api.gate.set()
    runs.stop_all(timeout=5)


class TestCollectRunsAcrossProcesses:
    def test_another_process_sees_the_run_and_its_result(
        self, harness: Harness, gated: tuple[GatedApi, CollectRuns]
    ) -> None:
        """A run of one process is running in another's view, then its result is there."""
        api, runs = gated
        other = _process(harness)
        run = runs.start(Source.WATCH_FEED, pages=2)
        assert api.reached.wait(30)

        seen_running = other.running()
        api.gate.set()
        result = other.wait(run.run_id, timeout=30)

        assert [r.run_id for r in seen_running] == [run.run_id]
        assert result.state == DONE
        assert result.pages_done == 2
        assert other.recent() == [result] == [runs.get(run.run_id)]
        assert other.running() == []

    def test_the_same_source_cannot_start_in_another_process(
        self, harness: Harness, gated: tuple[GatedApi, CollectRuns]
    ) -> None:
        """While one process collects a feed, another process gets a Conflict for it."""
        api, runs = gated
        other = _process(harness)
        run = runs.start(Source.WATCH_FEED, pages=2)

        with pytest.raises(Conflict, match="a watch_feed collect is already running"):
            other.start(Source.WATCH_FEED, pages=1)
        elsewhere = other.start(Source.GLOBAL_FEED, pages=1)
        api.gate.set()

        assert runs.wait(run.run_id, timeout=30).state == DONE
        assert other.wait(elsewhere.run_id, timeout=30).state == DONE

    def test_progress_after_each_page_is_visible_elsewhere(
        self, harness: Harness, gated: tuple[GatedApi, CollectRuns]
    ) -> None:
        """What the run wrote after its first page is what another process reads."""
        api, runs = gated
        run = runs.start(Source.GLOBAL_FEED, pages=3)
        assert api.reached.wait(30)

        midway = _process(harness).get(run.run_id)

        assert (midway.state, midway.pages_done, midway.pages_requested) == (RUNNING, 1, 3)
        assert midway.found > 0
        assert midway.new == harness.queue.stats()[QueueStatus.PENDING]
        assert midway.found == midway.new + sum(midway.filtered.values())

    def test_a_restarted_process_still_shows_the_last_results(self, harness: Harness) -> None:
        """Runs outlive the process that ran them: a new one reads their results."""
        run = harness.runs.start(Source.GLOBAL_FEED, pages=1)
        result = harness.runs.wait(run.run_id, timeout=30)

        restarted = _process(harness)

        assert restarted.get(run.run_id) == result
        assert restarted.recent() == [result]


class TestStaleRuns:
    def _dead_run(self, harness: Harness, heartbeat_age: timedelta) -> str:
        """A running row left by a process that stopped `heartbeat_age` ago."""
        beat = harness.clock.now() - heartbeat_age
        with harness.uow_factory() as uow:
            uow.collect_runs.add_running(
                CollectProgress(
                    run_id="dead",
                    source=Source.WATCH_FEED,
                    state=RUNNING,
                    pages_requested=5,
                    started_at=beat - timedelta(minutes=1),
                    heartbeat_at=beat,
                    pages_done=2,
                )
            )
            uow.commit()
        return "dead"

    def test_a_stale_run_no_longer_blocks_its_source(self, harness: Harness) -> None:
        """A new run replaces a run whose process stopped; the old one is stored interrupted."""
        dead = self._dead_run(harness, timedelta(minutes=3))

        run = harness.runs.start(Source.WATCH_FEED, pages=1)

        assert harness.runs.wait(run.run_id, timeout=30).state == DONE
        stored = _stored(harness, dead)
        assert (stored.state, stored.error, stored.pages_done) == (INTERRUPTED, STOPPED_ERROR, 2)
        assert stored.finished_at == stored.heartbeat_at

    def test_a_stale_run_shows_as_interrupted(self, harness: Harness) -> None:
        """Status never shows a run of a stopped process as running."""
        dead = self._dead_run(harness, timedelta(minutes=3))

        shown = harness.runs.get(dead)

        assert (shown.state, shown.error) == (INTERRUPTED, STOPPED_ERROR)
        assert harness.runs.running() == []

    def test_a_fresh_run_of_another_process_still_blocks(self, harness: Harness) -> None:
        """A run heard from within the staleness limit is alive: Conflict."""
        dead = self._dead_run(harness, timedelta(seconds=30))

        with pytest.raises(Conflict):
            harness.runs.start(Source.WATCH_FEED, pages=1)
        assert [r.run_id for r in harness.runs.running()] == [dead]

    def test_the_heartbeat_keeps_a_waiting_run_alive(
        self, harness: Harness, gated: tuple[GatedApi, CollectRuns]
    ) -> None:
        """A run waiting long between pages refreshes its heartbeat and keeps its source."""
        api, _ = gated
        runs = _process(harness, api, heartbeat_every_s=0.01)
        run = runs.start(Source.WATCH_FEED, pages=2)
        assert api.reached.wait(30)

        later = harness.clock.advance(10 * 60)
        refreshed = _eventually(lambda: _stored(harness, run.run_id).heartbeat_at == later)

        assert refreshed
        with pytest.raises(Conflict):
            _process(harness).start(Source.WATCH_FEED, pages=1)
        api.gate.set()
        assert runs.wait(run.run_id, timeout=30).state == DONE

    def test_a_run_ended_elsewhere_stops_and_stays_ended(
        self, harness: Harness, gated: tuple[GatedApi, CollectRuns]
    ) -> None:
        """When another process took the run for dead, the run stops and writes nothing more."""
        api, runs = gated
        run = runs.start(Source.GLOBAL_FEED, pages=3)
        assert api.reached.wait(30)
        with harness.uow_factory() as uow:
            uow.collect_runs.interrupt_stale(
                Source.GLOBAL_FEED,
                heartbeat_before=harness.clock.now() + timedelta(days=1),
                keep=(),
                state=INTERRUPTED,
                error=STOPPED_ERROR,
            )
            uow.commit()

        api.gate.set()
        final = runs.wait(run.run_id, timeout=30)

        assert (final.state, final.pages_done) == (INTERRUPTED, 1)
        assert api.pages == 2  # stopped after the page it was reading
        assert runs.running() == []


class TestRecordingProblems:
    def test_a_database_hiccup_does_not_end_the_collect(
        self,
        harness: Harness,
        gated_threads: tuple[threading.Event, Callable[..., Any]],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """Progress that cannot be written is logged; the collect goes on and records its end."""
        gate, factory = gated_threads
        flaky = FlakyUnitsOfWork(harness.uow_factory)
        runs = _process(harness, uow_factory=flaky, thread_factory=factory)
        run = runs.start(Source.WATCH_FEED, pages=2)
        flaky.failures = 2  # the first snapshot and the one after page 1

        with caplog.at_level(logging.ERROR, logger=collect_runs_module.__name__):
            gate.set()
            final = runs.wait(run.run_id, timeout=30)

        assert (final.state, final.pages_done) == (DONE, 2)
        assert final.new == harness.queue.stats()[QueueStatus.PENDING] > 0
        assert "could not record the progress" in caplog.text

    def test_the_final_result_is_retried(
        self,
        harness: Harness,
        gated_threads: tuple[threading.Event, Callable[..., Any]],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A failed write of the result is tried again, so the run does not look stuck."""
        monkeypatch.setattr(collect_runs_module, "FINAL_WRITE_RETRY_S", 0.0)
        gate, factory = gated_threads
        flaky = FlakyUnitsOfWork(harness.uow_factory)
        runs = _process(harness, uow_factory=flaky, thread_factory=factory)
        run = runs.start(Source.WATCH_FEED, pages=1)
        harness.sandbox.faults.maintenance = True  # the run fails at once: first, then final
        harness.sandbox.faults.maintenance_retry_after_s = 100_000
        flaky.failures = 3  # the first snapshot and the first two tries of the result

        gate.set()
        final = runs.wait(run.run_id, timeout=30)

        assert final.state == FAILED
        assert final.finished_at is not None


class TestPruning:
    def test_old_runs_of_a_source_are_forgotten(
        self, harness: Harness, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Only the newest runs per source are kept, so the table never grows without bound."""
        monkeypatch.setattr(collect_runs_module, "KEPT_PER_SOURCE", 2)
        ids = []
        for _ in range(3):
            run = harness.runs.start(Source.GLOBAL_FEED, pages=1)
            harness.runs.wait(run.run_id, timeout=30)
            harness.clock.advance(1)
            ids.append(run.run_id)

        assert [r.run_id for r in harness.runs.recent()] == ids[:0:-1]
        with pytest.raises(NotFound):
            harness.runs.get(ids[0])
