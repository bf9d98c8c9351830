"""Engine setup (SQLite pragmas, UTC datetimes, hidden parameters) and the unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, exc, insert

from fixtures.database import FIXED_NOW as NOW
from fixtures.database import new_items
from photomanager.domain.models import NewQueueItem, OAuthToken, QueueStatus, Source
from photomanager.storage.engine import create_engine_for, default_database_url
from photomanager.storage.repositories import TokenRepository
from photomanager.storage.repositories.tokens import TokenStorageError
from photomanager.storage.tables import oauth_tokens
from photomanager.storage.unit_of_work import SqlUnitOfWork


class TestSqliteEngine:
    def test_file_database_pragmas(self, tmp_path: Path) -> None:
        """A file database runs in WAL with foreign keys and a 30 s busy timeout."""
        engine = create_engine_for(f"sqlite:///{tmp_path / 'f.db'}")
        try:
            with engine.connect() as conn:
                pragmas = {
                    name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "foreign_keys", "busy_timeout")
                }
        finally:
            engine.dispose()

        assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}

    def test_memory_database_is_shared_between_units_of_work(
        self, memory_uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """In-memory SQLite keeps one connection, so committed rows stay visible."""
        with memory_uow_factory() as uow:
            uow.queue.add_many(new_items(3, NOW), NOW)
            uow.commit()

        with memory_uow_factory() as uow:
            assert uow.queue.get_stats()[QueueStatus.PENDING] == 3

    def test_default_url_is_a_file_in_the_data_dir(self, tmp_path: Path) -> None:
        """The default database is photomanager.db inside the data directory."""
        assert default_database_url(tmp_path) == f"sqlite:///{tmp_path / 'photomanager.db'}"

    def test_plain_postgresql_urls_use_psycopg(self) -> None:
        """postgresql:// URLs are served by psycopg 3 (the driver we ship)."""
        engine = create_engine_for("postgresql://user@localhost/db")

        assert engine.dialect.driver == "psycopg"
        engine.dispose()


class TestUtcDateTime:
    def test_other_offsets_come_back_as_utc(self, uow: SqlUnitOfWork) -> None:
        """An aware datetime in another zone is stored as the same instant, read as UTC."""
        paris = timezone(timedelta(hours=2))
        local = datetime(2025, 6, 1, 14, 30, 0, 250, tzinfo=paris)

        uow.queue.add_deviation(NewQueueItem("A", Source.WATCH_FEED, local), local)

        item = uow.queue.get("A")
        assert item is not None
        assert item.ts == local
        assert item.ts.tzinfo is UTC

    def test_naive_datetimes_are_refused(self, uow: SqlUnitOfWork) -> None:
        """A naive datetime never reaches the database."""
        with pytest.raises(exc.StatementError, match="naive datetime"):
            uow.ledger.add("A", datetime(2025, 1, 1))


class TestSecretsStayHidden:
    def test_failed_statement_does_not_echo_parameters(self, engine: Engine) -> None:
        """A database error about the token row does not contain the token."""
        with engine.connect() as conn, pytest.raises(exc.IntegrityError) as raised:
            conn.execute(
                insert(oauth_tokens).values(id=2, access_token="very-secret-access", expires_at=NOW)
            )

        assert "SQL parameters hidden" in str(raised.value)

    def test_token_save_error_does_not_contain_the_tokens(self, uow: SqlUnitOfWork) -> None:
        """A failed token save raises an error that names no token, with no cause attached."""
        broken = OAuthToken(None, "very-secret-refresh", NOW)  # type: ignore[arg-type]

        with pytest.raises(TokenStorageError) as raised:
            uow.tokens.save(broken)

        assert "very-secret-refresh" not in str(raised.value)
        assert raised.value.__cause__ is None
        assert raised.value.__suppress_context__ is True


class TestUnitOfWork:
    def test_rolls_back_unless_committed(self, uow_factory: Callable[[], SqlUnitOfWork]) -> None:
        """Work left uncommitted is gone after the block."""
        with uow_factory() as uow:
            uow.queue.add_many(new_items(2, NOW), NOW)

        with uow_factory() as uow:
            assert sum(uow.queue.get_stats().values()) == 0

    def test_commit_makes_work_durable(self, uow_factory: Callable[[], SqlUnitOfWork]) -> None:
        """Committed work is visible to the next unit of work."""
        with uow_factory() as uow:
            uow.queue.add_many(new_items(2, NOW), NOW)
            uow.commit()

        with uow_factory() as uow:
            assert sum(uow.queue.get_stats().values()) == 2

    def test_work_after_commit_needs_its_own_commit(
        self, uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """Only what was committed survives; later work in the same block is rolled back."""
        with uow_factory() as uow:
            uow.queue.add_many(new_items(1, NOW), NOW)
            uow.commit()
            uow.ledger.add("X", NOW)

        with uow_factory() as uow:
            assert uow.queue.get("dev-000000") is not None
            assert uow.ledger.contains("X") is False

    def test_exception_rolls_back_and_propagates(
        self, uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """An error inside the block undoes the work and is re-raised."""

        def add_then_fail() -> None:
            with uow_factory() as uow:
                uow.ledger.add("X", NOW)
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            add_then_fail()

        with uow_factory() as uow:
            assert uow.ledger.contains("X") is False

    def test_explicit_rollback(self, uow_factory: Callable[[], SqlUnitOfWork]) -> None:
        """rollback() forgets the work since the last commit."""
        with uow_factory() as uow:
            uow.ledger.add("X", NOW)
            uow.rollback()
            uow.ledger.add("Y", NOW)
            uow.commit()

        with uow_factory() as uow:
            assert (uow.ledger.contains("X"), uow.ledger.contains("Y")) == (False, True)

    def test_commit_outside_the_block_is_an_error(
        self, uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """A unit of work cannot be used after its block."""
        uow = uow_factory()
        with uow:
            pass

        with pytest.raises(RuntimeError):
            uow.commit()


class TestTokenLock:
    TOKEN = OAuthToken("access", "refresh", NOW)

    def test_second_locker_waits_for_the_first(
        self, engine: Engine, uow_factory: Callable[[], SqlUnitOfWork]
    ) -> None:
        """While one unit of work holds the token lock, another cannot take it."""
        with uow_factory() as uow:
            uow.tokens.save(self.TOKEN)
            uow.commit()

        with uow_factory() as holder:
            assert holder.tokens.lock_for_refresh() == self.TOKEN
            with engine.connect() as other, pytest.raises(exc.OperationalError):
                _lock_with_short_timeout(other)

        with engine.connect() as other:
            assert _lock_with_short_timeout(other) == self.TOKEN


def _lock_with_short_timeout(conn: Connection) -> OAuthToken | None:
    """Try to take the token lock, giving up after a fraction of a second."""
    if conn.dialect.name == "sqlite":
        # Set on the driver connection: going through SQLAlchemy would BEGIN first.
        conn.connection.driver_connection.execute("PRAGMA busy_timeout=50")  # type: ignore[union-attr]
    else:
        conn.exec_driver_sql("SET lock_timeout = '50ms'")
    try:
        return TokenRepository(conn).lock_for_refresh()
    finally:
        conn.rollback()
