"""A database made by the previous release (revision 0004) upgrades to 0005 in place.

The global feed moved from `browse/newest` to `browse/home`: its queue rows, logs
and settings carry over, its old cursor is dropped, the watch feed's is kept.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from fixtures.postgres_server import PostgresServer
from photomanager.domain.models import QueueStatus, Source, SourceKind
from photomanager.storage.engine import create_engine_for
from photomanager.storage.migrate import alembic_config, current_revision, head_revision
from photomanager.storage.unit_of_work import sql_unit_of_work_factory

T0 = "2026-11-20 10:00:00+00:00"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def old_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database migrated to 0004, the schema of the previous release."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        name = None
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = f"old_{uuid.uuid4().hex}"
        url = server.create_database(name)
    engine = create_engine_for(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0004")
        yield engine
    finally:
        engine.dispose()
        if name is not None:
            request.getfixturevalue("postgres_server").drop_database(name)


def _fill_0004(engine: Engine) -> None:
    """Rows as release 0004 wrote them: both feeds, a log, settings, two cursors."""
    settings = {"review_sources": ["global_feed"], "max_per_day": 150, "dry_run": False}
    with engine.begin() as conn:
        for deviationid, source, status in (
            ("G-PENDING", "global_feed", "pending"),
            ("G-DONE", "global_feed", "commented"),
            ("W-PENDING", "watch_feed", "pending"),
        ):
            conn.execute(
                text(
                    "INSERT INTO deviation_comment_queue "
                    "(deviationid, source, ts, status, attempts, title, updated_at) "
                    "VALUES (:id, :source, :ts, :status, 0, 'A title', :ts)"
                ),
                {"id": deviationid, "source": source, "ts": T0, "status": status},
            )
        conn.execute(
            text(
                "INSERT INTO deviation_comment_logs (deviationid, status, body, sent_at) "
                "VALUES ('G-DONE', 'sent', 'Lovely!', :ts), ('GONE', 'failed', NULL, :ts)"
            ),
            {"ts": T0},
        )
        conn.execute(
            text(
                "INSERT INTO feed_state (source, newest_deviationid, newest_ts, backfill_offset, "
                "updated_at) VALUES ('global_feed', 'G-DONE', :ts, 0, :ts), "
                "('watch_feed', 'W-PENDING', :ts, 0, :ts)"
            ),
            {"ts": T0},
        )
        conn.execute(
            text("INSERT INTO comment_settings (id, data, updated_at) VALUES (1, :data, :ts)"),
            {"data": json.dumps(settings), "ts": T0},
        )


class TestUpgradeFromThePreviousRelease:
    def test_rows_logs_and_settings_carry_over(self, old_engine: Engine) -> None:
        """Queue rows keep their source and state; logs gain the source; settings keep values."""
        _fill_0004(old_engine)
        with old_engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        assert current_revision(old_engine) == head_revision()
        uow_factory = sql_unit_of_work_factory(old_engine)
        with uow_factory(read_only=True) as uow:
            pending = uow.queue.get("G-PENDING")
            assert pending is not None
            assert pending.source is Source.GLOBAL_FEED
            assert pending.status is QueueStatus.PENDING
            assert pending.enriched_at is None  # the worker reads its metadata first
            assert uow.queue.get_stats()[QueueStatus.COMMENTED] == 1
            settings = uow.settings.get()
            entries, _ = uow.logs.list_page(status=None, since=None, limit=10, cursor=None)
        assert settings.max_per_day == 150
        assert settings.review_sources == (SourceKind.GLOBAL_FEED, SourceKind.TAGS)
        sources = {entry.deviationid: entry.source for entry in entries}
        assert sources == {"G-DONE": Source.GLOBAL_FEED, "GONE": None}

    def test_the_old_global_cursor_is_dropped(self, old_engine: Engine) -> None:
        """browse/newest's cursor is gone (the first run starts at the top of browse/home);
        the watch feed's cursor is kept and marked as its endpoint's."""
        _fill_0004(old_engine)
        with old_engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with sql_unit_of_work_factory(old_engine)(read_only=True) as uow:
            global_state = uow.feed_state.get(Source.GLOBAL_FEED)
            watch_state = uow.feed_state.get(Source.WATCH_FEED)
        assert global_state.newest_deviationid is None
        assert global_state.path is None
        assert watch_state.newest_deviationid == "W-PENDING"
        assert watch_state.path == "browse/deviantsyouwatch"

    def test_a_long_tag_source_fits(self, old_engine: Engine) -> None:
        """After the upgrade a `tag:` source of a 50-character tag is stored whole."""
        with old_engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        source = Source.tag("a" * 50)
        with old_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO deviation_comment_queue "
                    "(deviationid, source, ts, status, attempts, updated_at) "
                    "VALUES ('T', :source, :ts, 'pending', 0, :ts)"
                ),
                {"source": source.value, "ts": T0},
            )
        with sql_unit_of_work_factory(old_engine)(read_only=True) as uow:
            item = uow.queue.get("T")
        assert item is not None
        assert item.source == source
