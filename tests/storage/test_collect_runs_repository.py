"""Collect runs in the database: one running run per source, fenced writes, pruning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from alembic import command
from sqlalchemy import Engine, inspect

from fixtures.database import FIXED_NOW as NOW
from photomanager.domain.models import CollectProgress, Source
from photomanager.storage.migrate import alembic_config, current_revision, upgrade_database
from photomanager.storage.unit_of_work import SqlUnitOfWork

WATCH, GLOBAL = Source.WATCH_FEED, Source.GLOBAL_FEED


def _run(
    run_id: str, source: Source = WATCH, *, state: str = "running", at: timedelta = timedelta()
) -> CollectProgress:
    """A run started (and last heard of) `at` after NOW."""
    return CollectProgress(
        run_id=run_id,
        source=source,
        state=state,
        pages_requested=3,
        started_at=NOW + at,
        heartbeat_at=NOW + at,
        finished_at=None if state == "running" else NOW + at,
    )


def _ended(run: CollectProgress, state: str = "done") -> CollectProgress:
    return replace(run, state=state, finished_at=run.heartbeat_at, stopped_because="end of feed")


class TestAddRunning:
    def test_a_run_round_trips(self, uow: SqlUnitOfWork) -> None:
        """Every field of a stored run reads back as written."""
        run = replace(_run("r1"), pages_done=2, found=90, new=40, filtered={"mature": 50})

        assert uow.collect_runs.add_running(run) is True

        assert uow.collect_runs.get("r1") == run
        assert uow.collect_runs.get("nope") is None

    def test_a_second_running_run_of_a_source_is_refused(self, uow: SqlUnitOfWork) -> None:
        """The same source cannot have two running runs; the transaction stays usable."""
        uow.collect_runs.add_running(_run("r1"))

        assert uow.collect_runs.add_running(_run("r2")) is False
        assert uow.collect_runs.add_running(_run("g1", GLOBAL)) is True
        assert {r.run_id for r in uow.collect_runs.list_running()} == {"r1", "g1"}
        assert uow.collect_runs.get("r2") is None

    def test_ended_runs_do_not_block_a_new_one(self, uow: SqlUnitOfWork) -> None:
        """Once the running run of a source ended, the source can run again."""
        first = _run("r1")
        uow.collect_runs.add_running(first)
        uow.collect_runs.save_progress(_ended(first))

        assert uow.collect_runs.add_running(_run("r2", at=timedelta(seconds=1))) is True

    def test_the_refusal_holds_across_connections(
        self, uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """A run committed by one process blocks the same source in another."""
        with uow_factory() as first:
            first.collect_runs.add_running(_run("r1"))
            first.commit()

        with uow_factory() as second:
            refused = second.collect_runs.add_running(_run("r2"))
            second.commit()

        assert refused is False


class TestProgress:
    def test_progress_of_a_running_run_is_written(self, uow: SqlUnitOfWork) -> None:
        """save_progress updates counters, state and heartbeat of a running run."""
        run = _run("r1")
        uow.collect_runs.add_running(run)
        later = NOW + timedelta(seconds=5)
        progress = replace(
            run, pages_done=1, found=50, new=12, filtered={"already_queued": 38}, heartbeat_at=later
        )

        assert uow.collect_runs.save_progress(progress) is True

        assert uow.collect_runs.get("r1") == progress

    def test_an_ended_run_is_never_written_again(self, uow: SqlUnitOfWork) -> None:
        """Progress and heartbeats of a run ended elsewhere change nothing and say so."""
        run = _run("r1")
        uow.collect_runs.add_running(run)
        ended = _ended(run, "interrupted")
        uow.collect_runs.save_progress(ended)

        assert uow.collect_runs.save_progress(replace(run, pages_done=3)) is False
        assert uow.collect_runs.touch("r1", NOW + timedelta(minutes=1)) is False
        assert uow.collect_runs.get("r1") == ended

    def test_touch_refreshes_only_the_heartbeat(self, uow: SqlUnitOfWork) -> None:
        """A heartbeat moves heartbeat_at and nothing else."""
        run = _run("r1")
        uow.collect_runs.add_running(run)
        later = NOW + timedelta(seconds=15)

        assert uow.collect_runs.touch("r1", later) is True

        assert uow.collect_runs.get("r1") == replace(run, heartbeat_at=later)


class TestInterruptStale:
    def test_stale_running_runs_of_the_source_end(self, uow: SqlUnitOfWork) -> None:
        """A running run with an old heartbeat ends at that heartbeat, with the reason."""
        uow.collect_runs.add_running(_run("old"))

        ended = uow.collect_runs.interrupt_stale(
            WATCH,
            heartbeat_before=NOW + timedelta(minutes=2),
            keep=(),
            state="interrupted",
            error="the process running it stopped",
        )

        assert ended == 1
        stored = uow.collect_runs.get("old")
        assert stored is not None
        assert (stored.state, stored.error, stored.finished_at) == (
            "interrupted",
            "the process running it stopped",
            NOW,
        )
        assert uow.collect_runs.add_running(_run("new", at=timedelta(minutes=3))) is True

    def test_fresh_kept_and_other_sources_stay_running(self, uow: SqlUnitOfWork) -> None:
        """Fresh heartbeats, runs the caller keeps and other sources are left alone."""
        uow.collect_runs.add_running(_run("fresh", at=timedelta(minutes=5)))
        uow.collect_runs.add_running(_run("other", GLOBAL))

        ended = uow.collect_runs.interrupt_stale(
            WATCH, heartbeat_before=NOW + timedelta(minutes=4), keep=(), state="x", error="x"
        )
        kept = uow.collect_runs.interrupt_stale(
            WATCH,
            heartbeat_before=NOW + timedelta(minutes=9),
            keep={"fresh"},
            state="x",
            error="x",
        )

        assert (ended, kept) == (0, 0)
        assert {r.run_id for r in uow.collect_runs.list_running()} == {"fresh", "other"}


class TestListing:
    def test_running_and_recent_newest_first(self, uow: SqlUnitOfWork) -> None:
        """list_running holds the running runs; list_recent the newest runs of any state."""
        for i in range(5):
            run = _run(f"w{i}", at=timedelta(minutes=i))
            uow.collect_runs.add_running(run)
            uow.collect_runs.save_progress(_ended(run))
        uow.collect_runs.add_running(_run("g", GLOBAL, at=timedelta(minutes=10)))

        assert [r.run_id for r in uow.collect_runs.list_running()] == ["g"]
        assert [r.run_id for r in uow.collect_runs.list_recent(3)] == ["g", "w4", "w3"]


class TestPrune:
    def test_keeps_the_newest_runs_of_the_source(self, uow: SqlUnitOfWork) -> None:
        """Pruning drops ended runs beyond the newest `keep` of that source only."""
        for i in range(6):
            run = _run(f"w{i}", at=timedelta(minutes=i))
            uow.collect_runs.add_running(run)
            uow.collect_runs.save_progress(_ended(run))
        old_global = _run("g", GLOBAL, at=timedelta(minutes=-10))
        uow.collect_runs.add_running(old_global)
        uow.collect_runs.save_progress(_ended(old_global))

        removed = uow.collect_runs.prune(WATCH, keep=2)

        assert removed == 4
        assert [r.run_id for r in uow.collect_runs.list_recent(10)] == ["w5", "w4", "g"]

    def test_running_runs_are_never_pruned(self, uow: SqlUnitOfWork) -> None:
        """A run still running survives pruning however old it is."""
        for i in range(3):
            run = _run(f"w{i}", at=timedelta(minutes=i))
            uow.collect_runs.add_running(run)
            uow.collect_runs.save_progress(_ended(run))
        uow.collect_runs.add_running(_run("running", at=timedelta(minutes=-60)))

        removed = uow.collect_runs.prune(WATCH, keep=1)

        assert removed == 2
        assert {r.run_id for r in uow.collect_runs.list_recent(10)} == {"running", "w2"}

    def test_nothing_to_prune(self, uow: SqlUnitOfWork) -> None:
        """Fewer runs than `keep` remove nothing."""
        uow.collect_runs.add_running(_run("r1"))

        assert uow.collect_runs.prune(WATCH, keep=5) == 0


class TestMigration:
    def test_downgrade_and_upgrade_again(self, engine: Engine) -> None:
        """0004 can be undone (the table goes) and redone (it comes back, at head)."""
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
        assert "collect_runs" not in inspect(engine).get_table_names()
        assert current_revision(engine) == "0003"

        upgrade_database(engine)

        assert "collect_runs" in inspect(engine).get_table_names()
        indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("collect_runs")}
        assert indexes["uq_collect_runs_running_source"]["unique"]
