"""Per-status counters stay equal to a real COUNT(*) whatever writes the queue."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, text

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import Claim, QueueStatus
from photomanager.storage.engine import create_engine_for
from photomanager.storage.migrate import alembic_config, upgrade_database
from photomanager.storage.tables import queue, queue_counts
from photomanager.storage.unit_of_work import SqlUnitOfWork

POOL = 60  # ids the walk draws from: small, so re-adds, removals and clears collide often


def _real_counts(uow: SqlUnitOfWork) -> dict[QueueStatus, int]:
    counts = dict.fromkeys(QueueStatus, 0)
    rows = uow.connection.execute(select(queue.c.status, func.count()).group_by(queue.c.status))
    for status, n in rows:
        counts[QueueStatus(status)] = int(n)
    return counts


def _random_walk(uow: SqlUnitOfWork, seed: int, steps: int) -> set[str]:
    """Apply `steps` random queue operations; returns the names of those that ran."""
    rng = random.Random(seed)
    claims: list[Claim] = []
    ran: set[str] = set()
    now = NOW
    for _ in range(steps):
        now += timedelta(seconds=1)
        op = rng.choice(
            [
                "add",
                "add",
                "claim",
                "claim",
                "outcome",
                "outcome",
                "outcome",
                "review",
                "unknown",
                "reset",
                "requeue",
                "remove",
                "clear",
                "expire",
                "commit",
            ]
        )
        queue_repo = uow.queue
        if op == "add":
            start = rng.randrange(POOL)
            items = new_items(POOL, now, prefix="w")[start : start + rng.randint(1, 12)]
            if rng.random() < 0.2:
                uow.ledger.add(f"w-{rng.randrange(POOL):06d}", now)
            queue_repo.add_many(items, now)
        elif op == "claim":
            claim = queue_repo.claim_one_pending(now)
            if claim is not None:
                claims.append(claim)
        elif op == "outcome" and claims:
            claim = claims.pop(rng.randrange(len(claims)))
            outcome = rng.choice(
                ["commented", "failed", "retry", "unknown", "release", "review", "skipped"]
            )
            op = f"mark_{outcome}"
            if outcome == "commented":
                queue_repo.mark_commented(
                    claim, commentid="c", message_id=None, body_hash="h", body="b", now=now
                )
            elif outcome == "failed":
                queue_repo.mark_failed(claim, "404", now)
            elif outcome == "retry":
                queue_repo.mark_retry(claim, "503", now, now)
            elif outcome == "unknown":
                queue_repo.mark_unknown(claim, "read timeout", now)
            elif outcome == "release":
                queue_repo.release(claim, now)
            elif outcome == "review":
                queue_repo.mark_awaiting_review(
                    claim, message_id=None, body_hash="h", body="b", now=now
                )
            else:
                queue_repo.mark_skipped(claim, "dry run", now)
        elif op == "review":
            waiting, _ = queue_repo.list_page(QueueStatus.AWAITING_REVIEW, 5, None)
            for item in waiting:
                if rng.random() < 0.5:
                    queue_repo.approve(item.deviationid, "b", "h", now)
                else:
                    queue_repo.skip_review(item.deviationid, "dry run", now)
        elif op == "unknown":
            for item in queue_repo.list_unknown(3):
                reconciled = queue_repo.claim_unknown(item.deviationid, now)
                if reconciled is not None:
                    queue_repo.resolve_unknown_pending(reconciled, now)
        elif op == "reset":
            queue_repo.reset_failed_to_pending(now)
        elif op == "requeue":
            queue_repo.requeue_skipped("dry run", now)
        elif op == "remove":
            queue_repo.remove([f"w-{rng.randrange(POOL):06d}" for _ in range(rng.randint(1, 8))])
        elif op == "clear":
            queue_repo.clear(rng.choice([None, *QueueStatus]))
        elif op == "expire":
            queue_repo.expire_claims(now - timedelta(seconds=rng.randint(0, 20)), now)
        elif op == "commit":
            uow.commit()
        else:
            continue
        ran.add(op)
        assert queue_repo.get_stats() == _real_counts(uow), f"after {op} (seed {seed})"
    return ran


class TestCountsFollowEveryWrite:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_random_walk_keeps_counts_exact(self, uow: SqlUnitOfWork, seed: int) -> None:
        """After every repository operation the counters equal COUNT(*) GROUP BY status."""
        ran = _random_walk(uow, seed, steps=300)

        assert {"add", "claim", "mark_commented", "remove", "clear", "reset"} <= ran

    def test_random_walk_on_create_all_schema(
        self, memory_uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """The schema of `metadata.create_all` (in-memory SQLite) counts the same way."""
        with memory_uow_factory() as uow:
            _random_walk(uow, seed=4, steps=150)

            assert sum(uow.queue.get_stats().values()) == sum(_real_counts(uow).values())

    def test_rollback_restores_counts(self, uow_factory: Callable[[], SqlUnitOfWork]) -> None:
        """Counters are written in the same transaction: a rollback undoes them too."""
        with uow_factory() as uow:
            uow.queue.add_many(new_items(4, NOW), NOW)
            uow.commit()
        with uow_factory() as uow:
            uow.queue.add_many(new_items(9, NOW, prefix="more"), NOW)
            uow.queue.claim_one_pending(NOW)
            uow.queue.clear(QueueStatus.PENDING)
            # leaving without commit rolls back

        with uow_factory() as uow:
            assert uow.queue.get_stats()[QueueStatus.PENDING] == 4
            assert uow.queue.get_stats() == _real_counts(uow)

    def test_hand_written_sql_is_counted(self, uow: SqlUnitOfWork) -> None:
        """Inserts, status updates and deletes outside the repository move the counters."""
        uow.queue.add_many(new_items(5, NOW), NOW)
        conn = uow.connection

        conn.execute(
            queue.update().where(queue.c.deviationid == "dev-000000").values(status="failed")
        )
        conn.execute(queue.delete().where(queue.c.deviationid == "dev-000001"))
        conn.execute(
            queue.insert().values(
                deviationid="raw", source="watch_feed", ts=NOW, status="skipped", updated_at=NOW
            )
        )

        stats = uow.queue.get_stats()
        assert (stats[QueueStatus.PENDING], stats[QueueStatus.FAILED]) == (3, 1)
        assert stats[QueueStatus.SKIPPED] == 1
        assert stats == _real_counts(uow)

    def test_update_without_status_change_keeps_counts(self, uow: SqlUnitOfWork) -> None:
        """Recording a body on a claimed row changes no counter."""
        uow.queue.add_many(new_items(2, NOW), NOW)
        claim = uow.queue.claim_one_pending(NOW)
        assert claim is not None

        uow.queue.mark_sending_body(claim, message_id=None, body_hash="h", body="b", now=NOW)

        stats = uow.queue.get_stats()
        assert (stats[QueueStatus.PENDING], stats[QueueStatus.SENDING]) == (1, 1)


class TestCounterRows:
    def test_every_status_has_a_counter_row(self, uow: SqlUnitOfWork) -> None:
        """A migrated database has one counter row per status, all zero when empty."""
        rows = dict(uow.connection.execute(select(queue_counts.c.status, queue_counts.c.n)).all())

        assert rows == {status.value: 0 for status in QueueStatus}

    def test_create_all_seeds_every_status(
        self, memory_uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """`metadata.create_all` seeds the counters too (the in-memory test database)."""
        with memory_uow_factory() as uow:
            statuses = set(uow.connection.execute(select(queue_counts.c.status)).scalars())

        assert statuses == {status.value for status in QueueStatus}


class TestMigration:
    def test_upgrade_counts_rows_already_queued(self, tmp_path: Path) -> None:
        """Migrating a database that already holds a queue seeds the counters from it."""
        engine: Engine = create_engine_for(f"sqlite:///{tmp_path / 'old.db'}")
        try:
            upgrade_database(engine, "0001")
            with engine.begin() as conn:
                for i, status in enumerate(["pending", "pending", "commented", "failed"]):
                    conn.execute(
                        text(
                            "INSERT INTO deviation_comment_queue "
                            "(deviationid, source, ts, status, updated_at) "
                            "VALUES (:d, 'watch_feed', '2025-01-01 00:00:00', :s, "
                            "'2025-01-01 00:00:00')"
                        ),
                        {"d": f"old-{i}", "s": status},
                    )

            upgrade_database(engine)

            with engine.connect() as conn:
                rows = dict(conn.execute(select(queue_counts.c.status, queue_counts.c.n)).all())
            assert (rows["pending"], rows["commented"], rows["failed"], rows["sending"]) == (
                2,
                1,
                1,
                0,
            )
        finally:
            engine.dispose()

    def test_downgrade_drops_counters_and_triggers(self, engine: Engine) -> None:
        """Downgrading to 0001 removes the table and the triggers (the queue still works)."""
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0001")

        with engine.begin() as conn:
            conn.execute(
                queue.insert().values(
                    deviationid="after", source="watch_feed", ts=NOW, updated_at=NOW
                )
            )
            count = conn.execute(select(func.count()).select_from(queue)).scalar_one()
        assert count == 1
