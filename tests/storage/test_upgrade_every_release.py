"""A database made by any earlier release upgrades to the newest schema without loss.

For every revision in the migrations folder (found by walking the script
directory, so a migration added later is covered the day it lands; the
newest one too, which proves its fill before a later migration needs it):
build a blank database at that revision, fill it with rows in every state
through raw SQL that fits that revision, upgrade to head, and read it back
through the repositories: every row is there and means what it meant.

A revision without a fill function fails with a message saying to add one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, func, select, text

from fixtures.postgres_server import PostgresServer
from photomanager.domain.errors import DatabaseTooNew
from photomanager.domain.models import (
    LogStatus,
    NewQueueItem,
    QueueStatus,
    Source,
    SourceKind,
    WorkerDesired,
)
from photomanager.storage.engine import create_engine_for
from photomanager.storage.migrate import (
    alembic_config,
    check_database_version,
    current_revision,
    head_revision,
    known_revisions,
    upgrade_database,
)
from photomanager.storage.tables import queue
from photomanager.storage.unit_of_work import sql_unit_of_work_factory

NOW = datetime(2026, 1, 10, 12, 0, 0, 250000, tzinfo=UTC)
HEAD = head_revision()
# Every revision, the newest too: its fill is then proven before a later migration needs it.
REVISIONS = known_revisions()

# One queue row per status, as a worker and the artist leave them.
QUEUE_ROWS: dict[str, QueueStatus] = {status.value: status for status in QueueStatus}
COMMENTED_ID = "commented"
SETTINGS = {"max_per_hour": 12, "exclude_authors": ["spam"], "review_sources": ["global_feed"]}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty (never migrated) database, on each backend."""
    if request.param == "sqlite":
        engine = create_engine_for(f"sqlite:///{tmp_path / 'old.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"upgrade_{uuid.uuid4().hex}"
    engine = create_engine_for(server.create_database(name))
    try:
        yield engine
    finally:
        engine.dispose()
        server.drop_database(name)


def _at(conn: Connection, moment: datetime) -> datetime:
    """A timestamp as that revision stored it (SQLite: naive UTC text)."""
    return moment.replace(tzinfo=None) if conn.dialect.name == "sqlite" else moment


def _insert(conn: Connection, table: str, **values: Any) -> None:
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)  # noqa: S608


def fill_0001(conn: Connection) -> None:
    """The initial schema: templates, a queue row per status, log, ledger, tokens, settings."""
    _insert(
        conn,
        "deviation_comment_messages",
        message_id=1,
        title="Friendly",
        body="{Nice|Great} work, {{author}}!",
        is_active=True,
        created_at=_at(conn, NOW - timedelta(days=30)),
        updated_at=_at(conn, NOW - timedelta(days=30)),
    )
    for n, (deviationid, status) in enumerate(QUEUE_ROWS.items()):
        in_flight = status in (QueueStatus.SENDING, QueueStatus.UNKNOWN)
        has_body = status not in (QueueStatus.PENDING,)
        _insert(
            conn,
            "deviation_comment_queue",
            deviationid=deviationid,
            source=Source.WATCH_FEED.value,
            ts=_at(conn, NOW - timedelta(hours=n)),
            status=status.value,
            attempts=1 if status is QueueStatus.FAILED else 0,
            last_error="gone" if status is QueueStatus.FAILED else None,
            author=f"author{n}",
            title=f"Title {n}",
            url=f"https://www.deviantart.com/a/art/{deviationid}",
            claimed_at=_at(conn, NOW) if in_flight else None,
            claim_token="token" if status is QueueStatus.SENDING else None,
            commentid="c-1" if status is QueueStatus.COMMENTED else None,
            message_id=1 if has_body else None,
            body_hash="hash" if has_body else None,
            body="Nice work, author!" if has_body else None,
            updated_at=_at(conn, NOW - timedelta(minutes=n)),
        )
    _insert(
        conn,
        "commented_deviations",
        deviationid=COMMENTED_ID,
        commented_at=_at(conn, NOW),
        author="author3",
    )
    for log_id, status in enumerate((LogStatus.SENT, LogStatus.FAILED, LogStatus.UNKNOWN), 1):
        _insert(
            conn,
            "deviation_comment_logs",
            log_id=log_id,
            deviationid=COMMENTED_ID if status is LogStatus.SENT else status.value,
            message_id=1,
            commentid="c-1" if status is LogStatus.SENT else None,
            status=status.value,
            body="Nice work, author!",
            error_message=None if status is LogStatus.SENT else "boom",
            sent_at=_at(conn, NOW - timedelta(minutes=log_id)),
        )
    _insert(
        conn,
        "feed_state",
        source=Source.WATCH_FEED.value,
        newest_deviationid="pending",
        newest_ts=_at(conn, NOW),
        backfill_offset=0,
        updated_at=_at(conn, NOW),
    )
    _insert(
        conn,
        "oauth_tokens",
        id=1,
        access_token="access",
        refresh_token="refresh",
        expires_at=_at(conn, NOW + timedelta(hours=1)),
        scope="browse comment.post user",
        userid="u-1",
        username="artist",
    )
    _insert(
        conn,
        "comment_settings",
        id=1,
        data=json.dumps(SETTINGS),
        updated_at=_at(conn, NOW),
    )
    _insert(
        conn,
        "worker_control",
        id=1,
        desired=WorkerDesired.RUNNING.value,
        state="waiting",
        reason="waiting 60 s (pacing)",
        consecutive_failures=2,
        heartbeat_at=_at(conn, NOW),
        updated_at=_at(conn, NOW),
        confirmed_unreviewed=True,
    )


def fill_0003(conn: Connection) -> None:
    """0003 added never-twice columns: an approved pending row, an unknown row's grace."""
    fill_0001(conn)
    conn.execute(
        text("UPDATE deviation_comment_queue SET approved_at = :at WHERE deviationid = 'pending'"),
        {"at": _at(conn, NOW)},
    )
    conn.execute(
        text(
            "UPDATE deviation_comment_queue SET unknown_since = :at, reconcile_checked_at = :at "
            "WHERE deviationid = 'unknown'"
        ),
        {"at": _at(conn, NOW)},
    )


def fill_0004(conn: Connection) -> None:
    """0004 added collect runs: one finished, one still marked running."""
    fill_0003(conn)
    for run_id, state in (("run-done", "done"), ("run-live", "running")):
        _insert(
            conn,
            "collect_runs",
            run_id=run_id,
            source=Source.WATCH_FEED.value,
            state=state,
            pages_requested=3,
            pages_done=3 if state == "done" else 1,
            found=40,
            new=12,
            filtered=json.dumps({"mature": 3}),
            stopped_because="end of feed" if state == "done" else None,
            started_at=_at(conn, NOW - timedelta(minutes=5)),
            finished_at=_at(conn, NOW) if state == "done" else None,
            heartbeat_at=_at(conn, NOW),
        )


TAG_ROW = "tagged"
TAG_SOURCE = "tag:dragons"


def fill_0005(conn: Connection) -> None:
    """0005 added tag feeds and metadata: a tag-feed row read and enriched, sources on logs."""
    fill_0004(conn)
    _insert(
        conn,
        "deviation_comment_queue",
        deviationid=TAG_ROW,
        source=TAG_SOURCE,
        ts=_at(conn, NOW - timedelta(days=1)),
        status=QueueStatus.PENDING.value,
        attempts=0,
        author="dragonfan",
        title="Red dragon",
        tags="dragon fantasy",
        language="en",
        enriched_at=_at(conn, NOW),
        updated_at=_at(conn, NOW),
    )
    conn.execute(
        text("UPDATE deviation_comment_logs SET source = :source"),
        {"source": Source.WATCH_FEED},
    )
    conn.execute(text("UPDATE feed_state SET path = 'browse/deviantsyouwatch'"))
    _insert(
        conn,
        "feed_state",
        source=TAG_SOURCE,
        newest_deviationid=TAG_ROW,
        newest_ts=_at(conn, NOW),
        backfill_offset=0,
        updated_at=_at(conn, NOW),
        path="browse/tags",
    )
    conn.execute(
        text("UPDATE comment_settings SET data = :data"),
        {"data": json.dumps({**SETTINGS, **SETTINGS_0005})},
    )


def fill_0006(conn: Connection) -> None:
    """0006 added the record of the last housekeeping pass."""
    fill_0005(conn)
    _insert(
        conn,
        "housekeeping",
        id=1,
        ran_at=_at(conn, NOW),
        trigger="worker",
        removed=json.dumps({"pending": 4, "commented": 1}),
        logs_removed=2,
        complete=False,
    )


def fill_0007(conn: Connection) -> None:
    """0007 added the waits every process obeys (pacing_penalties)."""
    fill_0006(conn)
    _insert(
        conn,
        "pacing_penalties",
        scope="edge",
        not_before=_at(conn, NOW + timedelta(minutes=5)),
        reason="DeviantArt's network refused this machine",
        streak=2,
        updated_at=_at(conn, NOW),
    )
    _insert(conn, "pacing_penalties", scope="pace", reason="", spacing_s=1.75, streak=0)


def fill_0008(conn: Connection) -> None:
    """0008 added the inbox, its credits and answers, the poll row and the daily figures."""
    fill_0007(conn)
    sent_at = NOW - timedelta(minutes=1)  # the sent log entry of fill_0001
    conn.execute(text("UPDATE deviation_comment_logs SET author = 'author3' WHERE log_id = 1"))
    _insert(
        conn,
        "inbox_messages",
        inbox_id=1,
        messageid="m-1",
        type="feedback.reply",
        kind="reply",
        view="replies",
        status="answered",
        received_at=_at(conn, NOW),
        originator_username="fan",
        deviationid=COMMENTED_ID,
        commentid="r-1",
        parentid="c-1",
        body="<b>thanks</b>",
        our_commentid="c-1",
        stored_at=_at(conn, NOW),
    )
    _insert(
        conn,
        "outcome_credits",
        messageid="m-1",
        kind="reply",
        log_id=1,
        commentid="c-1",
        message_id=1,
        comment_sent_at=_at(conn, sent_at),
        credited_at=_at(conn, NOW),
    )
    _insert(
        conn,
        "outcome_counts",
        day=sent_at.date().isoformat(),
        template_key=1,
        source="",
        comments=1,
        replies=1,
    )
    _insert(
        conn,
        "inbox_answers",
        inbox_id=1,
        state="sent",
        body="thank you!",
        commentid="a-1",
        claimed_at=_at(conn, NOW),
        updated_at=_at(conn, NOW),
    )
    _insert(conn, "inbox_poll", id=1, newest_messageid="m-1", found=1, new=1, credited=1)


THUMBNAIL = "https://images-wixmp-ed30a86b8c4ca887773594c2.wixmp.com/f/red-dragon.jpg"


def fill_0009(conn: Connection) -> None:
    """0009 added a thumbnail per queued deviation (the tag-feed row has one)."""
    fill_0008(conn)
    conn.execute(
        text("UPDATE deviation_comment_queue SET thumbnail_url = :url WHERE deviationid = :id"),
        {"url": THUMBNAIL, "id": TAG_ROW},
    )


SETTINGS_0005 = {
    "review_sources": ["global_feed", "tags"],
    "tags": ["dragons"],
    "languages": ["en", "de"],
}

# 0002 only added counters kept by triggers: its data is 0001's.
FILLS: dict[str, Callable[[Connection], None]] = {
    "0001": fill_0001,
    "0002": fill_0001,
    "0003": fill_0003,
    "0004": fill_0004,
    "0005": fill_0005,
    "0006": fill_0006,
    "0007": fill_0007,
    "0008": fill_0008,
    "0009": fill_0009,
    "0010": fill_0009,  # 0010 only set PostgreSQL's autovacuum of inbox_messages
}


def _fill_for(revision: str) -> Callable[[Connection], None]:
    fill = FILLS.get(revision)
    if fill is None:
        pytest.fail(
            f"no fill function for migration {revision}: add one to FILLS in {__name__} "
            "(rows in every state that revision can hold), so upgrades from it are proven",
            pytrace=False,
        )
    return fill


def _build_at(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    with engine.begin() as conn:
        _fill_for(revision)(conn)


@pytest.mark.parametrize("revision", REVISIONS)
class TestUpgradeFromEveryRelease:
    def test_every_row_survives_with_its_meaning(self, blank_engine: Engine, revision: str) -> None:
        """Queue rows keep their status and text, the ledger still blocks a re-queue."""
        _build_at(blank_engine, revision)

        upgrade_database(blank_engine)

        assert current_revision(blank_engine) == HEAD
        factory = sql_unit_of_work_factory(blank_engine)
        with factory() as uow:
            for deviationid, status in QUEUE_ROWS.items():
                item = uow.queue.get(deviationid)
                assert item is not None, deviationid
                assert item.status is status
                assert item.author is not None
            assert uow.queue.get("commented").commentid == "c-1"  # type: ignore[union-attr]
            assert uow.ledger.contains(COMMENTED_ID)
            again = NewQueueItem(deviationid=COMMENTED_ID, source=Source.WATCH_FEED, ts=NOW)
            assert uow.queue.add_many([again], NOW) == 0

    def test_counters_match_the_rows(self, blank_engine: Engine, revision: str) -> None:
        """The per-status counters equal a real count after the upgrade, and stay exact."""
        _build_at(blank_engine, revision)

        upgrade_database(blank_engine)

        factory = sql_unit_of_work_factory(blank_engine)
        with factory() as uow:
            uow.queue.add_many(
                [NewQueueItem(deviationid="later", source=Source.GLOBAL_FEED, ts=NOW)], NOW
            )
            real = dict.fromkeys(QueueStatus, 0)
            rows = uow.connection.execute(
                select(queue.c.status, func.count()).group_by(queue.c.status)
            )
            real.update({QueueStatus(status): int(n) for status, n in rows})
            assert uow.queue.get_stats() == real
            assert real[QueueStatus.PENDING] == (3 if revision >= "0005" else 2)

    def test_log_templates_settings_tokens_and_worker_survive(
        self, blank_engine: Engine, revision: str
    ) -> None:
        """The log, templates, settings (new fields at their defaults), token and worker row."""
        _build_at(blank_engine, revision)

        upgrade_database(blank_engine)

        factory = sql_unit_of_work_factory(blank_engine)
        with factory() as uow:
            entries, _ = uow.logs.list_page(status=None, since=None, limit=10, cursor=None)
            assert sorted(e.status for e in entries) == sorted(
                (LogStatus.SENT, LogStatus.FAILED, LogStatus.UNKNOWN)
            )
            assert [t.title for t in uow.messages.list_all()] == ["Friendly"]
            settings = uow.settings.get()
            assert settings.max_per_hour == 12
            assert settings.exclude_authors == ("spam",)
            # 0005: who reviews the global feed reviews the tag feeds too (same meaning).
            assert set(settings.review_sources) == {SourceKind.GLOBAL_FEED, SourceKind.TAGS}
            assert settings.pending_ttl_days == 7
            token = uow.tokens.get()
            assert token is not None
            assert token.refresh_token == "refresh"
            control = uow.worker_control.get()
            assert control.desired is WorkerDesired.RUNNING
            assert control.confirmed_unreviewed
            assert uow.feed_state.get(Source.WATCH_FEED).newest_deviationid == "pending"
            last = uow.housekeeping.get_last()
            if revision >= "0006":
                assert last is not None
                assert last.removed == {QueueStatus.PENDING: 4, QueueStatus.COMMENTED: 1}
                assert (last.logs, last.complete, last.trigger) == (2, False, "worker")
            else:
                assert last is None

    def test_later_columns_and_tables_keep_their_rows(
        self, blank_engine: Engine, revision: str
    ) -> None:
        """What a revision added (approvals, unknown grace, collect runs) is still there."""
        _build_at(blank_engine, revision)

        upgrade_database(blank_engine)

        factory = sql_unit_of_work_factory(blank_engine)
        with factory() as uow:
            pending = uow.queue.get("pending")
            unknown = uow.queue.get("unknown")
            assert pending is not None
            assert unknown is not None
            has_0003 = revision >= "0003"
            assert (pending.approved_at == NOW) is has_0003
            assert (unknown.unknown_since == NOW) is has_0003
            runs = {run.run_id: run for run in uow.collect_runs.list_recent(10)}
            if revision >= "0004":
                assert runs["run-done"].filtered == {"mature": 3}
                assert runs["run-live"].state == "running"
            else:
                assert runs == {}
            tagged = uow.queue.get(TAG_ROW)
            if revision >= "0005":
                assert tagged is not None
                assert tagged.source == TAG_SOURCE
                assert tagged.tags == ("dragon", "fantasy")
                assert tagged.language == "en"
                assert tagged.enriched_at == NOW
                assert uow.settings.get().tags == ("dragons",)
                assert uow.feed_state.get(Source(TAG_SOURCE)).newest_deviationid == TAG_ROW
                assert tagged.thumbnail_url == (THUMBNAIL if revision >= "0009" else None)
            else:
                assert tagged is None

    def test_shared_waits_keep_their_end_and_streak(
        self, blank_engine: Engine, revision: str
    ) -> None:
        """0007: a wait in force and the learned spacing survive an upgrade."""
        _build_at(blank_engine, revision)

        upgrade_database(blank_engine)

        factory = sql_unit_of_work_factory(blank_engine)
        with factory() as uow:
            waits = uow.penalties.get_many(["edge", "pace"])
        if revision >= "0007":
            assert waits["edge"].not_before == NOW + timedelta(minutes=5)
            assert waits["edge"].streak == 2
            assert waits["pace"].spacing_s == 1.75
        else:
            assert waits == {}

    def test_comments_keep_their_author_and_figures(
        self, blank_engine: Engine, revision: str
    ) -> None:
        """0008: the sent entry learns its deviation's author; its comment is in the figures;
        an inbox item, its credit and its answer survive."""
        _build_at(blank_engine, revision)

        upgrade_database(blank_engine)

        factory = sql_unit_of_work_factory(blank_engine)
        with factory() as uow:
            buckets = uow.outcomes.list_buckets(None, None)
            queued_author = uow.queue.get(COMMENTED_ID).author  # type: ignore[union-attr]
            candidates = uow.inbox.sent_comments(
                commentids=["c-1"], authors=[], since=NOW, until=NOW
            )
            item = uow.inbox.get_item(1)
        assert sum(b.counts.comments for b in buckets) == 1
        assert [c.log_id for c in candidates] == [1]
        if revision >= "0008":
            assert candidates[0].author == "author3"
            assert sum(b.counts.replies for b in buckets) == 1
            assert item is not None
            assert item.our_commentid == "c-1"
            assert item.our_comment_body == "Nice work, author!"
            assert item.answer is not None
            assert item.answer.commentid == "a-1"
        else:
            assert candidates[0].author == queued_author
            assert item is None


class TestNewerDatabase:
    def test_a_database_from_a_newer_release_is_refused(self, blank_engine: Engine) -> None:
        """A revision this version does not know: DatabaseTooNew, saying what to do."""
        upgrade_database(blank_engine)
        with blank_engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))

        with pytest.raises(DatabaseTooNew, match="newer photomanager"):
            upgrade_database(blank_engine)
        with pytest.raises(DatabaseTooNew, match="9999"):
            check_database_version(blank_engine)

    def test_a_known_database_passes_the_check(self, blank_engine: Engine) -> None:
        """A database at this version's head is not refused."""
        upgrade_database(blank_engine)

        check_database_version(blank_engine)

        assert current_revision(blank_engine) == HEAD
