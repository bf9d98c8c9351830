"""A token refresh holds no database transaction: writers go on, and a login meanwhile wins."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from auth.stack import AuthStack, build_stack
from fixtures.database import METADATA_READ
from photomanager.domain.models import NewQueueItem, OAuthToken, Source, TokenKind
from photomanager.sandbox import ManualClock, Sandbox
from photomanager.sandbox.adapters import SandboxTransport
from photomanager.storage import create_engine_for, sql_unit_of_work_factory
from photomanager.storage.refresh_lock import (
    ADVISORY_LOCK_KEY,
    AdvisoryRefreshLock,
    FileRefreshLock,
    ThreadRefreshLock,
    refresh_lock_for,
)
from photomanager.storage.repositories import DeviationCommentQueueRepository

GATE_TIMEOUT_S = 30
SHORT_LOCK_WAIT_MS = 100


class GatedTransport(httpx.BaseTransport):
    """The sandbox, except that token-endpoint requests wait until `release` is set."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self.entered = threading.Event()
        self.release = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            self.entered.set()
            if not self.release.wait(GATE_TIMEOUT_S):
                raise RuntimeError("the test never released the token request")
        return self._inner.handle_request(request)


@dataclass
class Refreshing:
    """A USER token request running in a thread, stopped at DeviantArt's token endpoint."""

    thread: threading.Thread
    results: list[str]
    errors: list[BaseException]

    def finish(self) -> str:
        self.thread.join(GATE_TIMEOUT_S)
        assert not self.thread.is_alive()
        assert self.errors == []
        [token] = self.results
        return token


@pytest.fixture
def gate(sandbox: Sandbox) -> Iterator[GatedTransport]:
    transport = GatedTransport(SandboxTransport(sandbox))
    yield transport
    transport.release.set()  # a failing test must not leave a thread waiting


@pytest.fixture
def stack(
    engine: Engine, sandbox: Sandbox, sandbox_clock: ManualClock, gate: GatedTransport
) -> Iterator[AuthStack]:
    """The auth stack as bootstrap wires it, with the refresh lock of the test database."""
    built = build_stack(
        uow_factory=sql_unit_of_work_factory(engine),
        clock=sandbox_clock,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        transport=gate,
        refresh_lock=refresh_lock_for(engine),
    )
    yield built
    built.http.close()


@pytest.fixture
def expired(engine: Engine, sandbox: Sandbox, sandbox_clock: ManualClock) -> OAuthToken:
    """A stored user token whose expiry has passed (the next request refreshes it)."""
    issued = sandbox.issue_user_token()
    token = replace(issued, expires_at=sandbox_clock.now() - timedelta(minutes=1))
    _save(engine, token)
    return token


def _save(engine: Engine, token: OAuthToken) -> None:
    with sql_unit_of_work_factory(engine)() as uow:
        uow.tokens.save(token)
        uow.commit()


def _stored(engine: Engine) -> OAuthToken | None:
    with sql_unit_of_work_factory(engine)() as uow:
        return uow.tokens.get()


def _start_refresh(stack: AuthStack, gate: GatedTransport) -> Refreshing:
    results: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(stack.session.get_token(TokenKind.USER))
        except BaseException as exc:  # reported by finish()
            errors.append(exc)

    thread = threading.Thread(target=run, name="test-refresh", daemon=True)
    thread.start()
    assert gate.entered.wait(GATE_TIMEOUT_S), "the refresh never reached DeviantArt"
    return Refreshing(thread, results, errors)


def _write_queue_row(database_url: str, deviationid: str) -> None:
    """Write one queue row from another engine, giving up on a lock after a moment."""
    other = create_engine_for(database_url)
    try:
        with other.connect() as conn:
            if conn.dialect.name == "sqlite":
                # On the driver connection: through SQLAlchemy it would BEGIN first.
                driver = conn.connection.driver_connection
                driver.execute(f"PRAGMA busy_timeout={SHORT_LOCK_WAIT_MS}")  # type: ignore[union-attr]
            else:
                conn.exec_driver_sql(f"SET lock_timeout = '{SHORT_LOCK_WAIT_MS}ms'")
                conn.commit()
            now = ManualClock().now()
            DeviationCommentQueueRepository(conn).add_deviation(
                NewQueueItem(deviationid, Source.WATCH_FEED, now, enriched_at=METADATA_READ), now
            )
            conn.commit()
    finally:
        other.dispose()


class TestRefreshInFlight:
    def test_a_writer_is_not_blocked_while_a_refresh_is_in_flight(
        self,
        database_url: str,
        engine: Engine,
        stack: AuthStack,
        gate: GatedTransport,
        expired: OAuthToken,
        sandbox: Sandbox,
    ) -> None:
        """While DeviantArt has not answered the refresh, another process commits a write."""
        refreshing = _start_refresh(stack, gate)

        _write_queue_row(database_url, "written-during-refresh")

        assert refreshing.thread.is_alive()  # the refresh was still waiting for DeviantArt
        with sql_unit_of_work_factory(engine)() as uow:
            assert uow.queue.get("written-during-refresh") is not None
        gate.release.set()
        token = refreshing.finish()
        stored = _stored(engine)
        assert stored is not None
        assert token == stored.access_token != expired.access_token
        assert sandbox.ledger.token_calls("refresh_token") == 1

    def test_a_login_during_the_refresh_wins(
        self,
        engine: Engine,
        stack: AuthStack,
        gate: GatedTransport,
        expired: OAuthToken,
        sandbox: Sandbox,
    ) -> None:
        """A new login saved while the refresh is in flight is kept, and the refresher uses it."""
        refreshing = _start_refresh(stack, gate)
        login = sandbox.issue_user_token()
        _save(engine, login)

        gate.release.set()

        assert refreshing.finish() == login.access_token
        assert _stored(engine) == login
        assert sandbox.ledger.token_calls("refresh_token") == 1

    def test_a_logout_during_the_refresh_wins(
        self,
        engine: Engine,
        stack: AuthStack,
        gate: GatedTransport,
        expired: OAuthToken,
    ) -> None:
        """A logout while the refresh is in flight is not undone by the refreshed token."""
        refreshing = _start_refresh(stack, gate)
        with sql_unit_of_work_factory(engine)() as uow:
            uow.tokens.delete()
            uow.commit()

        gate.release.set()

        refreshing.thread.join(GATE_TIMEOUT_S)
        assert [type(exc).__name__ for exc in refreshing.errors] == ["NotConnected"]
        assert _stored(engine) is None


class TestSaveRotated:
    OLD = OAuthToken("access-old-0000", "refresh-old-0000", ManualClock().now(), "browse")
    NEW = OAuthToken("access-new-1111", "refresh-new-1111", ManualClock().now(), "browse")

    def test_saves_while_the_old_refresh_token_is_stored(self, engine: Engine) -> None:
        """The compare-and-set writes when the row still holds the refresh token it replaces."""
        _save(engine, self.OLD)
        with sql_unit_of_work_factory(engine)() as uow:
            assert uow.tokens.save_rotated(self.NEW, previous_refresh_token="refresh-old-0000")
            uow.commit()
        assert _stored(engine) == self.NEW

    def test_refuses_when_the_row_changed(self, engine: Engine) -> None:
        """Another refresh token in the row (a login meanwhile): nothing is written."""
        _save(engine, self.NEW)
        late = replace(self.OLD, access_token="access-late-2222")
        with sql_unit_of_work_factory(engine)() as uow:
            assert not uow.tokens.save_rotated(late, previous_refresh_token="refresh-old-0000")
            uow.commit()
        assert _stored(engine) == self.NEW

    def test_refuses_when_the_row_is_gone(self, engine: Engine) -> None:
        """After a logout the compare-and-set recreates nothing."""
        with sql_unit_of_work_factory(engine)() as uow:
            assert not uow.tokens.save_rotated(self.NEW, previous_refresh_token="refresh-old-0000")
            uow.commit()
        assert _stored(engine) is None


def _taken_elsewhere(lock: object, engine: Engine) -> bool:
    """Whether another process (another open file, another session) is kept out right now."""
    if isinstance(lock, FileRefreshLock):
        with lock.path.open("a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return False
    with engine.connect() as conn:
        got = conn.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        ).scalar_one()
        if got:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        conn.commit()
        return not got


class TestRefreshLockFor:
    def test_a_database_file_gets_a_lock_file_beside_it(self, tmp_path: Path) -> None:
        """SQLite on a file: flock on `<database>.refresh.lock`."""
        engine = create_engine_for(f"sqlite:///{tmp_path / 'app.db'}")
        lock = refresh_lock_for(engine)
        assert isinstance(lock, FileRefreshLock)
        assert lock.path == (tmp_path / "app.db.refresh.lock").resolve()

    def test_memory_sqlite_gets_a_thread_lock(self) -> None:
        """In-memory SQLite is one process's: a thread lock."""
        assert isinstance(refresh_lock_for(create_engine_for("sqlite://")), ThreadRefreshLock)

    def test_postgresql_gets_an_advisory_lock(self) -> None:
        """PostgreSQL: an advisory lock (building it does not connect)."""
        engine = create_engine_for("postgresql://nobody@localhost:1/none")
        assert isinstance(refresh_lock_for(engine), AdvisoryRefreshLock)

    def test_held_keeps_others_out_until_released(self, engine: Engine) -> None:
        """While held, another open file or session cannot take it; afterwards it can."""
        lock = refresh_lock_for(engine)
        with lock.held():
            assert _taken_elsewhere(lock, engine)
        assert not _taken_elsewhere(lock, engine)

    def test_released_when_the_block_fails(self, engine: Engine) -> None:
        """An error inside the block (a failed refresh) still releases the lock."""
        lock = refresh_lock_for(engine)
        with pytest.raises(RuntimeError), lock.held():
            raise RuntimeError("refresh failed")
        assert not _taken_elsewhere(lock, engine)
